// `--jobs N`: the sweep's runs in N worker processes (one backend each), merged into one results folder.
//
// Each worker is `losslab run <file> --shard k/N --out <out>/.jobs/k`, so a worker is exactly a shard and the
// merge is `losslab merge`'s. Runs do not depend on each other (every run seeds its own initialisers and
// shuffles), so the merged files equal those of --jobs 1 apart from timing columns.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Io } from '../io';
import { loadExperimentWithModules } from '../config/experiment';
import { ExitCode } from '../errors';
import { planMerge, writeMerge } from '../merge/merge';
import { readShardFolder } from '../merge/read-shard';
import { Files } from '../results/contract';
import { packageInfo } from '../util/package-info';
import { checkModulesBeforeWriting } from './check-modules';
import { planOutputFolder } from './output-folder';
import type { RunExperimentOptions } from './run-experiment';

export const JOBS_DIR = '.jobs';

/** Worst exit code first: bad input, interrupted, runs failed, ok. */
const SEVERITY = [ExitCode.badInput, ExitCode.interrupted, ExitCode.runsFailed, ExitCode.ok] as number[];

export async function runWithJobs(options: RunExperimentOptions, jobs: number): Promise<number> {
  const { io } = options;
  const experiment = await loadExperimentWithModules(options.file, options.overrides);
  const outDir = options.out ?? path.join('results', experiment.name);
  // Checked here once, before the folder is touched; each worker loads the same files and checks them again.
  await checkModulesBeforeWriting(experiment, options.backend, io);
  planOutputFolder(outDir, experiment, options).claim();
  const workers = Math.min(jobs, experiment.runs.length);
  const bin = path.join(packageInfo().root, 'dist', 'bin', 'losslab.js');
  const shardDirs = Array.from({ length: workers }, (_, k) => path.join(outDir, JOBS_DIR, String(k + 1)));
  const codes = await Promise.all(
    shardDirs.map((dir, k) => runWorker(bin, workerArgs(options, dir, k + 1, workers), io, k + 1, options.stop)),
  );
  const worst = SEVERITY.find((code) => codes.includes(code)) ?? Math.max(...codes);
  if (worst === ExitCode.badInput) return worst;

  const shards = shardDirs.filter((dir) => fs.existsSync(path.join(dir, Files.manifest))).map(readShardFolder);
  const plan = planMerge(shards, true);
  fs.rmSync(path.join(outDir, Files.runsDir), { recursive: true, force: true });
  writeMerge(plan, outDir);
  // Worker folders stay while something is left to resume; a finished sweep keeps only the merged results.
  if (worst === ExitCode.ok) fs.rmSync(path.join(outDir, JOBS_DIR), { recursive: true, force: true });
  io.out(`losslab: ${workers} jobs merged into ${outDir}\n`);
  if (options.report && worst === ExitCode.ok) {
    const { writeReport } = await import('../report/index');
    await writeReport(outDir, {});
  }
  return worst;
}

function workerArgs(options: RunExperimentOptions, dir: string, index: number, count: number): string[] {
  const args = ['run', options.file, '--out', dir, '--shard', `${index}/${count}`, '--backend', options.backend];
  if (options.resume) args.push('--resume');
  else args.push('--force');
  const { epochs, seeds, only } = options.overrides;
  if (epochs !== undefined) args.push('--epochs', String(epochs));
  if (seeds !== undefined) args.push('--seeds', seeds.join(','));
  if (only !== undefined) args.push('--only', only);
  return args;
}

/** Runs one worker, prefixing its output lines with [job k]; resolves to its exit code. */
function runWorker(bin: string, args: string[], io: Io, index: number, stop?: { requested: boolean }): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: process.env.CI ?? '1' },
    });
    const forward = (write: (text: string) => void) => {
      let pending = '';
      return (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) write(`[job ${index}] ${line}\n`);
      };
    };
    child.stdout.on('data', forward(io.out));
    child.stderr.on('data', forward(io.err));
    const poll = setInterval(() => {
      if (stop?.requested && child.exitCode === null) child.kill('SIGTERM');
    }, 200);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve(code ?? ExitCode.interrupted);
    });
  });
}
