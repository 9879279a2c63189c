// A reader that closes the pipe early (`losslab validate x | head -1`) does not crash the CLI: exit code unchanged.
import * as path from 'path';
import { spawn } from 'child_process';
import { CLI } from './helpers';

test('validate into a closed pipe exits 0 without an unhandled EPIPE', async () => {
  const file = path.join(__dirname, '..', 'fixtures', 'config', 'good_grid.yaml');
  const child = spawn(process.execPath, [CLI, 'validate', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the first line is written
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
