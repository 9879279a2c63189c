// The experiment-file schema: the single source of truth for config types, defaults, validation and the JSON Schema.
import { z } from 'zod';
import { HIDDEN_ACTIVATION_NAMES, OUTPUT_ACTIVATION_NAMES } from '../models/activations';
import { InitializerSchema, ResolvedInitializerSchema } from '../models/initializers';
import { LayerSchema, ResolvedLayerSchema } from '../models/layers';
import { GRADIENT_MODES, LOSS_NAMES, lossNamesWhere, takesLabelSmoothing } from '../losses/registry';
import { OPTIMIZER_NAMES, describedOptimizerSettings } from '../optimizers/registry';
import { DATASET_NAMES } from '../data/datasets';
import { INTERVAL_CHOICES } from '../stats';
import { didYouMean } from '../util/did-you-mean';
import { SUMMARY_METRIC_COLUMNS } from '../results/contract';

export { InitializerSchema };

/** Options a module declares, given in the experiment file; checked against the module's declarations once loaded. */
const ModuleOptionsSchema = z.record(z.string(), z.unknown()).describe("The module's options, as it declares them");
const modulePath = (what: string) =>
  z
    .string()
    .min(1)
    .describe(`Path of ${what} module (.mjs, .cjs, .js, .ts), relative to the experiment file: code that runs with your rights`);

/** An output activation given by a module: its path and options. */
export const OutputActivationModuleSchema = z.strictObject({
  module: modulePath('an output-activation'),
  options: ModuleOptionsSchema.optional(),
});

export const ModelSchema = z.strictObject({
  hidden: z.array(z.int().min(1)).default([100]).describe('Hidden layer sizes of an MLP, input side first; [] for none'),
  layers: z
    .array(LayerSchema)
    .optional()
    .describe('A layer stack instead of hidden (conv2d, maxPool2d, avgPool2d, flatten, dense, dropout); the output layer is added'),
  hiddenActivation: z
    .enum(HIDDEN_ACTIVATION_NAMES)
    .default('sigmoid')
    .describe('Activation of hidden layers (of layers without their own)'),
  outputActivation: z.union([z.enum(OUTPUT_ACTIVATION_NAMES), OutputActivationModuleSchema]).default('softmax'),
  kernelInitializer: InitializerSchema.default('glorot-uniform'),
  biasInitializer: InitializerSchema.default('zeros'),
});

const lossesDefaultingTo = (outputs: 'mean' | 'sum') => lossNamesWhere((d) => d.defaultOutputs === outputs).join(', ');

export const LossSchema = z.strictObject({
  name: z.enum(LOSS_NAMES).optional().describe('A built-in loss; default cross-entropy unless module is given'),
  module: modulePath('a loss').optional(),
  options: ModuleOptionsSchema.optional(),
  outputs: z
    .enum(['mean', 'sum'])
    .optional()
    .describe(
      `Reduction over the K outputs: mean (Keras; default for ${lossesDefaultingTo('mean')}) or sum (textbook; default for ${lossesDefaultingTo('sum')})`,
    ),
  scale: z.number().positive().default(1).describe('Constant factor; 0.5 with outputs: sum is the quadratic cost ½‖a−y‖²'),
  gradient: z.enum(GRADIENT_MODES).default('autodiff').describe('How ∂L/∂z at the output is computed'),
  labelSmoothing: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe(`${lossNamesWhere(takesLabelSmoothing).join(', ')} only (an option it declares): ε in t′ = (1−ε)t + ε/K`),
});

export const OptimizerSchema = z.strictObject({
  name: z.enum(OPTIMIZER_NAMES).default('sgd'),
  ...describedOptimizerSettings(),
});

export const HooksSchema = z.strictObject({
  every: z.int().min(0).default(100).describe('Record gradient statistics at step 0 and every N steps; 0 turns hooks off'),
});

