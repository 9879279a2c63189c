// Checks a loss or output-activation module on probe batches before any training: the tensors it returns, their
// shape and finiteness (also at logits of ±30), its gradients against finite differences and autodiff, and leaks.
import * as tf from '@tensorflow/tfjs';
import type { OutputActivationModule, Tensor2D } from './contract';
import { ModuleCallError } from './load';
import { lossValue, type Loss } from '../losses/registry';
import type { Activation } from '../models/activations';

/** The probe batches: N examples × K outputs (K as in MNIST). */
export const PROBE_EXAMPLES = 4;
export const PROBE_CLASSES = 10;
/** Largest |z| of the extreme probe: confident right, confident wrong, ties, alternating signs. */
export const EXTREME_LOGIT = 30;

/**
 * Tolerances, stated in docs/losses.md:
 * - a closed form (gradZ, vjp, derivative, the chain through gradO) against autodiff: max |closed − autodiff| ≤
 *   1e-5 · max |autodiff| (plus 1e-30, for a gradient that is zero everywhere), both float32;
 * - autodiff against central finite differences along a direction d (the gradient's own and two fixed ones), float32:
 *   |fd − ⟨∇, d⟩| ≤ 1e-2 · |⟨∇, d⟩| + 1e-3 · ‖∇‖ + 4e-7 · (1 + Σ|E|) / h, at h = 1e-2 or h = 1e-3 (whichever agrees:
 *   a step that crosses a kink of the loss misses at one of them). The last term is float32 rounding of the sum.
 */
export const TOLERANCES = {
  closedFormRelative: 1e-5,
  finiteDifferenceRelative: 1e-2,
  finiteDifferenceOfNorm: 1e-3,
  finiteDifferenceRounding: 4e-7,
  finiteDifferenceSteps: [1e-2, 1e-3],
} as const;

const RELATIVE = TOLERANCES.closedFormRelative.toExponential();

/** A failed check, as a sentence naming the check and the numbers; `part` is the module it is about. */
export class CheckFailure extends Error {
  part: 'loss' | 'output activation' = 'loss';
}

/** What to check: a run's loss bound to its output activation, and which of the two are a user's modules. */
export interface CheckSubject {
  loss: Loss;
  output: Activation;
  /** The loss is a module: check its terms, gradZ and gradO. */
  lossIsModule: boolean;
  /** The output activation's module definition, when it is one: check apply, derivative, vjp, inverse. */
  outputModule?: OutputActivationModule;
}

type Probe = { name: string; z: Tensor2D; t: Tensor2D };

/** Runs every check that applies to `subject`; throws CheckFailure on the first that fails. Leaves no tensor behind. */
export function checkModules(subject: CheckSubject): string[] {
  const probes = [ordinaryProbe(), extremeProbe()];
  try {
    const passed: string[] = [];
    if (subject.outputModule) {
      try {
        passed.push(...checkActivation(subject.output, subject.outputModule, probes).map((line) => `output activation ${line}`));
      } catch (error) {
        if (error instanceof CheckFailure) error.part = 'output activation';
        throw error;
      }
    }
    passed.push(...checkLoss(subject, probes));
    return passed;
  } finally {
    for (const p of probes) tf.dispose([p.z, p.t]);
  }
}

/** Logits in [−3, 3] kept 0.05 away from −1, 0 and 1 (the kinks of the built-in hinge and mae), one-hot targets. */
function ordinaryProbe(): Probe {
  const z: number[][] = [];
  for (let n = 0; n < PROBE_EXAMPLES; n++) {
    z.push(
      Array.from({ length: PROBE_CLASSES }, (_, k) => {
        const value = 3 * Math.sin(1.7 * n + 2.3 * k + 0.5);
        return [-1, 0, 1].some((kink) => Math.abs(value - kink) < 0.05) ? value + 0.1 : value;
      }),
    );
  }
  return { name: `ordinary probe (${PROBE_EXAMPLES}×${PROBE_CLASSES} logits in [−3, 3])`, z: tf.tensor2d(z), t: targets() };
}

