// Trains one run: epochs of seeded batches, gradient hooks, per-epoch evaluation, CSV rows, checkpoints, models.
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedRun } from '../config/experiment';
import { BatchBuilder, epochOrder } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { deriveSeed, Rng } from '../data/rng';
import { GradientRecorder } from '../hooks/recorder';
import { buildModel } from '../models/build';
import { saveModel } from '../models/save';
import { createOptimizer } from '../optimizers/registry';
import { makeFolders } from '../files/output-folder';
import { appendFileChecked, writeFileAtomic } from '../results/atomic';
import {
  Files,
  GRADIENT_COLUMNS,
  METRICS_CELL_TYPES,
  METRICS_COLUMNS,
  REQUIRED_METRICS_COLUMNS,
  type MetricsRow,
  type RunStatus,
} from '../results/contract';
import { csvHeader, csvRows } from '../results/csv';
import { readResultsCsv } from '../results/results-folder';
import { CORRUPT_CHECKPOINT_HINT, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { evaluate } from './evaluate';
import { lossOf, outputActivationOf } from './run-functions';
import { isRecordedStep, trainStepOnBatch, type StepContext } from './step';

/** Progress of a run, for the progress bar. */
export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Mean training loss over the epoch so far. */
  loss: number;
  /** Test accuracy after the last finished epoch (NaN before). */
  testAccuracy: number;
}

export interface TrainOptions {
  runDir: string;
  /** Continue from runs/<id>/checkpoint when it exists. */
  resume?: boolean;
  /** Polled between steps; true stops the run as `interrupted` after flushing its rows. */
  shouldStop?: () => boolean;
  onProgress?: (progress: Progress) => void;
  /** Seeded Fisher–Yates shuffle of the training split each epoch (default true). */
  shuffle?: boolean;
  /** Save model-init/ and model/ (default true). */
  saveModels?: boolean;
}

export interface RunOutcome {
  status: Extract<RunStatus, 'complete' | 'diverged' | 'interrupted'>;
  metrics: MetricsRow[];
  steps: number;
  epochsDone: number;
  divergedStep?: number;
  /** Seconds of training and evaluation, to the millisecond. */
  wallSeconds: number;
}

const isFiniteNumber = (v: unknown) => typeof v !== 'number' || Number.isFinite(v);

/**
 * Trains `run` on `dataset`, writing runs/<id>/metrics.csv, gradients.csv, model-init/, model/ and a checkpoint
 * after every epoch. A NaN or Inf in the loss or a recorded gradient stops the run as `diverged` at that step.
 */
