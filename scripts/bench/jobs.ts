// The --jobs measurement: wall time of one four-run sweep with --jobs 1 and with --jobs 2, alternating, in pairs.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A four-run sweep (two configurations × two seeds) of the reference MLP: `epochs` epochs of `examples` images. */
function sweepFile(dir: string, examples: number, epochs: number): string {
  const file = path.join(dir, 'jobs-sweep.yaml');
  fs.writeFileSync(
    file,
    [
      'name: bench-jobs',
      `dataset: { name: mnist, train: ${examples}, test: 2000 }`,
      'seeds: [1, 2]',
      `defaults: { model: { hidden: [128], hiddenActivation: relu }, batchSize: 64, epochs: ${epochs}, hooks: { every: 100 } }`,
      'runs:',
      '  - name: relu-ce',
      '  - name: relu-mse',
      '    model: { outputActivation: sigmoid }',
      '    loss: { name: mse }',
      '',
    ].join('\n'),
  );
  return file;
}

/** One sweep through the CLI. */
export interface JobsMeasurement {
  jobs: number;
  pair: number;
  wall_s: number;
  exit_code: number;
}

/**
 * Runs the sweep through the CLI with --jobs 1 and --jobs 2, alternating for `pairs` pairs (1 2, 2 1, 1 2, …), and
 * returns every sweep's wall seconds (parallelism is about wall time). Every worker pays a fixed start (Node, tfjs,
 * wasm, checksummed MNIST: about 1 s here), so short sweeps gain less.
 */
export function measureJobs(bin: string, backend: string, examples: number, epochs: number, pairs: number): JobsMeasurement[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-bench-jobs-'));
  const measured: JobsMeasurement[] = [];
  try {
    const file = sweepFile(dir, examples, epochs);
    for (let pair = 0; pair < pairs; pair++) {
      for (const jobs of pair % 2 === 0 ? [1, 2] : [2, 1]) {
        const out = path.join(dir, `jobs-${jobs}-${pair}`);
        const started = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [bin, 'run', file, '--out', out, '--backend', backend, '--jobs', String(jobs)], {
          encoding: 'utf8',
          env: { ...process.env, CI: '1' },
        });
        measured.push({ jobs, pair, wall_s: Number(process.hrtime.bigint() - started) / 1e9, exit_code: child.status ?? -1 });
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
    return measured;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