/** Rows: confidently right, confidently wrong, every logit tied at +30, and alternating ±30. */
function extremeProbe(): Probe {
  const L = EXTREME_LOGIT;
  const z = Array.from({ length: PROBE_EXAMPLES }, (_, n) =>
    Array.from({ length: PROBE_CLASSES }, (_, k) => {
      const label = labelOf(n);
      if (n === 0) return k === label ? L : -L;
      if (n === 1) return k === (label + 1) % PROBE_CLASSES ? L : -L;
      if (n === 2) return L;
      return k % 2 === 0 ? L : -L;
    }),
  );
  return { name: `extreme probe (logits of ±${L})`, z: tf.tensor2d(z), t: targets() };
}

const labelOf = (n: number) => (3 * n + 1) % PROBE_CLASSES;
const targets = () =>
  tf.tensor2d(
    Array.from({ length: PROBE_EXAMPLES }, (_, n) => Array.from({ length: PROBE_CLASSES }, (_, k) => (k === labelOf(n) ? 1 : 0))),
  );

function checkLoss(subject: CheckSubject, probes: Probe[]): string[] {
  const { loss } = subject;
  const { definition, context } = loss;
  const passed: string[] = [];
  const sumTerms = (z: Tensor2D, t: Tensor2D) => tf.sum(lossValue({ ...loss, outputs: 'sum', scale: z.shape[0] }, z, t)) as tf.Scalar;
  for (const probe of probes) {
    const terms = readMatrix(`terms() on the ${probe.name}`, () => definition.terms(probe.z, probe.t, context), probe.z.shape);
    expectFinite(terms, `terms() on the ${probe.name}`, probe);
    const { value, grad } = gradientOf(`autodiff ∂L/∂z on the ${probe.name}`, sumTerms, probe);
    if (!Number.isFinite(value)) throw new CheckFailure(`the loss is ${value} on the ${probe.name}: it must be finite for finite logits.`);
    expectFinite(grad, `autodiff ∂L/∂z on the ${probe.name}`);
  }
  passed.push('terms: shape [N,K], finite, and finite autodiff gradients on the ordinary and the extreme probe');
  passed.push(finiteDifferenceCheck('autodiff ∂L/∂z', sumTerms, probes[0]));

  const { gradZ, gradO } = definition;
  if (subject.lossIsModule && gradZ) {
    for (const probe of probes) {
      const autodiff = gradientOf(`autodiff ∂L/∂z on the ${probe.name}`, sumTerms, probe).grad;
      const closed = readMatrix(`gradZ() on the ${probe.name}`, () => gradZ(probe.z, probe.t, context), probe.z.shape);
      compareClosedForm(`closed form gradZ() against autodiff ∂L/∂z on the ${probe.name}`, closed, autodiff);
    }
    passed.push(`gradZ: agrees with autodiff to ${RELATIVE} relative on both probes`);
  }
  if (subject.lossIsModule && gradO) {
    for (const probe of probes) {
      const autodiff = gradientOf(`autodiff ∂L/∂z on the ${probe.name}`, sumTerms, probe).grad;
      const chained = readMatrix(
        `gradO() on the ${probe.name}`,
        () =>
          tf.tidy(() => {
            const upstream = tf.tidy(() => gradO(context.output.apply(probe.z), probe.t, context));
            expectMatrix(upstream, `gradO() on the ${probe.name}`, probe.z.shape);
            return tf.grad((z: tf.Tensor) => tf.sum(tf.mul(context.output.apply(z as Tensor2D), upstream)))(probe.z) as Tensor2D;
          }),
        probe.z.shape,
      );
      compareClosedForm(
        `gradO() sent back through the output activation (Jᵀ·∂E/∂o) against autodiff ∂L/∂z on the ${probe.name}`,
        chained,
        autodiff,
      );
    }
    passed.push(`gradO: through the output activation, agrees with autodiff to ${RELATIVE} relative`);
  }
  if (subject.lossIsModule) {
    const probe = probes[0];
    expectNoLeak('terms()', () => definition.terms(probe.z, probe.t, context));
    if (gradZ) expectNoLeak('gradZ()', () => gradZ(probe.z, probe.t, context));
    if (gradO) expectNoLeak('gradO()', () => tf.tidy(() => gradO(context.output.apply(probe.z), probe.t, context)));
    expectNoLeak('the loss and its autodiff gradient', () =>
      tf.tidy(() => tf.grad((z: tf.Tensor) => sumTerms(z as Tensor2D, probe.t))(probe.z)),
    );
    passed.push('no tensor leaks across calls');
  }
  return passed;
}