export async function trainRun(run: ResolvedRun, dataset: Dataset, options: TrainOptions): Promise<RunOutcome> {
  const { config } = run;
  const { runDir } = options;
  const metricsFile = path.join(runDir, Files.metrics);
  const gradientsFile = path.join(runDir, Files.gradients);
  const checkpointFile = path.join(runDir, Files.checkpoint, 'checkpoint.bin');
  const output = outputActivationOf(config, run.modules);
  const loss = lossOf(config, run.modules, output);
  const model = buildModel(config.model, dataset.train, run.seed, output);
  const optimizer = createOptimizer(config.optimizer);
  const recorder = new GradientRecorder();
  const context: StepContext = { model, optimizer, loss, l2Coefficient: config.l2 / (2 * dataset.train.size) };
  const rng = new Rng(deriveSeed(run.seed, 'shuffle'));
  const batches = new BatchBuilder(dataset.train, config.batchSize);
  const metrics: MetricsRow[] = [];
  let step = 0;
  let startEpoch = 1;
  let wallBefore = 0;
  const started = process.hrtime.bigint();
  const wall = () => wallBefore + Number(process.hrtime.bigint() - started) / 1e9;

  try {
    if (options.resume && fs.existsSync(checkpointFile)) {
      const state = await loadCheckpoint(checkpointFile, model, optimizer);
      rng.setState(state.rng);
      truncate(metricsFile, state.metricsBytes);
      truncate(gradientsFile, state.gradientsBytes);
      const previous = readResultsCsv(metricsFile, REQUIRED_METRICS_COLUMNS, METRICS_CELL_TYPES, CORRUPT_CHECKPOINT_HINT);
      metrics.push(...(previous.rows.map(numericRow) as MetricsRow[]));
      step = state.step;
      startEpoch = state.epoch + 1;
      wallBefore = state.wallSeconds;
    } else {
      fs.rmSync(runDir, { recursive: true, force: true });
      makeFolders(runDir);
      writeFileAtomic(metricsFile, csvHeader(METRICS_COLUMNS));
      writeFileAtomic(gradientsFile, csvHeader(GRADIENT_COLUMNS));
      if (options.saveModels !== false) await saveModel(model, path.join(runDir, Files.modelInit));
      const row = evaluationRow(0, 0, wall());
      appendFileChecked(metricsFile, csvRows(METRICS_COLUMNS, [row]));
      metrics.push(row);
      if (!Object.values(row).every(isFiniteNumber)) return finish('diverged', 0, 0);
    }

    for (let epoch = startEpoch; epoch <= config.epochs; epoch++) {
      const order = epochOrder(dataset.train.size, options.shuffle !== false ? rng : null);
      let lossSum = 0;
      for (let batchIndex = 0; batchIndex < batches.batchesPerEpoch; batchIndex++) {
        // The steps are synchronous: yield to the event loop so a SIGINT/SIGTERM handler can run between them.
        if (options.shouldStop) await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.shouldStop?.()) return finish('interrupted', epoch - 1);
        const batch = batches.fill(order, batchIndex);
        const recordNow = isRecordedStep(step, config.hooks.every);
        const lossTensor = trainStepOnBatch(context, batch, recordNow ? { recorder, step, epoch } : { step, epoch });
        // One 4-byte read per step: divergence must stop the run at the step it happens.
        const loss = lossTensor.dataSync()[0];
        lossTensor.dispose();
        if (recordNow) {
          const rows = recorder.flush();
          appendFileChecked(gradientsFile, csvRows(GRADIENT_COLUMNS, rows));
          if (!rows.every((r) => isFiniteNumber(r.l2) && isFiniteNumber(r.max_abs))) return finish('diverged', epoch - 1, step);
        }
        if (!Number.isFinite(loss)) return finish('diverged', epoch - 1, step);
        lossSum += loss;
        step++;
        options.onProgress?.({
          epoch,
          epochs: config.epochs,
          step,
          stepInEpoch: batchIndex + 1,
          stepsPerEpoch: batches.batchesPerEpoch,
          loss: lossSum / (batchIndex + 1),
          testAccuracy: Number(metrics[metrics.length - 1]?.test_accuracy ?? NaN),
        });
      }
      const row = evaluationRow(epoch, step, wall());
      appendFileChecked(metricsFile, csvRows(METRICS_COLUMNS, [row]));
      metrics.push(row);
      if (![row.train_loss, row.test_loss].every(isFiniteNumber)) return finish('diverged', epoch, step);
      await saveCheckpoint(checkpointFile, model, optimizer, {
        epoch,
        step,
        rng: rng.getState(),
        metricsBytes: fs.statSync(metricsFile).size,
        gradientsBytes: fs.statSync(gradientsFile).size,
        wallSeconds: wall(),
      });
    }
    if (options.saveModels !== false) await saveModel(model, path.join(runDir, Files.model));
    return finish('complete', config.epochs);
  } finally {
    recorder.dispose();
    optimizer.dispose();
    model.dispose();
  }

  function evaluationRow(epoch: number, atStep: number, wallSeconds: number): MetricsRow {
    const train = evaluate(model, dataset.train, loss);
    const validation = dataset.validation.size > 0 ? evaluate(model, dataset.validation, loss) : undefined;
    const test = evaluate(model, dataset.test, loss);
    return {
      epoch,
      step: atStep,
      train_loss: train.loss,
      train_accuracy: train.accuracy,
      validation_loss: validation?.loss ?? '',
      validation_accuracy: validation?.accuracy ?? '',
      test_loss: test.loss,
      test_accuracy: test.accuracy,
      wall_s: round(wallSeconds),
    };
  }
  function finish(status: RunOutcome['status'], epochsDone: number, divergedStep?: number): RunOutcome {
    return {
      status,
      metrics,
      steps: step,
      epochsDone,
      divergedStep: status === 'diverged' ? (divergedStep ?? step) : undefined,
      wallSeconds: round(wall()),
    };
  }
}

/** Cuts a rows file back to `bytes` (the length recorded at the checkpoint), dropping rows written after it. */
function truncate(file: string, bytes: number): void {
  if (fs.existsSync(file) && fs.statSync(file).size > bytes) fs.truncateSync(file, bytes);
}

/** A metrics row read back from CSV: numbers where the cell is numeric, '' where empty. */
function numericRow(row: Record<string, string>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? '' : Number(v)]));
}

/** Timings to the millisecond: more digits are noise. */
const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
