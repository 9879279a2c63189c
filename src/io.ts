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
