// Runs an experiment: output folder, backend, dataset, each run in turn, manifest and summary after every run.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Io } from '../io';
import { loadExperimentWithModules, type Experiment, type ExperimentOverrides, type ResolvedRun } from '../config/experiment';
import { selectBackend, type BackendChoice } from '../backend/select';
import { loadDataset } from '../data/datasets';
import { ExitCode, LosslabError } from '../errors';
import { Files, type Manifest, type SummaryRow } from '../results/contract';
import { packageInfo } from '../util/package-info';
import { lossLabel, outputLabel } from '../train/run-functions';
import { trainRun, type RunOutcome } from '../train/trainer';
import { checkModulesBeforeWriting } from './check-modules';
import { experimentRecord, planOutputFolder, writeExperimentRecord, writeManifest, writeSummary } from './output-folder';
import { ProgressReporter, formatSeconds } from './progress';
import { selectShard, type Shard } from './shard';
import { hiddenText } from '../models/shapes';

export interface RunExperimentOptions {
  file: string;
  out?: string;
  backend: BackendChoice;
  force: boolean;
  resume: boolean;
  shard?: Shard;
  overrides: ExperimentOverrides;
  /** Write the report at the end (losslab run --report). */
  report: boolean;
  io: Io;
  /** Stop flag set by SIGINT/SIGTERM; checked between steps. */
  stop?: { requested: boolean };
}

/** Runs the experiment and resolves to the exit code: 0 all complete, 1 some diverged or failed, 3 interrupted. */
export async function runExperiment(options: RunExperimentOptions): Promise<number> {
  const { io } = options;
  const full = await loadExperimentWithModules(options.file, options.overrides);
  const experiment: Experiment = options.shard ? { ...full, runs: selectShard(full.runs, options.shard) } : full;
  const outDir = options.out ?? path.join('results', experiment.name);
  await checkModulesBeforeWriting(full, options.backend, io);
  const folder = planOutputFolder(outDir, full, options);
  const { manifest: previousManifest, summary: previousSummary } = folder;

  const selection = await selectBackend(options.backend);
  const matMul = selection.matMul ? ` (matMul: ${selection.matMul})` : '';
  const skipped = selection.skipped.map((s) => ` (${s.backend} skipped: ${s.reason})`).join('');
  io.out(`losslab: backend ${selection.backend}${matMul}${skipped}\n`);
  const dataset = loadDataset(experiment.dataset);
  // Every check that can fail has passed: only now is the folder created (or, with --force, cleared).
  folder.claim();

  const manifest: Manifest = {
    losslab: packageInfo().version,
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: selection.backend,
    ...(selection.matMul ? { matMul: selection.matMul } : {}),
    experimentName: experiment.name,
    experimentHash: full.hash,
    startedAt: new Date().toISOString(),
    endedAt: null,
    runs: Object.fromEntries(
      full.runs.map((r) => {
        const before = previousManifest?.runs[r.id];
        const keep = before && before.configHash === r.configHash;
        return [r.id, keep ? before : { status: 'pending', configHash: r.configHash, startedAt: null, endedAt: null, epochsDone: 0 }];
      }),
    ),
  };
  writeExperimentRecord(outDir, experimentRecord(full));
  writeManifest(outDir, manifest);
  const summary = new Map<string, SummaryRow | Record<string, string>>(previousSummary);
  const order = full.runs.map((r) => r.id);
  const progress = new ProgressReporter(io, experiment.runs.length);
  let interrupted = false;

  for (const [index, run] of experiment.runs.entries()) {
    const entry = manifest.runs[run.id];
    if (options.resume && entry.status === 'complete' && entry.configHash === run.configHash && summary.has(run.id)) {
      progress.endRun(index + 1, run.id, 'already complete, skipped (--resume)');
      continue;
    }
    Object.assign(entry, {
      status: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      error: undefined,
      divergedStep: undefined,
    });
    writeManifest(outDir, manifest);
    progress.startRun(index + 1, run.id);
    let outcome: RunOutcome;
    try {
      outcome = await trainRun(run, dataset, {
        runDir: path.join(outDir, Files.runsDir, run.id),
        resume: options.resume && entry.configHash === run.configHash,
        shuffle: experiment.dataset.shuffle,
        shouldStop: () => options.stop?.requested === true,
        onProgress: (p) => progress.update(index + 1, run.id, p),
      });
    } catch (error) {
      Object.assign(entry, { status: 'failed', endedAt: new Date().toISOString(), error: (error as Error).message });
      // Bad input or an unwritable folder stops the sweep (exit 2 or 3); any other error fails only this run.
      if (error instanceof LosslabError && error.exitCode !== ExitCode.runsFailed) {
        writeManifestQuietly(outDir, manifest);
        throw error;
      }
      writeManifest(outDir, manifest);
      progress.endRun(index + 1, run.id, `failed: ${(error as Error).message}`);
      continue;
    }
    Object.assign(entry, {
      status: outcome.status,
      endedAt: new Date().toISOString(),
      epochsDone: outcome.epochsDone,
      divergedStep: outcome.divergedStep,
    });
    summary.set(run.id, summaryRow(run, outcome, selection.backend));
    writeSummary(outDir, order, summary);
    writeManifest(outDir, manifest);
    progress.endRun(index + 1, run.id, describeOutcome(outcome));
    if (outcome.status === 'interrupted') {
      interrupted = true;
      break;
    }
  }
  manifest.endedAt = new Date().toISOString();
  writeManifest(outDir, manifest);
  io.out(`losslab: results in ${outDir}\n`);
  if (options.report && !interrupted) {
    const { writeReport } = await import('../report/index');
    const { files } = await writeReport(outDir, {});
    io.out(`losslab: report written: ${files.filter((f) => f.endsWith('.html') || f.endsWith('.md')).join(', ')}\n`);
  }
  if (interrupted) return ExitCode.interrupted;
  const statuses = experiment.runs.map((r) => manifest.runs[r.id].status);
  return statuses.every((s) => s === 'complete') ? ExitCode.ok : ExitCode.runsFailed;
}

