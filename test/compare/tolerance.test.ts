// Tolerances: the --tol syntax, the tolerance file format, precedence, and exact error messages.
import * as path from 'path';
import { ConfigError } from '../../src/errors';
import {
  DEFAULT_TOLERANCES,
  DIRECTIONS,
  METRICS,
  TOLERANCE_KINDS,
  describeTolerance,
  parseTolFlag,
  readToleranceFile,
  resolveTolerances,
} from '../../src/compare/tolerance';

// The lists messages quote, from the tolerance module's own tables.
const KINDS = TOLERANCE_KINDS.join(', ');
const KNOWN_DIRECTIONS = DIRECTIONS.join(', ');

const bad = path.join(__dirname, '..', 'fixtures', 'compare', 'bad');

describe('parseTolFlag', () => {
  test.each([
    ['final_test_accuracy=abs:0.005:no-drop', 'final_test_accuracy', { kind: 'abs', value: 0.005, direction: 'no-drop' }],
    ['final_test_loss=rel:5%', 'final_test_loss', { kind: 'rel', value: 0.05, direction: 'no-rise' }],
    ['final_test_loss=rel:0.1:both', 'final_test_loss', { kind: 'rel', value: 0.1, direction: 'both' }],
    ['step0_preactivation_l2=factor:3', 'step0_preactivation_l2', { kind: 'factor', value: 3, direction: 'both' }],
    ['best_epoch=abs:1', 'best_epoch', { kind: 'abs', value: 1, direction: 'both' }],
    ['wall_s=off', 'wall_s', null],
  ])('%s', (text, metric, tolerance) => {
    expect(parseTolFlag(text)).toEqual({ metric, tolerance });
  });

  test.each([
    [
      'final_test_loss',
      '--tol "final_test_loss": expected metric=kind:value[:direction], e.g. final_test_accuracy=abs:0.005:no-drop, final_test_loss=rel:5%, step0_preactivation_l2=factor:2, wall_s=off',
    ],
    ['final_test_loss=ref:0.05', `--tol "final_test_loss=ref:0.05": unknown tolerance kind "ref" — did you mean "rel"? Known: ${KINDS}`],
    ['final_test_loss=rel:0.05:up', `--tol "final_test_loss=rel:0.05:up": unknown direction "up". Known: ${KNOWN_DIRECTIONS}`],
    ['final_test_loss=rel:-0.05', '--tol "final_test_loss=rel:-0.05": expected a number >= 0, received "-0.05"'],
    ['final_test_loss=rel:x', '--tol "final_test_loss=rel:x": expected a number >= 0, received "x"'],
    [
      'step0_preactivation_l2=factor:0.5',
      '--tol "step0_preactivation_l2=factor:0.5": a factor must be >= 1 (2 means within x0.5..x2), received "0.5"',
    ],
    ['final_test_loss=abs:5%', '--tol "final_test_loss=abs:5%": a percentage is only meaningful for rel, received "5%" for abs'],
    ['zzz=abs:1', `--tol "zzz=abs:1": unknown metric "zzz". Known: ${METRICS.join(', ')}`],
  ])('rejects %s', (text, message) => {
    expect(() => parseTolFlag(text)).toThrow(ConfigError);
    expect(() => parseTolFlag(text)).toThrow(message);
  });
});

describe('tolerance files', () => {
  test('the example file parses into kinds, values and directions', () => {
    expect(readToleranceFile(path.join(__dirname, '..', 'fixtures', 'compare', 'tolerances.yaml'))).toEqual({
      final_test_accuracy: { kind: 'abs', value: 0.001, direction: 'no-drop' },
      final_train_loss: { kind: 'rel', value: 0.1, direction: 'no-rise' },
      wall_s: { kind: 'rel', value: 0.5, direction: 'no-rise' },
      step0_preactivation_l2: null,
    });
  });

  test.each([
    [
      'error_unknown_metric.yaml',
      `: unknown metric "final_test_acuracy" — did you mean "final_test_accuracy"? Known: ${METRICS.join(', ')}`,
    ],
    ['error_two_kinds.yaml', `: final_test_loss: expected exactly one of ${KINDS}, received abs and rel`],
    [
      'error_direction.yaml',
      `: final_test_loss.direction: unknown direction "no-rse" — did you mean "no-rise"? Known: ${KNOWN_DIRECTIONS}`,
    ],
    ['error_not_mapping.yaml', ': expected a mapping of metric names to tolerances, received a list'],
  ])('%s is refused with the file, key and fix', (file, message) => {
    const full = path.join(bad, file);
    expect(() => readToleranceFile(full)).toThrow(ConfigError);
    expect(() => readToleranceFile(full)).toThrow(`${full}${message}`);
  });

  test('a missing file names the flag', () => {
    expect(() => readToleranceFile('no/such.yaml')).toThrow(new ConfigError('no/such.yaml: cannot read the tolerance file: no such file.'));
  });
});

describe('resolveTolerances', () => {
  test('defaults: accuracies may drop 0.5 points, losses may rise 5%, gradients within a factor of 2', () => {
    expect(resolveTolerances({}, [])).toEqual(DEFAULT_TOLERANCES);
    expect(Object.entries(DEFAULT_TOLERANCES).map(([metric, t]) => `${metric} ${describeTolerance(t)}`)).toEqual([
      'final_train_loss rel 5% no-rise',
      'final_test_loss rel 5% no-rise',
      'final_test_accuracy abs 0.005 no-drop',
      'best_test_accuracy abs 0.005 no-drop',
      'step0_preactivation_l2 factor 2 both',
    ]);
  });

  test('file entries replace defaults, flags replace file entries, off removes', () => {
    const resolved = resolveTolerances({ final_test_loss: { kind: 'abs', value: 0.1, direction: 'both' }, best_test_accuracy: null }, [
      'final_test_loss=rel:1%',
      'final_train_loss=off',
    ]);
    expect(resolved).toEqual({
      final_test_loss: { kind: 'rel', value: 0.01, direction: 'no-rise' },
      final_test_accuracy: { kind: 'abs', value: 0.005, direction: 'no-drop' },
      step0_preactivation_l2: { kind: 'factor', value: 2, direction: 'both' },
    });
  });
});
