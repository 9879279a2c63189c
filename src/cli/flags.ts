// Command-line values checked before use: every flag's type, a flag given twice, an empty value, a choice not in the
// list, and yargs' own usage messages reworded to name the flag, what was received and what to do.
import { ConfigError } from '../errors';
import { closest, didYouMean } from '../util/did-you-mean';
import { quote } from '../util/quote';

/** What yargs' getOptions() says about the options of the command being parsed. */
export interface OptionTable {
  key: Record<string, unknown>;
  array: string[];
  boolean: string[];
  string: string[];
  choices: Record<string, unknown[]>;
}

/** Keys yargs puts in argv that are not options the user gave. */
const NOT_FLAGS = new Set(['_', '$0', 'help', 'version']);

/**
 * Checks every option value yargs parsed, before any command sees it (after main's checkRepeatedOptions): a value
 * option given as --no-x (a boolean) or with an empty value, a list option given no value, and a value outside its
 * choices. `tokens` is the command line as typed. Throws a ConfigError naming the flag, what was received and what
 * is expected.
 */
export function checkFlagValues(argv: Record<string, unknown>, options: OptionTable, tokens: readonly string[], command?: string): void {
  // Positionals (`run <file>`) are checked by what reads them: an empty file name is the reader's to name.
  const positionals = positionalNames(command);
  for (const key of Object.keys(options.key)) {
    if (NOT_FLAGS.has(key) || positionals.includes(key) || !(key in argv)) continue;
    const value = argv[key];
    const flag = `--${key}`;
    // A list option given without a value (`--tol` or `--tol=`) arrives as an empty list.
    if (Array.isArray(value) && value.length === 0 && tokens.some((token) => token === flag || token === `${flag}=`)) {
      throw new ConfigError(`${flag}: expected a value, received none.`);
    }
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (options.string.includes(key) || options.array.includes(key)) {
      for (const item of values) {
        if (typeof item === 'boolean') throw new ConfigError(`${flag}: expects a value; --no-${key} is not an option.`);
        if (typeof item === 'string' && item.trim() === '') throw new ConfigError(`${flag}: expected a value, received nothing.`);
      }
    }
    const choices = options.choices[key]?.map(String);
    if (choices && choices.length > 0) {
      for (const item of values) {
        if (!choices.includes(String(item))) {
          throw new ConfigError(
            `${flag}: unknown value ${quote(String(item))}${didYouMean(String(item), choices) || '.'} Choices: ${choices.join(', ')}.`,
          );
        }
      }
    }
  }
}

/** `text` as a finite number >= `min`, or a ConfigError naming `flag`. */
export function numberFlag(flag: string, text: string, min: number, meaning = ''): number {
  const value = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value < min) {
    throw new ConfigError(`${flag}: expected a number >= ${min}${meaning ? ` (${meaning})` : ''}, received ${quote(text)}.`);
  }
  return value;
}

/**
 * yargs' own usage messages, reworded: an unknown option gets "did you mean" and the command's options; a word left
 * over after the positionals is named as such; a missing positional or required option says the usage line.
 */
export function usageError(message: string, argv: readonly string[], options: OptionTable, command: string | undefined): ConfigError {
  const usage = command === undefined ? 'losslab <command> [options]' : `losslab ${command} [options]`;
  const positionals = positionalNames(command);
  const flags = Object.keys(options.key).filter(
    (key) => !NOT_FLAGS.has(key) && key !== 'debug' && !/[A-Z]/.test(key) && !positionals.includes(key),
  );
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  if (unknown) {
    const names = unknown[1].split(', ');
    const first = names[0];
    const given = argv.find((token) => token === `--${first}` || token.startsWith(`--${first}=`) || token === `-${first}`);
    if (given !== undefined) {
      const suggestion = closest(first, flags);
      return new ConfigError(
        `unknown option ${quote(given.split('=')[0])}${suggestion ? ` — did you mean "--${suggestion}"?` : '.'} Options: ${flags.map((f) => `--${f}`).join(', ')}. Usage: ${usage}.`,
      );
    }
    return new ConfigError(
      `unexpected argument ${quote(first)}${names.length > 1 ? ` (and ${names.length - 1} more)` : ''}. Usage: ${usage}.`,
    );
  }
  const notEnough = /^Not enough non-option arguments: got (\d+)/.exec(message);
  if (notEnough) {
    const missing = [...(command ?? '').matchAll(/<([\w-]+)(\.{2,3})?>/g)]
      .slice(Number(notEnough[1]))
      .map((match) => `<${match[1]}${match[2] ?? ''}>`);
    return new ConfigError(`missing ${missing.join(' ') || 'an argument'}. Usage: ${usage}.`);
  }
  const missing = /^Missing required arguments?: (.*)$/.exec(message);
  if (missing)
    return new ConfigError(
      `${missing[1]
        .split(', ')
        .map((name) => `--${name}`)
        .join(', ')} is required. Usage: ${usage}.`,
    );
  return new ConfigError(`usage: ${message}`);
}

/** The positionals of a command string (`run <file>`, `merge <dirs...>`): named in the usage line, not options. */
function positionalNames(command: string | undefined): string[] {
  return [...(command ?? '').matchAll(/[<[]([\w-]+)(?:\.\.\.)?[>\]]/g)].map((match) => match[1]);
}
