// Shared helpers of the reliability tests: a real child process of the built CLI, and results compared without timings.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isTimingColumn } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';

/** The built CLI (`npx tsc -p tsconfig.json`); the spawning tests need it. */
export const CLI = path.resolve(__dirname, '../../dist/bin/losslab.js');
export const FIXTURES = path.resolve(__dirname, '../fixtures/reliability');

/** A spawned `node dist/bin/losslab.js <args>` with its output collected and its exit awaited. */
export interface Child {
  process: ChildProcess;
  output: () => string;
  /** Resolves to the exit code (or the signal name when it was killed by one). */
  exited: Promise<number | string>;
}

export function spawnCli(args: readonly string[]): Child {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { process: child, output: () => output, exited };
}

/** Polls every 50 ms until `ready()` is true; rejects after `limitMs` (a safety net, not a timing assertion). */
export async function waitFor(ready: () => boolean, what: string, limitMs = 60000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves to the exit, or to 'still running' if the child has not exited within `limitMs` (it is then killed). */
export async function exitWithin(child: Child, limitMs: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      resolve('still running');
    }, limitMs);
  });
  const result = await Promise.race([child.exited, late]);
  clearTimeout(timer);
  return result;
}

/** A CSV file's columns and rows with every timing column (isTimingColumn) dropped: what must be identical. */
export function withoutTimings(file: string): { columns: string[]; rows: Record<string, string>[] } {
  const table = parseCsv(fs.readFileSync(file, 'utf8'));
  const keep = table.columns.filter((c) => !isTimingColumn(c));
  return { columns: keep, rows: table.rows.map((row) => Object.fromEntries(keep.map((c) => [c, row[c]]))) };
}
