// --backend: an explicit backend that does not load is bad input (exit 2) naming why; auto falls back.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CLI = path.resolve(__dirname, '../../dist/bin/losslab.js');
const FIXTURE = path.resolve(__dirname, '../fixtures/runner/jobs.yaml');
const tfjsNodeLoads = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

(tfjsNodeLoads ? test.skip : test)('--backend tensorflow without tfjs-node exits 2 and says why, with the fix', () => {
  const result = spawnSync(process.execPath, [CLI, 'run', FIXTURE, '--out', '/nonexistent/never-written', '--backend', 'tensorflow'], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(
    /^losslab: --backend tensorflow: the tensorflow backend did not load \(tensorflow: Cannot find module '@tensorflow\/tfjs-node'.*\)\. Use --backend auto to fall back to one that does\.\n$/,
  );
});

test('run --backend auto prints the backend it chose and why the others were skipped', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-auto-'));
  const result = spawnSync(process.execPath, [CLI, 'run', FIXTURE, '--out', out, '--epochs', '0', '--seeds', '1', '--only', 'sigmoid-ce'], {
    encoding: 'utf8',
  });
  fs.rmSync(out, { recursive: true, force: true });
  expect(result.status).toBe(0);
  const chosen = tfjsNodeLoads ? 'tensorflow' : 'wasm';
  expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^losslab: backend ${chosen}`));
  if (!tfjsNodeLoads) expect(result.stdout).toContain("(tensorflow skipped: Cannot find module '@tensorflow/tfjs-node'");
});
