// The output files are a contract: file names, column names and order, cell types and JSON shapes, shared by the
// writers and by every reader (report, compare, merge, --resume) through src/results/results-folder.ts.
import { z } from 'zod';

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

/**
 * A run id: what `run` makes (a slug of letters, digits, ".", "_" and "-", then -s<seed>; see config/run-ids.ts) and
 * what every reader requires of an id read back, so that runs/<id> can never leave the results folder.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,127}$/;
/** Whether `id` is a safe run id (RUN_ID_PATTERN): no "/", no "..", no leading dot or dash, at most 128 characters. */
export function isSafeRunId(id: unknown): id is string {
  return typeof id === 'string' && RUN_ID_PATTERN.test(id);
}
const RunId = z.string().regex(RUN_ID_PATTERN, 'a run id of letters, digits, ".", "_" and "-" (no "/" or "..")');

/**
 * The text a CSV cell may hold, by column; empty cells are allowed except for ids, statuses and layer kinds (a kind of
 * layer with parameters, as the layer registry in src/models/layers.ts names them: dense, conv2d).
 */
export type CellType = 'text' | 'runId' | 'status' | 'count' | 'number' | 'layerKind';

/** summary.csv cell types, one per contract column (a column added to the contract must say its type). */
export const SUMMARY_CELL_TYPES: Record<SummaryColumn, CellType> = {
  run_id: 'runId',
  name: 'text',
  seed: 'count',
  hidden: 'text',
  hidden_activation: 'text',
  output_activation: 'text',
  loss: 'text',
  optimizer: 'text',
  learning_rate: 'number',
  batch_size: 'count',
  epochs: 'count',
  status: 'status',
  final_train_loss: 'number',
  final_test_loss: 'number',
  final_test_accuracy: 'number',
  best_test_accuracy: 'number',
  best_epoch: 'count',
  wall_s: 'number',
  loss_gradient: 'text',
  kernel_initializer: 'text',
  final_validation_accuracy: 'number',
  diverged_step: 'count',
  steps: 'count',
  backend: 'text',
  config_hash: 'text',
};
export const METRICS_CELL_TYPES: Record<MetricsColumn, CellType> = {
  epoch: 'count',
  step: 'count',
  train_loss: 'number',
  train_accuracy: 'number',
  validation_loss: 'number',
  validation_accuracy: 'number',
  test_loss: 'number',
  test_accuracy: 'number',
  wall_s: 'number',
};
export const GRADIENT_CELL_TYPES: Record<GradientColumn, CellType> = {
  step: 'count',
  epoch: 'count',
  layer: 'count',
  tensor: 'text',
  l2: 'number',
  mean_abs: 'number',
  max_abs: 'number',
  saturated_fraction: 'number',
  layer_kind: 'layerKind',
};

/**
 * The summary.csv columns report and compare read and cannot do without. Every other column may be missing (it reads
 * as empty), so a column added to the contract never means regenerating baselines or fixtures.
 */
export const REQUIRED_SUMMARY_COLUMNS = [
  'run_id',
  'name',
  'seed',
  'status',
  'final_train_loss',
  'final_test_loss',
  'final_test_accuracy',
  'best_test_accuracy',
  'wall_s',
] as const satisfies readonly SummaryColumn[];

/** The metrics.csv columns the report and a resumed run read (the rest may be missing). */
export const REQUIRED_METRICS_COLUMNS = ['epoch', 'step', 'train_loss', 'test_loss', 'test_accuracy'] as const satisfies readonly MetricsColumn[];

/** Summary columns that hold a measured number: what a `reference:` value may be compared against. */
export const SUMMARY_METRIC_COLUMNS = [
  'final_train_loss',
  'final_test_loss',
  'final_test_accuracy',
  'best_test_accuracy',
  'best_epoch',
  'wall_s',
  'final_validation_accuracy',
  'diverged_step',
  'steps',
] as const satisfies readonly SummaryColumn[];

/** One run's entry in manifest.json. Unknown keys (from a newer losslab) are kept. */
export const ManifestRunSchema = z.looseObject({
  status: z.enum(RUN_STATUSES),
  configHash: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** Last completed epoch (0 = only the evaluation before training). */
  epochsDone: z.int().min(0),
  /** The step at which a NaN/Inf stopped the run. */
  divergedStep: z.int().min(0).optional(),
  /** What stopped a failed run. */
  error: z.string().optional(),
  /** Present when the folder was produced by `losslab merge`: the shard folder the run came from. */
  shard: z.string().optional(),
});
export type ManifestRun = z.output<typeof ManifestRunSchema>;

/** manifest.json: provenance of a results folder and the status of each run, by run id. */
export const ManifestSchema = z.looseObject({
  losslab: z.string(),
  node: z.string(),
  tfjs: z.string(),
  /** tensorflow, wasm+openblas (wasm with BatchMatMul by OpenBLAS), wasm (XNNPACK) or cpu. */
  backend: z.string(),
  /** What ran the matrix products when it is not the backend's own kernel, e.g. "OpenBLAS 0.3.21 Haswell, 1 thread". */
  matMul: z.string().optional(),
  experimentName: z.string(),
  experimentHash: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  runs: z.record(RunId, ManifestRunSchema),
});
export type Manifest = z.output<typeof ManifestSchema>;

/** One run in experiment.json. */
export const ExperimentRunRecordSchema = z.looseObject({
  id: RunId,
  name: z.string(),
  seed: z.int().min(0),
  configHash: z.string(),
  /** Values of the grid keys for this run, keyed by dotted key. */
  gridValues: z.record(z.string(), z.unknown()),
  /** The resolved run configuration (see src/config/schema.ts ResolvedRunSchema). */
  config: z.unknown(),
});
export type ExperimentRunRecord = z.output<typeof ExperimentRunRecordSchema>;

/** experiment.json: the resolved experiment, every default filled in, every run listed. */
export const ExperimentRecordSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  /** The source file as given on the command line. */
  source: z.string(),
  /** Hash of the resolved runs; equal hashes mean the same experiment. */
  hash: z.string(),
  dataset: z.unknown(),
  /** Dotted keys a grid varies over, in grid order (empty without a grid). */
  gridKeys: z.array(z.string()),
  /** The `reference:` block of the experiment file, checked by src/config/schema.ts ReferenceSchema when read back. */
  reference: z.unknown().optional(),
  /** The experiment file's `report` block ({reference?, interval}), when it has one; checked by its schema when read back. */
  report: z.unknown().optional(),
  runs: z.array(ExperimentRunRecordSchema),
});
export type ExperimentRecord = z.output<typeof ExperimentRecordSchema>;

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
