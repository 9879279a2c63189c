// losslab's own package.json, found by walking up from this file (the depth differs between src/ and dist/).
import * as fs from 'fs';
import * as path from 'path';

let cached: { version: string; root: string } | undefined;

/** losslab's version and the folder holding its package.json. */
export function packageInfo(): { version: string; root: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (json.name === 'losslab') return (cached = { version: json.version, root: dir });
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cached = { version: 'unknown', root: process.cwd() });
    dir = parent;
  }
}
