// "Did you mean" suggestions for mistyped names: the same name spelt differently, an abbreviation, or a close typo.

/**
 * Edit distance between two strings, with a swap of two neighbouring characters counting 1 like an insertion, a
 * deletion or a substitution (optimal string alignment: "adma" is 1 from "adam", not 2).
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** The words of a name: camelCase, kebab-case, snake_case and dotted paths split, lower-cased. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s._-]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** The name without case and separators: learning_rate, learning-rate and LearningRate are one name. */
const normalized = (name: string) => words(name).join('');

/**
 * Abbreviations a user may type for `name`: the initials of its words (lr for learningRate, ce for cross-entropy,
 * bs for batchSize), and of the words of its last dotted segment (lr for optimizer.learningRate).
 */
function abbreviations(name: string): string[] {
  const initials = (parts: string[]) => parts.map((word) => word[0]).join('');
  const last = name.split('.').pop() ?? name;
  return [initials(words(name)), initials(words(last))].filter((abbreviation) => abbreviation.length >= 2);
}

/** Whether `part` appears in `whole` as consecutive words (test_accuracy in final_test_accuracy). */
function containsRun(whole: readonly string[], part: readonly string[]): boolean {
  if (part.length === 0 || part.length >= whole.length) return false;
  return whole.some((_, start) => part.every((word, k) => whole[start + k] === word));
}

/**
 * How far `received` may be from a name and still be taken as a typo of it: nothing for one or two characters (where
 * any two names are one edit apart: lr and l2), one edit up to five characters, then a third of the length.
 */
function typoLimit(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  return Math.max(2, Math.floor(length / 3));
}

/**
 * The known name `received` most likely means, or undefined. In order of preference: the same name but for case and
 * separators; a name it abbreviates; a name it is some of the words of; the closest name within the typo limit. Ties
 * go to the earlier name in `known`.
 */
export function closest(received: string, known: readonly string[]): string | undefined {
  if (typeof received !== 'string' || received === '') return undefined;
  const needle = normalized(received);
  const same = known.find((name) => normalized(name) === needle);
  if (same !== undefined) return same;
  const lower = received.toLowerCase();
  const abbreviated = known.find((name) => abbreviations(name).includes(lower));
  if (abbreviated !== undefined) return abbreviated;
  const part = words(received);
  const containing = received.length >= 3 ? known.find((name) => containsRun(words(name), part)) : undefined;
  if (containing !== undefined) return containing;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= typoLimit(Array.from(received).length) ? best : undefined;
}

/** ` — did you mean "x"?` or the empty string. */
export function didYouMean(received: string, known: readonly string[]): string {
  const suggestion = closest(received, known);
  return suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`;
}
