// Typed errors for everything a user can get wrong, each mapped to a documented exit code.

/** Exit codes, documented in the README. */
export const ExitCode = {
  /** Every run completed (or `compare` found no regression). */
  ok: 0,
  /** Some run diverged or failed (or `compare` found a regression). */
  runsFailed: 1,
  /** Bad input: usage, experiment file, dataset files or output folder. */
  badInput: 2,
  /** Interrupted by SIGINT/SIGTERM, or results could not be written (disk full). */
  interrupted: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error whose message is meant for the user as it is (no stack trace). */
export class LosslabError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** `cause`: the underlying error, whose stack --debug prints (e.g. an exception inside a user's module). */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A problem in an experiment file or in command-line options. */
export class ConfigError extends LosslabError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.badInput, options);
  }
}

/** A dataset file that is missing, corrupt or inconsistent. */
export class DataError extends LosslabError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

/** An output folder that cannot be used (holds another experiment, not writable). */
export class OutputError extends LosslabError {
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.badInput) {
    super(message, exitCode);
  }
}

/** Results could not be written part-way through a run (e.g. disk full). */
export class WriteError extends LosslabError {
  constructor(message: string) {
    super(message, ExitCode.interrupted);
  }
}

/**
 * A results folder or file read back as input (report, compare, merge, --resume) that is missing, malformed or
 * inconsistent: one class for every reader of losslab's own output, so each refuses the same folder the same way.
 */
export class ResultsError extends LosslabError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}