function checkActivation(output: Activation, module: OutputActivationModule, probes: Probe[]): string[] {
  const passed: string[] = [];
  for (const probe of probes) {
    const a = readMatrix(`apply() on the ${probe.name}`, () => output.apply(probe.z), probe.z.shape);
    expectFinite(a, `apply() on the ${probe.name}`);
  }
  passed.push('apply: shape [N,K] and finite on the ordinary and the extreme probe');
  // A fixed weighting w of the outputs turns f into a scalar whose gradient is the autodiff vjp Jᵀw.
  const probe = probes[0];
  const weights = tf.tensor2d(
    Array.from({ length: PROBE_EXAMPLES }, (_, n) => Array.from({ length: PROBE_CLASSES }, (_, k) => Math.cos(n + 3.1 * k))),
  );
  try {
    const weighted = (z: Tensor2D) => tf.sum(tf.mul(output.apply(z), weights)) as tf.Scalar;
    passed.push(finiteDifferenceCheck('autodiff of the output activation', weighted, probe));
    const autodiffVjp = gradientOf('autodiff Jᵀw of apply()', weighted, probe).grad;
    if (module.vjp) {
      const closed = readMatrix('vjp()', () => output.vjp(probe.z, output.apply(probe.z), weights), probe.z.shape);
      compareClosedForm('vjp() against autodiff of apply()', closed, autodiffVjp);
      passed.push(`vjp: agrees with autodiff to ${RELATIVE} relative`);
    }
    if (module.derivative) {
      const closed = readMatrix('derivative()', () => output.derivative!(probe.z, output.apply(probe.z)), probe.z.shape);
      compareClosedForm(
        `derivative() against autodiff ${module.elementwise ? 'f′(z)' : "(the Jacobian's diagonal ∂aₖ/∂zₖ)"}`,
        closed,
        jacobianDiagonal(output, probe.z),
      );
      passed.push(`derivative: agrees with autodiff to ${RELATIVE} relative`);
    }
    if (module.inverse) {
      const back = readMatrix(
        'apply(inverse(o))',
        () => tf.tidy(() => output.apply(output.inverse!(output.apply(probe.z)))),
        probe.z.shape,
      );
      const o = readMatrix('apply()', () => output.apply(probe.z), probe.z.shape);
      const deviation = maxAbsDifference(back, o);
      if (!(deviation <= 1e-4))
        throw new CheckFailure(`inverse(): apply(inverse(o)) differs from o by up to ${format(deviation)} (> 1e-4).`);
      passed.push('inverse: apply(inverse(o)) = o to 1e-4');
    }
    expectNoLeak('apply()', () => output.apply(probe.z));
    if (module.derivative) expectNoLeak('derivative()', () => tf.tidy(() => output.derivative!(probe.z, output.apply(probe.z))));
    if (module.vjp) expectNoLeak('vjp()', () => tf.tidy(() => output.vjp(probe.z, output.apply(probe.z), weights)));
    passed.push('no tensor leaks across calls');
  } finally {
    weights.dispose();
  }
  return passed;
}

/** ∂aₖ/∂zₖ for every example and output, by one autodiff pass per output (rows are independent). */
function jacobianDiagonal(output: Activation, z: Tensor2D): Float32Array {
  const [n, k] = z.shape;
  const diagonal = new Float32Array(n * k);
  for (let column = 0; column < k; column++) {
    const grad = tf.tidy(() => tf.grad((zz: tf.Tensor) => tf.sum(tf.slice(output.apply(zz as Tensor2D), [0, column], [n, 1])))(z));
    const values = grad.dataSync();
    grad.dispose();
    for (let row = 0; row < n; row++) diagonal[row * k + column] = values[row * k + column];
  }
  return diagonal;
}

