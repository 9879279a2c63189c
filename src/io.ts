// Where commands write: stdout/stderr of the process, or a capture in tests. Below every layer that prints.

/** Where the CLI writes; tests pass their own to capture output. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdout is an interactive terminal (progress bars); false in CI or when piped. */
  isTty: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY) && !process.env.CI,
};

/**
 * Keeps the CLI working when a reader closes its output early (`losslab validate x | head -1`): the pipe's EPIPE, and
 * the errors of writes after it, are dropped instead of crashing the process; a run keeps training and writing its
 * results. Called once, by the bin.
 */
export function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
