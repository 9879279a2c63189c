// Every value from the command line is checked before use: for every option of every command (read from the command
// table, not typed here), a repeat, an empty value and --no-x are clear messages with exit 2, never an internal error.
import yargs, { type Argv } from 'yargs';
import { BACKEND_CHOICES } from '../../src/backend/select';
import { commandModules } from '../../src/cli/commands';
import { checkRunArgs, parseSeeds } from '../../src/cli/commands/run';
import { numberFlag, type OptionTable } from '../../src/cli/flags';
import { ConfigError } from '../../src/errors';
import { runCli } from '../helpers/cli';

const silent = { out: () => undefined, err: () => undefined, isTty: false };

/** Each command's name, its positionals (as placeholders a parse accepts) and its option table. */
const COMMANDS = commandModules(silent, () => undefined).map((module) => {
  const command = String(module.command);
  const positionals = [...command.matchAll(/<([\w-]+)(\.{2,3})?>/g)].map((match) => match[1]);
  const parser = yargs([]);
  if (typeof module.builder === 'function') (module.builder as (y: Argv) => Argv)(parser);
  const options = (parser as unknown as { getOptions(): OptionTable }).getOptions();
  const flags = Object.keys(options.key).filter((key) => !positionals.includes(key) && !['help', 'version'].includes(key));
  return { name: command.split(' ')[0], args: positionals.map((p) => `placeholder-${p}`), options, flags };
});
const required = (name: string) => (name === 'merge' ? ['--out', 'placeholder-out'] : []);

const valueFlags = COMMANDS.flatMap(({ name, args, options, flags }) =>
  flags.filter((flag) => !options.boolean.includes(flag)).map((flag) => [name, flag, args, options.array.includes(flag)] as const),
);

test('the table covers the value options of every command', () => {
  expect(valueFlags.map(([name, flag]) => `${name} --${flag}`)).toEqual(
    expect.arrayContaining([
      'run --out',
      'run --seeds',
      'run --only',
      'run --epochs',
      'run --backend',
      'compare --k',
      'merge --out',
      'report --format',
    ]),
  );
});

describe.each(valueFlags)('%s --%s', (name, flag, args, isArray) => {
  const rest = flag === 'out' ? [] : required(name);

  // A list option (--tol, --format) may be given more than once.
  if (!isArray)
    test('given twice: exit 2, naming the flag and both values', async () => {
      const result = await runCli([name, ...args, ...rest, `--${flag}`, 'first', `--${flag}`, 'second']);
      expect(result).toEqual({ code: 2, out: '', err: `losslab: --${flag}: given 2 times ("first", "second"); give it once.\n` });
    });

  test('an empty value: exit 2, naming the flag', async () => {
    const result = await runCli([name, ...args, ...rest, `--${flag}=`]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`^losslab: --${flag}: `));
    expect(result.err).not.toContain('internal error');
  });

  test('--no-<flag>: exit 2, naming the flag', async () => {
    const result = await runCli([name, ...args, ...rest, `--no-${flag}`]);
    expect(result.code).toBe(2);
    expect(result.err).not.toContain('internal error');
  });
});

test.each<[string[], string]>([
  [['run', 'x.yaml', '--backend', 'webgpu'], `--backend: unknown value "webgpu". Choices: ${BACKEND_CHOICES.join(', ')}.`],
  [
    ['run', 'x.yaml', '--backend', 'wsam'],
    `--backend: unknown value "wsam" — did you mean "wasm"? Choices: ${BACKEND_CHOICES.join(', ')}.`,
  ],
  [['run', 'x.yaml', '--epochs', 'abc'], '--epochs: expected an integer >= 0, received "abc".'],
  [['run', 'x.yaml', '--epochs', '1e3'], '--epochs: expected an integer >= 0, received "1e3".'],
  [['run', 'x.yaml', '--jobs', '0'], '--jobs: expected an integer >= 1, received "0".'],
  [
    ['run', 'x.yaml', '--seeds', '3,3'],
    '--seeds: seed 3 is given twice in "3,3"; each seed gives one run, so a repeat would train the same run twice.',
  ],
  [['run', 'x.yaml', '--seeds', '1,,2'], '--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "1,,2".'],
  [['run', 'x.yaml', '--out', ''], '--out: expected a value, received nothing.'],
  [['compare', 'a', 'b', '--k', 'two'], '--k: expected a number >= 0 (baseline standard deviations allowed), received "two".'],
  [
    ['run', 'x.yaml', '--epoch', '1'],
    'unknown option "--epoch" — did you mean "--epochs"? Options: --out, --backend, --force, --resume, --report, --epochs, --seeds, --only, --shard, --jobs. Usage: losslab run <file> [options].',
  ],
  [['validate', 'a.yaml', 'b.yaml'], 'unexpected argument "b.yaml". Usage: losslab validate <file> [options].'],
  [['compare', 'a'], 'missing <baseline>. Usage: losslab compare <current> <baseline> [options].'],
  [['merge', 'a'], '--out is required. Usage: losslab merge <dirs...> [options].'],
  [['validate', '\u001b[2J'], '\\x1b[2J: cannot read the experiment file: no such file.'],
])('%j: exit 2 with %j', async (argv, message) => {
  expect(await runCli(argv)).toEqual({ code: 2, out: '', err: `losslab: ${message}\n` });
});

test('an empty positional is named by what reads it', async () => {
  expect(await runCli(['validate', ''])).toEqual({ code: 2, out: '', err: 'losslab: no experiment file given: the file name is empty.\n' });
});

test('a positional that looks like a number stays a file name', async () => {
  const result = await runCli(['validate', '2024']);
  expect(result.err).toBe('losslab: 2024: cannot read the experiment file: no such file.\n');
});

describe('flag parsers (pure; checkRunArgs and parseIntegerFlag have their own table in commands/run.test.ts)', () => {
  test('numberFlag accepts decimals and exponents, refuses NaN and Infinity', () => {
    expect(numberFlag('--k', '2.5e-1', 0)).toBe(0.25);
    expect(() => numberFlag('--k', 'Infinity', 0)).toThrow(ConfigError);
    expect(() => numberFlag('--k', 'NaN', 0)).toThrow(ConfigError);
  });
  test('parseSeeds keeps the order and refuses a repeat', () => {
    expect(parseSeeds('3, 1,2')).toEqual([3, 1, 2]);
    expect(() => checkRunArgs({ seeds: '1,2,1', force: false, resume: false })).toThrow(
      new ConfigError('--seeds: seed 1 is given twice in "1,2,1"; each seed gives one run, so a repeat would train the same run twice.'),
    );
  });
});