/** The value and autodiff gradient of a scalar function of z, read from the device. */
function gradientOf(what: string, f: (z: Tensor2D, t: Tensor2D) => tf.Scalar, probe: Probe): { value: number; grad: Float32Array } {
  return call(what, () => {
    // allowNoGradients: a loss with no path from z gives a null gradient instead of a throw that would strand the
    // tensors tfjs saved for the backward pass.
    const { value, grads } = tf.tidy(() => tf.engine().gradients(() => f(probe.z, probe.t), [probe.z], undefined, true));
    const grad = grads[0] as tf.Tensor | undefined;
    try {
      if (!grad) throw new CheckFailure(`${what}: autodiff finds no path from the logits to the loss. ${DETACHED}`);
      return { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
    } finally {
      tf.dispose([value, ...grads.filter(Boolean)]);
    }
  });
}

function valueAt(f: (z: Tensor2D, t: Tensor2D) => tf.Scalar, z: Tensor2D, t: Tensor2D): number {
  const value = tf.tidy(() => f(z, t));
  const result = value.dataSync()[0];
  value.dispose();
  return result;
}

/**
 * Directional central differences S(z ± h·d) against ⟨∇S, d⟩ by autodiff, along the gradient and two fixed
 * directions, in float32 (see TOLERANCES).
 */
function finiteDifferenceCheck(what: string, f: (z: Tensor2D, t: Tensor2D) => tf.Scalar, probe: Probe): string {
  const { value, grad } = gradientOf(`${what} on the ${probe.name}`, f, probe);
  const norm = Math.hypot(...grad);
  const size = grad.length;
  const fixed = (phase: number) => normalise(Float32Array.from({ length: size }, (_, i) => Math.sin(phase * (i + 1) + 0.3)));
  const directions: [string, Float32Array][] = [
    ...(norm > 0 ? [['the gradient', normalise(grad)] as [string, Float32Array]] : []),
    ['a fixed direction', fixed(1.234)],
    ['a second fixed direction', fixed(2.718)],
  ];
  const magnitude = 1 + Math.abs(value);
  let worst = 0;
  for (const [name, d] of directions) {
    const along = d.reduce((s, di, i) => s + di * grad[i], 0);
    const misses: string[] = [];
    let agreed = false;
    for (const h of TOLERANCES.finiteDifferenceSteps) {
      const fd = call(`${what} at z ± h·d`, () => {
        const [plus, minus] = tf.tidy(() => {
          const step = tf.mul(tf.tensor2d(d, probe.z.shape), h);
          return [tf.add(probe.z, step), tf.sub(probe.z, step)] as Tensor2D[];
        });
        try {
          return (valueAt(f, plus, probe.t) - valueAt(f, minus, probe.t)) / (2 * h);
        } finally {
          tf.dispose([plus, minus]);
        }
      });
      const allowed =
        TOLERANCES.finiteDifferenceRelative * Math.abs(along) +
        TOLERANCES.finiteDifferenceOfNorm * norm +
        (TOLERANCES.finiteDifferenceRounding * magnitude) / h;
      const miss = Math.abs(fd - along);
      if (miss <= allowed) {
        agreed = true;
        worst = Math.max(worst, miss / allowed);
        break;
      }
      misses.push(`h = ${h}: finite difference ${format(fd)}, off by ${format(miss)} > tolerance ${format(allowed)}`);
    }
    if (!agreed) {
      throw new CheckFailure(
        `${what} disagrees with central finite differences along ${name} on the ${probe.name}: autodiff gives ${format(along)}; ${misses.join('; ')}. ${DETACHED}`,
      );
    }
  }
  return `${what}: agrees with central finite differences along ${directions.length} directions (at most ${(worst * 100).toFixed(0)}% of the tolerance)`;
}

function normalise(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function compareClosedForm(what: string, closed: Float32Array, autodiff: Float32Array): void {
  expectFinite(closed, what);
  const scale = Math.max(...autodiff.map(Math.abs));
  const deviation = maxAbsDifference(closed, autodiff);
  const allowed = TOLERANCES.closedFormRelative * scale + 1e-30;
  if (!(deviation <= allowed)) {
    const ratio = ratioHint(closed, autodiff);
    throw new CheckFailure(
      `${what}: max |closed form − autodiff| = ${format(deviation)} > ${RELATIVE} × max |autodiff| = ${format(allowed)}${ratio}.`,
    );
  }
}

/** " (the closed form is 2× autodiff everywhere)" when the two differ by one constant factor. */
function ratioHint(closed: Float32Array, autodiff: Float32Array): string {
  const ratios = [...closed].map((c, i) => (Math.abs(autodiff[i]) > 1e-6 ? c / autodiff[i] : NaN)).filter(Number.isFinite);
  if (ratios.length === 0) return '';
  const first = Number(ratios[0].toPrecision(4));
  if (first === 1 || !ratios.every((r) => Math.abs(r - first) <= 1e-3 * Math.abs(first))) return '';
  return ` (the closed form is ${first}× autodiff everywhere)`;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** Calls `make` in tf.tidy, checks the tensor it returns, reads it and disposes it. */
function readMatrix(what: string, make: () => tf.Tensor, shape: number[]): Float32Array {
  const tensor = call(what, () => tf.tidy(make));
  try {
    expectMatrix(tensor, what, shape);
    return tensor.dataSync() as Float32Array;
  } finally {
    if (tensor instanceof tf.Tensor) tensor.dispose();
  }
}

/** The value must be a float32 tensor of losslab's tf engine with the given shape. */
function expectMatrix(value: unknown, what: string, shape: number[]): void {
  if (!(value instanceof tf.Tensor)) {
    throw new CheckFailure(`${what} returned ${describe(value)}, expected a tensor of shape [${shape.join(',')}].`);
  }
  if (!tf.engine().state.tensorInfo.has(value.dataId)) {
    throw new CheckFailure(
      `${what} returned a tensor that losslab's TensorFlow.js does not hold: the module computes with another copy of @tensorflow/tfjs. Use the tf passed in the context.`,
    );
  }
  const got: readonly number[] = (value as tf.Tensor).shape;
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new CheckFailure(`${what} returned shape [${got.join(',')}], expected [${shape.join(',')}] (N examples × K outputs).`);
  }
  if (value.dtype !== 'float32') throw new CheckFailure(`${what} returned dtype ${value.dtype}, expected float32.`);
}

/** Every entry finite; else a failure naming how many are not, and the first with its logit and target. */
function expectFinite(values: Float32Array, what: string, probe?: Probe): void {
  const index = values.findIndex((v) => !Number.isFinite(v));
  if (index < 0) return;
  const bad = values.filter((v) => !Number.isFinite(v)).length;
  const [n, k] = [Math.floor(index / PROBE_CLASSES), index % PROBE_CLASSES];
  const at = probe ? ` (z = ${probe.z.dataSync()[index]}, t = ${probe.t.dataSync()[index]})` : '';
  const hint = probe
    ? ' Compute from the logits (log softmax, log1p(exp(−|z|))) rather than from probabilities, which round to exactly 0 or 1 in float32.'
    : '';
  throw new CheckFailure(
    `${what} is not finite: ${bad} of ${values.length} entries; the first is ${values[index]} at [${n},${k}]${at}.${hint}`,
  );
}

/** Three calls: after the first (which may build constants it keeps), the tensor count must stay put. */
function expectNoLeak(what: string, make: () => tf.Tensor): void {
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    call(what, () => tf.tidy(make)).dispose();
    counts.push(tf.memory().numTensors);
  }
  if (counts[2] > counts[0]) {
    throw new CheckFailure(
      `${what} leaks ${(counts[2] - counts[0]) / 2} tensor(s) per call (tf.memory().numTensors after 3 calls: ${counts.join(', ')}). The harness runs each call in tf.tidy, which frees what a call makes; tf.keep, tf.variable or a tensor stored between calls survives it.`,
    );
  }
}

/** Runs a step of a check; an exception in the module's code becomes a CheckFailure naming the module's line. */
function call<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof CheckFailure) throw error;
    if (error instanceof ModuleCallError) throw new CheckFailure(`${error.message} (while checking ${what})`, { cause: error });
    const err = error as Error;
    throw new CheckFailure(`${what} failed: ${err?.message?.split('\n')[0] ?? String(error)}`, { cause: error });
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a plain array';
  if (typeof value === 'object') return 'an object that is not a tensor';
  return `a ${typeof value}`;
}

/** Four significant digits; exponent notation below 1e-3. */
const format = (x: number) =>
  !Number.isFinite(x)
    ? String(x)
    : x !== 0 && Math.abs(x) < 1e-3
      ? x.toExponential(3).replace(/\.?0+e/, 'e')
      : Number(x.toPrecision(4)).toString();

const DETACHED =
  'Autodiff follows tensor operations only: a value read with dataSync()/arraySync() and made into a tensor again is a constant to it, and a tf.customGrad replaces the gradient.';
