// The module graph of src/: no import cycles (type imports included), and the leaves never import the layers above.
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of `file` (static, dynamic and `import type`), resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) throw new Error(`${path.relative(SRC, file)}: cannot resolve ${spec}`);
    return found;
  });
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(SRC, f);

test('src/ has no import cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  expect(cycles).toEqual([]);
});

// Commands sit on top; nothing below them imports src/cli.
test.each([
  'config',
  'data',
  'models',
  'losses',
  'modules',
  'anatomy',
  'hooks',
  'train',
  'runner',
  'report',
  'compare',
  'merge',
  'results',
  'util',
  'backend',
])('src/%s does not import src/cli', (folder) => {
  const upward = files
    .filter((f) => rel(f).startsWith(`${folder}${path.sep}`))
    .flatMap((f) => (graph.get(f) ?? []).filter((t) => rel(t).startsWith(`cli${path.sep}`)).map((t) => `${rel(f)} → ${rel(t)}`));
  expect(upward).toEqual([]);
});
