// Loss and accuracy of a model on a whole split, in chunks, with one read from the device at the end.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import { lossValue, type Loss } from '../losses/registry';
import type { Model } from '../models/model';
import { evaluationChunkRows } from '../models/size';

export interface Evaluation {
  /** Mean data loss over the split (no L2 term), in the run's reduction. */
  loss: number;
  /** Fraction of examples whose largest output is the target class. */
  accuracy: number;
}

/**
 * Examples per evaluation pass for `model`: up to 2000, fewer when its activations per example are large (the rule
 * lives in models/size.ts, so the memory estimate at validation counts the chunk this uses).
 */
export function evaluationChunk(model: Model): number {
  return evaluationChunkRows(model.activationSize);
}

export function evaluate(model: Model, split: Split, loss: Loss): Evaluation {
  if (split.size === 0) return { loss: NaN, accuracy: NaN };
  const { featureSize, numClasses } = split;
  const chunk = evaluationChunk(model);
  const parts: tf.Scalar[] = [];
  const corrects: tf.Scalar[] = [];
  // A tidy per chunk: only the two scalars of each chunk outlive it, so memory stays that of one chunk.
  for (let start = 0; start < split.size; start += chunk) {
    const size = Math.min(chunk, split.size - start);
    const [part, correct] = tf.tidy(() => {
      const x = tf.tensor2d(split.features.subarray(start * featureSize, (start + size) * featureSize), [size, featureSize]);
      const labels = tf.tensor1d(Int32Array.from(split.labels.subarray(start, start + size)), 'int32');
      const y = tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D;
      const logits = model.logits(x);
      // lossValue is a mean over the chunk; weight it by the chunk size to get the mean over the split.
      return [
        tf.mul(lossValue(loss, logits, y), size) as tf.Scalar,
        tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar,
      ];
    });
    parts.push(part);
    corrects.push(correct);
  }
  const totals = tf.tidy(() => tf.stack([tf.addN(parts), tf.addN(corrects)]));
  tf.dispose([...parts, ...corrects]);
  const [lossSum, correctCount] = totals.dataSync();
  totals.dispose();
  return { loss: lossSum / split.size, accuracy: correctCount / split.size };
}