function writeManifestQuietly(dir: string, manifest: Manifest): void {
  try {
    writeManifest(dir, manifest);
  } catch {
    // The write error that brought us here is the one to report.
  }
}

function describeOutcome(outcome: RunOutcome): string {
  const last = outcome.metrics[outcome.metrics.length - 1];
  const accuracy = last ? `test accuracy ${(Number(last.test_accuracy) * 100).toFixed(2)}%` : 'no evaluation';
  if (outcome.status === 'diverged') return `diverged at step ${outcome.divergedStep} (loss or gradient not finite); ${accuracy} before it`;
  if (outcome.status === 'interrupted') return `interrupted after epoch ${outcome.epochsDone}; --resume continues it`;
  return `${accuracy} after ${outcome.epochsDone} epoch(s), ${formatSeconds(outcome.wallSeconds)}`;
}

/** The summary.csv row of a finished (or stopped) run. */
function summaryRow(run: ResolvedRun, outcome: RunOutcome, backend: string): SummaryRow {
  const { config } = run;
  const trained = outcome.metrics.filter((m) => Number.isFinite(Number(m.test_accuracy)));
  const last = outcome.metrics[outcome.metrics.length - 1];
  let best = trained[0];
  for (const row of trained) if (Number(row.test_accuracy) > Number(best.test_accuracy)) best = row;
  return {
    run_id: run.id,
    name: run.name,
    seed: run.seed,
    hidden: hiddenText(config.model),
    hidden_activation: config.model.hiddenActivation,
    output_activation: outputLabel(config.model.outputActivation),
    loss: lossLabel(config.loss),
    optimizer: config.optimizer.name,
    learning_rate: config.optimizer.learningRate,
    batch_size: config.batchSize,
    epochs: config.epochs,
    status: outcome.status,
    final_train_loss: last?.train_loss ?? '',
    final_test_loss: last?.test_loss ?? '',
    final_test_accuracy: last?.test_accuracy ?? '',
    best_test_accuracy: best?.test_accuracy ?? '',
    best_epoch: best?.epoch ?? '',
    wall_s: outcome.wallSeconds,
    loss_gradient: config.loss.gradient,
    kernel_initializer: config.model.kernelInitializer.name,
    final_validation_accuracy: last?.validation_accuracy ?? '',
    diverged_step: outcome.divergedStep ?? '',
    steps: outcome.steps,
    backend,
    config_hash: run.configHash,
  };
}
