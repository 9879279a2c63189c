// Loss and accuracy of a model on a whole split, in chunks, with one read from the device at the end.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import { lossValue, type Loss } from '../losses/registry';
import type { Mlp } from '../models/mlp';

export interface Evaluation {
  /** Mean data loss over the split (no L2 term), in the run's reduction. */
  loss: number;
  /** Fraction of examples whose largest output is the target class. */
  accuracy: number;
}

/** Examples per forward pass during evaluation: bounds memory, large enough to keep matMuls efficient. */
const EVAL_CHUNK = 2000;

export function evaluate(mlp: Mlp, split: Split, loss: Loss): Evaluation {
  if (split.size === 0) return { loss: NaN, accuracy: NaN };
  const { featureSize, numClasses } = split;
  const totals = tf.tidy(() => {
    const parts: tf.Scalar[] = [];
    const corrects: tf.Scalar[] = [];
    for (let start = 0; start < split.size; start += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, split.size - start);
      const x = tf.tensor2d(split.features.subarray(start * featureSize, (start + size) * featureSize), [size, featureSize]);
      const labels = tf.tensor1d(Int32Array.from(split.labels.subarray(start, start + size)), 'int32');
      const y = tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D;
      const logits = mlp.logits(x);
      // lossValue is a mean over the chunk; weight it by the chunk size to get the mean over the split.
      parts.push(tf.mul(lossValue(loss, logits, y), size) as tf.Scalar);
      corrects.push(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
    }
    return tf.stack([tf.addN(parts), tf.addN(corrects)]);
  });
  const [lossSum, correct] = totals.dataSync();
  totals.dispose();
  return { loss: lossSum / split.size, accuracy: correct / split.size };
}
