// The lint gate (npm run lint, run by .ci/run) keeps the rules the house relies on switched on for src and test.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Runs the project's eslint (its own config file, which jest's module loader cannot import) and parses its JSON. */
function eslint(args: string[]): unknown {
  const result = spawnSync(process.execPath, [ESLINT, ...args], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(result.stdout) as unknown;
}

test.each(['src/cli/main.ts', 'test/architecture/imports.test.ts', 'scripts/bench.ts'])(
  '%s is linted with no-explicit-any, no-unused-vars and the type-checked rules as errors',
  (file) => {
    const { rules } = eslint(['--print-config', file]) as { rules: Record<string, unknown[]> };
    expect(rules['@typescript-eslint/no-explicit-any'][0]).toBe(2);
    expect(rules['@typescript-eslint/no-unused-vars'][0]).toBe(2);
    expect(rules['@typescript-eslint/no-unsafe-assignment'][0]).toBe(2);
  },
);
