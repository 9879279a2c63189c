// Combines shard results folders into one: checks they are one experiment, each run exactly once, then writes the union.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, OutputError, ResultsError } from '../errors';
import { checkOutputFolder, createOutputFolder, makeFolders } from '../files/output-folder';
import { writeFileAtomic } from '../results/atomic';
import { Files, type Manifest, type ManifestRun } from '../results/contract';
import { toCsv } from '../results/csv';
import { checkRunFolderTree } from '../results/results-folder';
import type { ShardFolder } from './read-shard';

/** What will be written: decided entirely before anything is written. */
export interface MergePlan {
  experimentText: string;
  manifest: Manifest;
  summaryColumns: string[];
  /** Summary rows in experiment.json's run order. */
  summaryRows: Record<string, string>[];
  /** Run folders to copy: run id -> the shard folder holding runs/<id>. */
  runFolders: { runId: string; shardDir: string }[];
  /** Runs of the experiment in no shard (only with allowMissing); recorded as pending in the manifest. */
  missing: string[];
}

/**
 * Plans the merge of `shards`. A run belongs to a shard when the shard's manifest lists it with a status other than
 * "pending" or its summary.csv has a row for it. Refuses (ResultsError) different experiment hashes, a run in two
 * shards, runs unknown to experiment.json, and runs in no shard unless `allowMissing`.
 */
export function planMerge(shards: readonly ShardFolder[], allowMissing: boolean): MergePlan {
  const first = shards[0];
  const configHashes = new Map(first.experiment.runs.map((run) => [run.id, run.configHash]));
  for (const shard of shards.slice(1)) {
    if (shard.experiment.hash !== first.experiment.hash) {
      throw new ResultsError(
        `cannot merge shards of different experiments: ${first.dir} has experiment hash ${first.experiment.hash}, ` +
          `${shard.dir} has ${shard.experiment.hash} (run every shard from the same experiment file and version)`,
      );
    }
    // The same experiment with a run configured differently: a loss or activation module edited between shards.
    const changed = shard.experiment.runs.find((run) => configHashes.get(run.id) !== run.configHash);
    if (changed) {
      throw new OutputError(
        `cannot merge: run "${changed.id}" has config hash ${configHashes.get(changed.id)} in ${first.dir} but ${changed.configHash} in ${shard.dir} ` +
          "(a module's source differs between the shards; its SHA-256 is part of the run config in experiment.json): rerun the stale shards",
      );
    }
    if (
      shard.summary.columns.join(',') !== first.summary.columns.join(',') &&
      shard.summary.columns.length > 0 &&
      first.summary.columns.length > 0
    ) {
      throw new ResultsError(
        `cannot merge: ${path.join(first.dir, Files.summary)} and ${path.join(shard.dir, Files.summary)} have different columns ` +
          `(${first.summary.columns.join(',')} vs ${shard.summary.columns.join(',')})`,
      );
    }
  }
  const experimentRuns = first.experiment.runs;
  const known = new Set(experimentRuns.map((run) => run.id));
  const owner = new Map<string, ShardFolder>();
  for (const shard of shards) {
    const present = new Set([
      ...Object.entries(shard.manifest.runs)
        .filter(([, run]) => run.status !== 'pending')
        .map(([id]) => id),
      ...shard.summary.rows.map((row) => row.run_id),
    ]);
    for (const id of present) {
      if (!known.has(id)) throw new ResultsError(`${shard.dir}: run "${id}" is not in experiment.json; the folder is inconsistent`);
      const previous = owner.get(id);
      if (previous) {
        throw new ResultsError(
          `run "${id}" is in two shards: ${previous.dir} and ${shard.dir} (each run must come from exactly one shard; ` +
            'were two shards run with the same --shard i/N?)',
        );
      }
      owner.set(id, shard);
    }
  }
  const missing = experimentRuns.map((run) => run.id).filter((id) => !owner.has(id));
  if (missing.length > 0 && !allowMissing) {
    throw new ResultsError(
      `${missing.length} of ${experimentRuns.length} runs of experiment "${first.experiment.name}" are in no shard: ${listRuns(missing)} ` +
        '(merge every shard folder, or pass --allow-missing to merge anyway)',
    );
  }

  const runs: Record<string, ManifestRun> = {};
  const summaryRows: Record<string, string>[] = [];
  const runFolders: MergePlan['runFolders'] = [];
  for (const run of experimentRuns) {
    const shard = owner.get(run.id);
    if (!shard) {
      runs[run.id] = { status: 'pending', configHash: run.configHash, startedAt: null, endedAt: null, epochsDone: 0 };
      continue;
    }
    const manifestRun = shard.manifest.runs[run.id];
    runs[run.id] = {
      ...(manifestRun ?? { status: 'complete', configHash: run.configHash, startedAt: null, endedAt: null, epochsDone: 0 }),
      shard: shard.dir,
    };
    const row = shard.summary.rows.find((candidate) => candidate.run_id === run.id);
    if (row) summaryRows.push(row);
    if (fs.lstatSync(path.join(shard.dir, Files.runsDir, run.id), { throwIfNoEntry: false })?.isDirectory()) {
      // Only folders and regular files are copied: a link would point anywhere, a FIFO would block the copy.
      checkRunFolderTree(shard.dir, run.id);
      runFolders.push({ runId: run.id, shardDir: shard.dir });
    }
  }
  const manifests = shards.map((shard) => shard.manifest);
  const startTimes = manifests
    .map((m) => m.startedAt)
    .filter((t): t is string => typeof t === 'string')
    .sort();
  const endTimes = manifests.map((m) => m.endedAt);
  const manifest: Manifest = {
    losslab: distinct(manifests.map((m) => m.losslab)),
    node: distinct(manifests.map((m) => m.node)),
    tfjs: distinct(manifests.map((m) => m.tfjs)),
    backend: distinct(manifests.map((m) => m.backend)),
    ...(manifests.some((m) => m.matMul) ? { matMul: distinct(manifests.flatMap((m) => (m.matMul ? [m.matMul] : []))) } : {}),
    experimentName: first.manifest.experimentName,
    experimentHash: first.experiment.hash,
    startedAt: startTimes[0] ?? first.manifest.startedAt,
    endedAt: endTimes.every((t) => typeof t === 'string') ? [...endTimes].sort().at(-1)! : null,
    runs,
  };
  const summaryColumns = shards.find((shard) => shard.summary.columns.length > 0)?.summary.columns ?? [];
  return { experimentText: first.experimentText, manifest, summaryColumns, summaryRows, runFolders, missing };
}

