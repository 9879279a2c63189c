// The parent's side of a benchmark worker process (worker.ts --serve, bench_torch.py --serve): one request at a
// time over stdin, one RESULT_PREFIX answer line back (see the protocol in worker.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as readline from 'readline';
import { RESULT_PREFIX } from './worker';

/** A worker process serving arms; `label` names it in errors (e.g. "wasm+openblas", "pytorch"). */
export class ArmServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private waiting: { resolve: (answer: Record<string, unknown>) => void; reject: (error: Error) => void } | undefined;
  private stderrTail: string[] = [];
  private exited: Error | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith(RESULT_PREFIX) || !this.waiting) return;
      const answer = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
      const { resolve, reject } = this.waiting;
      this.waiting = undefined;
      if (typeof answer.error === 'string') reject(new Error(`${label}: ${answer.error}`));
      else resolve(answer);
    });
    readline.createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrTail = [...this.stderrTail.slice(-4), line];
    });
    const fail = (reason: string) => {
      this.exited = new Error(`${label}: ${this.stderrTail.filter(Boolean).at(-1) ?? reason}`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    };
    this.child.on('error', (error) => fail(error.message));
    this.child.on('exit', (code, signal) => fail(`worker exited (${signal ?? code})`));
  }

  /** Sends one request and resolves to its answer; rejects with the worker's error or its last stderr line. */
  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new Error(`${this.label}: a request is already waiting`));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /**
   * Waits until the worker is idle: its threads (garbage collection and compilation run on helper threads after a
   * slice returns) used under 10 % of a core over the last 3 ms, or `maxMs` passed. So the next arm's slice, in
   * another process, does not share the cores with this one's leftovers. Linux only (/proc); elsewhere it returns.
   */
  async settle(maxMs = 100): Promise<void> {
    const started = Date.now();
    let before = this.cpuNanoseconds();
    while (before !== undefined && Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      const now = this.cpuNanoseconds();
      if (now === undefined || now - before < 0.3e6) return;
      before = now;
    }
  }

  /** CPU time of all the worker's threads so far (/proc/<pid>/task/<tid>/schedstat), or undefined where unreadable. */
  private cpuNanoseconds(): number | undefined {
    try {
      const tasks = `/proc/${this.child.pid}/task`;
      return fs
        .readdirSync(tasks)
        .reduce((sum, tid) => sum + Number(fs.readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ')[0]), 0);
    } catch {
      return undefined;
    }
  }

  /** Asks the worker to exit and resolves to its peak RSS in MB (undefined if it had already gone). */
  async close(): Promise<number | undefined> {
    if (this.exited) return undefined;
    const answer = await this.request({ op: 'exit' }).catch(() => undefined);
    this.child.stdin.end();
    return typeof answer?.peakRssMb === 'number' ? answer.peakRssMb : undefined;
  }
}
