// Temporary folders for tests that write results, removed after each test file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Makes a fresh folder under the OS temp dir; call the returned cleanup in afterAll/afterEach. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `losslab-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