/**
 * Writes a plan into `out`, which must not exist or be empty. Run folders are copied first (each to a temporary
 * name, then renamed), then summary.csv, experiment.json and, last, manifest.json: a folder with a manifest is complete.
 */
export function writeMerge(plan: MergePlan, out: string): void {
  createOutputFolder(out);
  makeFolders(path.join(out, Files.runsDir));
  for (const { runId, shardDir } of plan.runFolders) {
    const target = path.join(out, Files.runsDir, runId);
    const temporary = `${target}.tmp-${process.pid}`;
    fs.rmSync(temporary, { recursive: true, force: true });
    fs.cpSync(path.join(shardDir, Files.runsDir, runId), temporary, { recursive: true });
    fs.renameSync(temporary, target);
  }
  writeFileAtomic(path.join(out, Files.summary), toCsv(plan.summaryColumns, plan.summaryRows));
  writeFileAtomic(path.join(out, Files.experiment), plan.experimentText);
  writeFileAtomic(path.join(out, Files.manifest), `${JSON.stringify(plan.manifest, null, 2)}\n`);
}

/** Refuses an --out that cannot be an output folder (checkOutputFolder), is one of the shards, or already holds files. */
export function checkOutFolder(out: string, shardDirs: readonly string[]): void {
  checkOutputFolder(out);
  const resolved = path.resolve(out);
  const clash = shardDirs.find((dir) => path.resolve(dir) === resolved);
  if (clash !== undefined) throw new ConfigError(`--out: "${out}" is one of the shard folders; choose a new folder`);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new OutputError(`--out: "${out}" already exists and is not empty; choose a new folder or remove it first`);
  }
}

/** Refuses a shard folder given twice (its runs would all be duplicates). */
export function checkDistinctShards(dirs: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const previous = seen.get(path.resolve(dir));
    if (previous !== undefined) {
      const alias = previous === dir ? '' : ` (also as "${previous}")`;
      throw new ConfigError(`merge: shard folder "${dir}" is given twice${alias}; each shard folder may be named once`);
    }
    seen.set(path.resolve(dir), dir);
  }
}

/** Equal values once, else the distinct values joined by commas in first-seen order. */
function distinct(values: readonly string[]): string {
  return [...new Set(values)].join(',');
}

function listRuns(ids: readonly string[]): string {
  return ids.length <= 20 ? ids.join(', ') : `${ids.slice(0, 20).join(', ')} and ${ids.length - 20} more`;
}
