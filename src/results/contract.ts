// The output files are a contract: file names, column names and order, shared by writer, report, compare and merge.

/** File and folder names inside a results folder. */
export const Files = {
  experiment: 'experiment.json',
  manifest: 'manifest.json',
  summary: 'summary.csv',
  runsDir: 'runs',
  metrics: 'metrics.csv',
  gradients: 'gradients.csv',
  modelInit: 'model-init',
  model: 'model',
  checkpoint: 'checkpoint',
} as const;

/**
 * summary.csv: one row per run. The first 18 columns are fixed by the contract; the rest follow in this order.
 * `hidden` is the hidden sizes joined by "-" (e.g. "100-30"), empty for no hidden layer; for a layer stack, its
 * layers as tokens joined by "-" (e.g. "conv6@5x5/same-maxpool2x2-flatten-120", see docs/cnn.md).
 */
export const SUMMARY_COLUMNS = [
  'run_id',
  'name',
  'seed',
  'hidden',
  'hidden_activation',
  'output_activation',
  'loss',
  'optimizer',
  'learning_rate',
  'batch_size',
  'epochs',
  'status',
  'final_train_loss',
  'final_test_loss',
  'final_test_accuracy',
  'best_test_accuracy',
  'best_epoch',
  'wall_s',
  // Extras, after the contract columns.
  'loss_gradient',
  'kernel_initializer',
  'final_validation_accuracy',
  'diverged_step',
  'steps',
  'backend',
  'config_hash',
] as const;
export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];
export type SummaryRow = Record<SummaryColumn, string | number>;

/** metrics.csv: one row per epoch; epoch 0 is before training. Validation cells are empty without a validation split. */
export const METRICS_COLUMNS = [
  'epoch',
  'step',
  'train_loss',
  'train_accuracy',
  'validation_loss',
  'validation_accuracy',
  'test_loss',
  'test_accuracy',
  'wall_s',
] as const;
export type MetricsColumn = (typeof METRICS_COLUMNS)[number];
export type MetricsRow = Record<MetricsColumn, string | number>;

/**
 * gradients.csv: one row per (recorded step, layer, tensor). `layer` counts the layers with parameters from 0 at the
 * input side (pooling, flatten and dropout have none, so no rows); `tensor` is kernel, bias or preactivation.
 * `saturated_fraction` is filled for preactivation rows only: the fraction of units (for conv2d, of all N×H×W×C)
 * whose activation derivative is below 1% of its maximum (sigmoid/tanh) or zero (relu). `layer_kind` is dense or
 * conv2d; files written before it existed have no such column and hold dense layers only.
 */
export const GRADIENT_COLUMNS = ['step', 'epoch', 'layer', 'tensor', 'l2', 'mean_abs', 'max_abs', 'saturated_fraction', 'layer_kind'] as const;
export type GradientColumn = (typeof GRADIENT_COLUMNS)[number];
export type GradientRow = Record<GradientColumn, string | number>;
export const GRADIENT_TENSORS = ['kernel', 'bias', 'preactivation'] as const;
export type GradientTensor = (typeof GRADIENT_TENSORS)[number];

/** Columns whose values are timings; everything else must be byte-identical between identical runs. */
export function isTimingColumn(column: string): boolean {
  return column === 'wall_s' || column.endsWith('_s');
}

/** Status of one run in manifest.json and summary.csv. */
export const RUN_STATUSES = ['pending', 'running', 'complete', 'diverged', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** manifest.json: provenance of a results folder and the status of each run. */
export interface Manifest {
  losslab: string;
  node: string;
  tfjs: string;
  backend: string;
  experimentName: string;
  experimentHash: string;
  startedAt: string;
  endedAt: string | null;
  runs: Record<string, ManifestRun>;
}
export interface ManifestRun {
  status: RunStatus;
  configHash: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Last completed epoch (0 = only the evaluation before training). */
  epochsDone: number;
  /** The step at which a NaN/Inf stopped the run. */
  divergedStep?: number;
  /** What stopped a failed run. */
  error?: string;
  /** Present when the folder was produced by `losslab merge`: the shard folder the run came from. */
  shard?: string;
}

/** experiment.json: the resolved experiment, every default filled in, every run listed. */
export interface ExperimentRecord {
  name: string;
  description: string;
  /** The source file as given on the command line. */
  source: string;
  /** Hash of the resolved runs; equal hashes mean the same experiment. */
  hash: string;
  dataset: unknown;
  /** Dotted keys a grid varies over, in grid order (empty without a grid). */
  gridKeys: string[];
  reference?: unknown;
  /** The experiment file's `report` block ({reference?, interval}), when it has one. */
  report?: unknown;
  runs: ExperimentRunRecord[];
}
export interface ExperimentRunRecord {
  id: string;
  name: string;
  seed: number;
  configHash: string;
  /** Values of the grid keys for this run, keyed by dotted key. */
  gridValues: Record<string, unknown>;
  /** The resolved run configuration (see src/config/schema.ts RunConfig). */
  config: unknown;
}

/** Files `losslab anatomy` writes into its output folder. */
export const AnatomyFiles = {
  rows: 'anatomy.csv',
  summary: 'anatomy-summary.csv',
  plot: 'anatomy.svg',
  page: 'anatomy.html',
} as const;

/**
 * anatomy.csv: one row per (pair, sweep, p). `sweep` is `true` (p is the true class's output probability) or `wrong`
 * (p is one wrong class's); the other classes share 1 − p evenly, K = 10. `loss_value` is one example's loss in the
 * pair's reduction; `dLdz_true`, `dLdz_wrong`, `dLdz_other` are ∂L/∂z at the true class's logit, at the swept wrong
 * class's (any wrong class's in the true sweep) and at another wrong class's; `max_abs_dLdz` is maxₖ |∂L/∂zₖ|.
 */
export const ANATOMY_COLUMNS = [
  'pair',
  'output',
  'loss',
  'gradient',
  'sweep',
  'p',
  'loss_value',
  'dLdz_true',
  'dLdz_wrong',
  'dLdz_other',
  'max_abs_dLdz',
] as const;

/**
 * anatomy-summary.csv: one row per pair. `loss_at_wrong`/`loss_at_right` and `grad_at_wrong`/`grad_at_right` are the
 * loss and maxₖ |∂L/∂zₖ| at p_true = 0.01 and 0.99; `grad_peak` is the largest maxₖ |∂L/∂zₖ| over the true sweep;
 * `verdict` is `vanishes` when `wrong_over_peak` = grad_at_wrong / grad_peak is below 0.1, else `holds`.
 */
export const ANATOMY_SUMMARY_COLUMNS = [
  'pair',
  'output',
  'loss',
  'gradient',
  'loss_at_wrong',
  'loss_at_right',
  'grad_at_wrong',
  'grad_at_right',
  'grad_peak',
  'wrong_over_peak',
  'verdict',
] as const;

/** Where `losslab report` looks for anatomy files inside a results folder (written by `losslab anatomy --out`). */
export const ANATOMY_DIR = 'anatomy';
