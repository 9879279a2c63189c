// Runs the losslab CLI in-process (main(argv, io)) and captures what it writes, for CLI tests.
import { main } from '../../src/cli/main';
import type { Io } from '../../src/io';

/** What one CLI invocation returned and wrote. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** An Io that collects stdout and stderr as strings (never a terminal, so output is plain). */
export function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    isTty: false,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Calls main(argv) with a capturing Io and resolves to the exit code and both streams. */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