/** Seeds: each gives one run, so a repeated seed would train one run twice under one id. */
const Seeds = z
  .array(z.int().min(0))
  .min(1)
  .superRefine((seeds, context) => {
    seeds.forEach((seed, index) => {
      const first = seeds.indexOf(seed);
      if (first !== index) {
        context.addIssue({
          code: 'custom',
          path: [index],
          input: seed,
          message: `seed ${seed} is already seeds[${first}]; each seed gives one run, so a repeat would train the same run twice`,
        });
      }
    });
  });

/** One run: every key has a default, so `{}` is a valid run. */
export const RunSchema = z.strictObject({
  name: z.string().min(1).optional().describe('Run name; defaults to run<i>'),
  seeds: Seeds.optional().describe("Replicates for this run; defaults to the file's seeds"),
  model: ModelSchema.prefault({}),
  loss: LossSchema.prefault({}),
  optimizer: OptimizerSchema.prefault({}),
  l2: z.number().min(0).default(0).describe("Nielsen's L2 regularisation λ: adds (λ/2n)·Σw² over kernels, n = training-set size"),
  batchSize: z.int().min(1).default(32),
  epochs: z.int().min(0).default(1),
  hooks: HooksSchema.prefault({}),
});

/** Run settings shared by every run (same keys as a run, minus its name and seeds). */
export const DefaultsSchema = RunSchema.omit({ name: true, seeds: true });

export const DatasetSchema = z.strictObject({
  name: z.enum(DATASET_NAMES as unknown as [string, ...string[]]).default('mnist'),
  path: z.string().optional().describe('idx only: the folder holding the IDX files'),
  train: z.int().min(1).default(60000).describe('The first N training images'),
  validation: z.int().min(0).default(0).describe('The last M training images (disjoint from train)'),
  test: z.int().min(1).default(10000).describe('The first N test images'),
  shuffle: z.boolean().default(true).describe('Seeded Fisher–Yates shuffle of the training split each epoch'),
});

/** A published number an experiment should reproduce. */
export const ReferenceValueSchema = z.strictObject({
  run: z.string().describe('Run name (all seeds of it)'),
  metric: z.enum(SUMMARY_METRIC_COLUMNS).describe('A measured summary.csv column, e.g. best_test_accuracy (fractions in [0,1])'),
  value: z.number(),
  aggregate: z.enum(['best', 'mean']).default('mean').describe('How the measured seeds are aggregated'),
});
export const ReferenceSchema = z.strictObject({
  source: z.string(),
  url: z.string().optional(),
  notes: z.string().optional(),
  values: z.array(ReferenceValueSchema).default([]),
});

/** How `losslab report` compares runs in its differences table. */
export const ReportSchema = z.strictObject({
  reference: z
    .string()
    .optional()
    .describe(
      'A run name: each other run is compared with it at the same grid point. Without it, every pair of runs that differ ' +
        'in one thing (the run, or one grid value) is compared',
    ),
  interval: z
    .enum(INTERVAL_CHOICES)
    .default('auto')
    .describe('95% intervals: auto (Welch, or a seeded bootstrap for 10+ seeds per run with a skewed one), welch, or bootstrap'),
});

