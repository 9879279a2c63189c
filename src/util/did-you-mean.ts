// "Did you mean" suggestions for mistyped names, by Levenshtein distance.

/** Edit distance between two strings (insertions, deletions, substitutions cost 1). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/**
 * The closest known name to `received`, if it is close enough to be a likely typo
 * (distance at most max(2, a third of its length)), else undefined.
 */
export function closest(received: string, known: readonly string[]): string | undefined {
  const needle = received.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(needle, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(needle.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** ` — did you mean "x"?` or the empty string. */
export function didYouMean(received: string, known: readonly string[]): string {
  const suggestion = closest(received, known);
  return suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`;
}
