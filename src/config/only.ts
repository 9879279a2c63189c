// The `--only` filter: a glob over run names, with comma-separated alternatives.
import picomatch from 'picomatch';

/**
 * Whether `name` matches `glob`: comma-separated alternatives, each either the run name itself (grid run names
 * hold brackets, as in `ce[lr=0.1]`) or a picomatch glob (`*` any text, `?` one character, `[ab]`, `{a,b}`).
 * bash mode lets `*` cross "/", which a run name may hold.
 */
export function matchesGlob(name: string, glob: string): boolean {
  return glob
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '')
    .some((pattern) => pattern === name || picomatch.isMatch(name, pattern, { dot: true, bash: true }));
}