const ExperimentFileFields = z.strictObject({
  $schema: z.string().optional().describe('Path to losslab.schema.json, for editors'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" and "-"'),
  description: z.string().default(''),
  dataset: DatasetSchema.prefault({}),
  seeds: Seeds.default([1]),
  defaults: DefaultsSchema.prefault({}),
  runs: z.array(RunSchema).min(1).optional().describe('The runs; leave the key out for one run of the defaults'),
  grid: z
    .record(z.string(), z.array(z.unknown()).min(1))
    .optional()
    .describe('Dotted run keys (e.g. optimizer.learningRate) to lists of values; runs × Cartesian product'),
  reference: ReferenceSchema.optional(),
  report: ReportSchema.optional(),
});
export const ExperimentFileSchema = ExperimentFileFields.superRefine(checkReportReference);

/** report.reference must name a run of the file (a located error with "did you mean" at validate time, before training). */
function checkReportReference(file: z.output<typeof ExperimentFileFields>, context: z.RefinementCtx): void {
  const reference = file.report?.reference;
  const names = runNames(file);
  if (reference !== undefined && !names.includes(reference)) {
    context.addIssue({
      code: 'custom',
      path: ['report', 'reference'],
      input: reference,
      message: `unknown run "${reference}"${didYouMean(reference, names) || '.'} Runs: ${names.join(', ')}.`,
    });
  }
}

/** The run names of an experiment file, as written (before grid suffixes): `run<i>` for an unnamed run, the file's name without runs. */
export function runNames(file: Pick<ExperimentFile, 'name' | 'runs'>): string[] {
  return file.runs ? file.runs.map((run, index) => run.name ?? `run${index + 1}`) : [file.name];
}

export type ExperimentFile = z.output<typeof ExperimentFileSchema>;
export type DatasetConfig = z.output<typeof DatasetSchema>;
export type Reference = z.output<typeof ReferenceSchema>;
export type ReportSettings = z.output<typeof ReportSchema>;
export type { InitializerSpec } from '../models/initializers';

/** A module as resolved: the path as written, the SHA-256 of its source and of the local files it imports. */
const ResolvedModuleFields = {
  module: z.string(),
  sha256: z.string(),
  imports: z.array(z.strictObject({ path: z.string(), sha256: z.string() })).optional(),
  options: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
};

/**
 * A run with every default filled in, as trained and as written to experiment.json: the loss's reduction is
 * resolved, initialisers are blocks with all their parameters, the optimizer keeps only the options it uses
 * (see OPTIMIZERS[name].uses), and a module carries its source hashes and its options with defaults filled in
 * (a built-in loss keeps exactly the keys it always had, so its config hash does not move).
 */
const ResolvedModelBase = ModelSchema.omit({ hidden: true, layers: true }).extend({
  kernelInitializer: ResolvedInitializerSchema,
  biasInitializer: ResolvedInitializerSchema,
  outputActivation: z.union([z.enum(OUTPUT_ACTIVATION_NAMES), z.strictObject(ResolvedModuleFields)]),
});
/** An MLP: `hidden` sizes (no `layers` key, so the resolved config and its hash are as before layer stacks). */
export const ResolvedMlpModelSchema = ResolvedModelBase.extend({ hidden: z.array(z.int().min(1)) });
/** A layer stack: every layer resolved; the output layer (numClasses units, outputActivation) follows them. */
export const ResolvedLayerStackModelSchema = ResolvedModelBase.extend({ layers: z.array(ResolvedLayerSchema) });
export type MlpModelConfig = z.output<typeof ResolvedMlpModelSchema>;
export type LayerStackModelConfig = z.output<typeof ResolvedLayerStackModelSchema>;

/** Whether a resolved model block is a layer stack (else it is an MLP). */
export function isLayerStack(model: MlpModelConfig | LayerStackModelConfig): model is LayerStackModelConfig {
  return 'layers' in model;
}

export const ResolvedRunSchema = DefaultsSchema.extend({
  model: z.union([ResolvedMlpModelSchema, ResolvedLayerStackModelSchema]),
  loss: LossSchema.extend({
    outputs: z.enum(['mean', 'sum']),
    module: ResolvedModuleFields.module.optional(),
    sha256: ResolvedModuleFields.sha256.optional(),
    imports: ResolvedModuleFields.imports,
    options: ResolvedModuleFields.options.optional(),
  }),
  optimizer: OptimizerSchema.partial().required({ name: true, learningRate: true }),
});
export type RunConfig = z.output<typeof ResolvedRunSchema>;

/** The JSON Schema for editors, generated from ExperimentFileSchema (committed as losslab.schema.json). */
export function experimentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ExperimentFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'losslab experiment file',
  };
}
