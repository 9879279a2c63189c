// "Did you mean": the same name spelt differently, an abbreviation, some of its words, or a close typo — and nothing
// for one- and two-letter names that any two names are one edit apart from (lr is not l2).
import { LOSS_NAMES } from '../../src/losses/registry';
import { OPTIMIZER_NAMES } from '../../src/optimizers/registry';
import { keysAt, leafKeys } from '../../src/config/schema-walk';
import { RunSchema } from '../../src/config/schema';
import { closest, editDistance } from '../../src/util/did-you-mean';

const RUN_KEYS = keysAt(RunSchema, []);
const OPTIMIZER_KEYS = keysAt(RunSchema, ['optimizer']);

test.each<[string, readonly string[], string | undefined]>([
  ['lr', OPTIMIZER_KEYS, 'learningRate'],
  ['lr', RUN_KEYS, undefined],
  ['LR', OPTIMIZER_KEYS, 'learningRate'],
  ['learning_rate', OPTIMIZER_KEYS, 'learningRate'],
  ['learningrate', OPTIMIZER_KEYS, 'learningRate'],
  ['learnignRate', OPTIMIZER_KEYS, 'learningRate'],
  ['bs', RUN_KEYS, 'batchSize'],
  ['batch-size', RUN_KEYS, 'batchSize'],
  ['L2', RUN_KEYS, 'l2'],
  ['l1', RUN_KEYS, undefined],
  ['ce', LOSS_NAMES, 'cross-entropy'],
  ['bce', LOSS_NAMES, 'binary-cross-entropy'],
  ['cross-entropi', LOSS_NAMES, 'cross-entropy'],
  ['adma', OPTIMIZER_NAMES, 'adam'],
  ['rmsporp', OPTIMIZER_NAMES, 'rmsprop'],
  ['dropout', RUN_KEYS, undefined],
  ['rate', OPTIMIZER_KEYS, 'learningRate'],
  ['', RUN_KEYS, undefined],
])('closest(%j) = %j', (received, known, expected) => {
  expect(closest(received, known)).toBe(expected);
});

test('a misplaced key is found among the settings below, by its own name', () => {
  const dotted = leafKeys(RunSchema).filter((key) => key.includes('.'));
  expect(closest('lr', dotted)).toBe('optimizer.learningRate');
});

test.each([
  ['adam', 'adma', 1],
  ['abc', 'abc', 0],
  ['kitten', 'sitting', 3],
  ['', 'abc', 3],
  ['ab', 'ba', 1],
])('editDistance(%j, %j) = %d (a swap of neighbours costs 1)', (a, b, distance) => {
  expect(editDistance(a, b)).toBe(distance);
});
