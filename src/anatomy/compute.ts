// The anatomy of an output:loss pair: the loss of one example and its gradient ∂L/∂z at the logits as the output
// probabilities sweep from confidently wrong to confidently right — where Nielsen's learning slowdown shows.
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors';
import { lossWithGradient, reductionConstant, type Loss } from '../losses/registry';
import type { Activation } from '../models/activations';

/** Outputs of the swept example (as in MNIST); the true class is 0, the swept wrong class 1, another wrong class 2. */
export const ANATOMY_CLASSES = 10;
const TRUE = 0;
const WRONG = 1;
const OTHER = 2;

/** The swept probabilities: every 0.005 from 0.005 to 0.995, plus 0.001, 0.002, 0.998 and 0.999 at the ends. */
export const SWEEP: readonly number[] = [0.001, 0.002, ...Array.from({ length: 199 }, (_, i) => (i + 1) / 200), 0.998, 0.999];
/** Where the summary reads the gradient: confidently wrong and confidently right about the true class. */
export const CONFIDENTLY_WRONG = 0.01;
export const CONFIDENTLY_RIGHT = 0.99;
/** The gradient "vanishes" when confidently wrong if its size there is below this fraction of its peak. */
export const VANISHING_RATIO = 0.1;

/** One row of anatomy.csv: a pair at one swept probability (columns documented in docs/losses.md). */
export interface AnatomyRow {
  pair: string;
  output: string;
  loss: string;
  gradient: string;
  /** 'true': p is the true class's probability; 'wrong': p is one wrong class's. The rest is spread evenly. */
  sweep: 'true' | 'wrong';
  p: number;
  /** The loss of the one example, in the pair's reduction over the K outputs (N = 1). */
  loss_value: number;
  /** ∂L/∂z at the true class's logit, at the swept (or, in the true sweep, any) wrong class's, and at another one's. */
  dLdz_true: number;
  dLdz_wrong: number;
  dLdz_other: number;
  /** maxₖ |∂L/∂zₖ|. */
  max_abs_dLdz: number;
}

/** One row of anatomy-summary.csv and of the printed table. */
export interface AnatomySummary {
  pair: string;
  output: string;
  loss: string;
  gradient: string;
  /** The loss at p_true = 0.01 and 0.99. */
  loss_at_wrong: number;
  loss_at_right: number;
  /** maxₖ |∂L/∂zₖ| at p_true = 0.01 and 0.99, and its largest value over the true-class sweep. */
  grad_at_wrong: number;
  grad_at_right: number;
  grad_peak: number;
  /** grad_at_wrong / grad_peak. */
  wrong_over_peak: number;
  /** 'vanishes' when wrong_over_peak < VANISHING_RATIO (learning slows down when confidently wrong), else 'holds'. */
  verdict: 'vanishes' | 'holds';
}

/** Output probabilities [rows, K] of the two sweeps: the swept class at p, every other class at (1 − p)/(K − 1). */
function sweepProbabilities(swept: number): number[][] {
  return SWEEP.map((p) => Array.from({ length: ANATOMY_CLASSES }, (_, k) => (k === swept ? p : (1 - p) / (ANATOMY_CLASSES - 1))));
}

/**
 * Logits z with f(z) = o: the activation's inverse, else the first of log o, o and logit o that f maps back to o
 * (to 1e-4). An activation none of these place is refused with what to export.
 */
function placeLogits(output: Activation, probabilities: number[][]): tf.Tensor2D {
  const o = tf.tensor2d(probabilities);
  const candidates: ((o: tf.Tensor2D) => tf.Tensor)[] = [
    ...(output.inverse ? [output.inverse] : []),
    (x) => tf.log(x),
    (x) => x.clone(),
    (x) => tf.log(tf.div(x, tf.sub(1, x))),
  ];
  try {
    for (const candidate of candidates) {
      const z = tf.tidy(() => candidate(o)) as tf.Tensor2D;
      const deviation = tf.tidy(() => tf.max(tf.abs(tf.sub(output.apply(z), o))).dataSync()[0]);
      if (deviation <= 1e-4) return z;
      z.dispose();
    }
  } finally {
    o.dispose();
  }
  throw new ConfigError(
    `output activation "${output.name}": losslab anatomy cannot find logits whose outputs are the swept probabilities (tried log o, o and logit o); export inverse(o, context) from the module.`,
  );
}

/** The rows of one sweep for a bound loss: per-example loss and ∂L/∂z, read from the device once. */
function sweepRows(pair: string, loss: Loss, sweep: 'true' | 'wrong'): AnatomyRow[] {
  const output = loss.context.output;
  const probabilities = sweepProbabilities(sweep === 'true' ? TRUE : WRONG);
  const rows = probabilities.length;
  const z = placeLogits(output, probabilities);
  const t = tf.tidy(() => tf.oneHot(tf.fill([rows], TRUE, 'int32') as tf.Tensor1D, ANATOMY_CLASSES).toFloat() as tf.Tensor2D);
  // The reduction of one example: c = scale / (K if mean, else 1), the batch's 1/N undone by summing N rows.
  const perExample = reductionConstant(1, ANATOMY_CLASSES, loss);
  const [values, gradients] = tf.tidy(() => {
    const value = tf.mul(tf.sum(loss.definition.terms(z, t, loss.context), 1), perExample);
    const grad = tf.grad((logits: tf.Tensor) => tf.mul(lossWithGradient(loss, logits as tf.Tensor2D, t), rows))(z);
    return [value, grad];
  });
  const valueData = values.dataSync();
  const gradData = gradients.dataSync();
  tf.dispose([z, t, values, gradients]);
  const label = { pair, output: output.name, loss: loss.label, gradient: loss.gradient };
  return SWEEP.map((p, row) => {
    const g = gradData.subarray(row * ANATOMY_CLASSES, (row + 1) * ANATOMY_CLASSES);
    return {
      ...label,
      sweep,
      p,
      loss_value: valueData[row],
      dLdz_true: g[TRUE],
      dLdz_wrong: g[WRONG],
      dLdz_other: g[OTHER],
      max_abs_dLdz: Math.max(...Array.from(g, Math.abs)),
    };
  });
}

/** Both sweeps of a pair and its summary. */
export function anatomyOf(pair: string, loss: Loss): { rows: AnatomyRow[]; summary: AnatomySummary } {
  const rows = [...sweepRows(pair, loss, 'true'), ...sweepRows(pair, loss, 'wrong')];
  const trueSweep = rows.filter((r) => r.sweep === 'true');
  const at = (p: number) => trueSweep.find((r) => r.p === p)!;
  const peak = Math.max(...trueSweep.map((r) => r.max_abs_dLdz));
  const wrongOverPeak = peak > 0 ? at(CONFIDENTLY_WRONG).max_abs_dLdz / peak : 0;
  return {
    rows,
    summary: {
      pair,
      output: rows[0].output,
      loss: rows[0].loss,
      gradient: rows[0].gradient,
      loss_at_wrong: at(CONFIDENTLY_WRONG).loss_value,
      loss_at_right: at(CONFIDENTLY_RIGHT).loss_value,
      grad_at_wrong: at(CONFIDENTLY_WRONG).max_abs_dLdz,
      grad_at_right: at(CONFIDENTLY_RIGHT).max_abs_dLdz,
      grad_peak: peak,
      wrong_over_peak: wrongOverPeak,
      verdict: wrongOverPeak < VANISHING_RATIO ? 'vanishes' : 'holds',
    },
  };
}
