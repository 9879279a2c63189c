// Option declarations (plain data in a module): checked, described, and turned into the zod schema of the values.
import { declarationProblems, describeOption, describeOptions, optionsSchema } from '../../src/modules/options';
import type { OptionDeclarations } from '../../src/modules/contract';

const DECLARED: OptionDeclarations = {
  gamma: { type: 'number', default: 2, min: 0 },
  steps: { type: 'integer', default: 3, exclusiveMin: 0, max: 10 },
  smooth: { type: 'number', exclusiveMax: 1 },
  sparse: { type: 'boolean', default: false },
  mode: { type: 'string', default: 'mean', choices: ['mean', 'max'] },
};

describe('optionsSchema', () => {
  const schema = optionsSchema(DECLARED);

  test('fills every default; an option without one is required', () => {
    expect(schema.parse({ smooth: 0.5 })).toEqual({ gamma: 2, steps: 3, smooth: 0.5, sparse: false, mode: 'mean' });
    expect(schema.safeParse({}).success).toBe(false);
  });

  test.each([
    [{ smooth: 0, gamma: -0.5 }, ['gamma'], 'too_small'],
    [{ smooth: 0, steps: 0 }, ['steps'], 'too_small'],
    [{ smooth: 0, steps: 2.5 }, ['steps'], 'invalid_type'],
    [{ smooth: 0, steps: 11 }, ['steps'], 'too_big'],
    [{ smooth: 1 }, ['smooth'], 'too_big'],
    [{ smooth: 0, sparse: 'yes' }, ['sparse'], 'invalid_type'],
    [{ smooth: 0, mode: 'median' }, ['mode'], 'invalid_value'],
    [{ smooth: 0, gama: 1 }, [], 'unrecognized_keys'],
  ])('%j is rejected at %j (%s)', (values, path, code) => {
    const result = schema.safeParse(values);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path, i.code])).toEqual([[path, code]]);
  });

  test('no declarations: only {} is valid', () => {
    expect(optionsSchema().parse({})).toEqual({});
    expect(optionsSchema().safeParse({ gamma: 1 }).success).toBe(false);
  });
});

describe('describeOption', () => {
  test.each([
    ['gamma', 'number ≥ 0, default 2'],
    ['steps', 'integer > 0 ≤ 10, default 3'],
    ['smooth', 'number < 1, required'],
    ['sparse', 'boolean, default false'],
    ['mode', 'string one of mean, max, default "mean"'],
  ])('%s: %s', (name, text) => {
    expect(describeOption(DECLARED[name])).toBe(text);
  });

  test('describeOptions lists them, or says there are none', () => {
    expect(describeOptions({ gamma: DECLARED.gamma })).toBe('gamma (number ≥ 0, default 2)');
    expect(describeOptions({})).toBe('no options');
  });
});

describe('declarationProblems: the declarations a module exports', () => {
  test('valid declarations, and none at all, have no problem', () => {
    expect(declarationProblems(DECLARED)).toEqual([]);
    expect(declarationProblems(undefined)).toEqual([]);
  });

  test.each([
    [[1, 2], ['expected a mapping of option names to declarations such as { gamma: { type: "number", default: 2, min: 0 } }']],
    [
      { gamma: { type: 'float', default: 2 } },
      ['option "gamma": type must be "number", "integer", "boolean" or "string", received "float"'],
    ],
    [{ gamma: { default: 2 } }, ['option "gamma": type must be "number", "integer", "boolean" or "string", received none']],
    [{ gamma: { type: 'number', defualt: 2 } }, ['option "gamma": unknown key "defualt" — did you mean "default"?']],
    [{ gamma: { type: 'number', min: '0' } }, ['option "gamma": min: invalid input: expected number, received string']],
    [{ gamma: { type: 'number', default: -1, min: 0 } }, ['option "gamma": the default -1 breaks its own rule (number ≥ 0, default -1)']],
    [
      { mode: { type: 'string', default: 'sum', choices: ['mean'] } },
      ['option "mode": the default "sum" breaks its own rule (string one of mean, default "sum")'],
    ],
    [{ '2x': { type: 'boolean' } }, ['option name "2x" is not an identifier (letters, digits, _; not starting with a digit)']],
  ])('%j', (declarations, problems) => {
    expect(declarationProblems(declarations)).toEqual(problems);
  });
});
