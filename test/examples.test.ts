// The CI examples load as YAML, run only commands and flags the CLI knows, and map their index to a valid shard split.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import yargs from 'yargs';
import { commandModules } from '../src/cli/commands';
import type { Io } from '../src/io';
import { parseShard, selectShard } from '../src/runner/shard';

const examples = path.join(__dirname, '..', 'examples');
const silentIo: Io = { out: () => undefined, err: () => undefined, isTty: false };

/** Each CLI command's name and the options its builder declares (global ones like --help included). */
function knownCommands(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  for (const module of commandModules(silentIo, () => undefined)) {
    const name = String([module.command ?? ''].flat()[0]).split(' ')[0];
    const parser = yargs([]).option('debug', { type: 'boolean' });
    if (typeof module.builder === 'function') module.builder(parser);
    else if (module.builder) parser.options(module.builder);
    // getOptions() is public in yargs 17 but missing from @types/yargs.
    const declared = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key;
    known.set(name, new Set(Object.keys(declared)));
  }
  return known;
}

/** Every `npx losslab <command> ...` or `npm run losslab -- <command> ...` in a shell script: command and --flags. */
function losslabInvocations(script: string): { command: string; flags: string[]; text: string }[] {
  const invocations: { command: string; flags: string[]; text: string }[] = [];
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    for (const match of line.matchAll(/(?:npx\s+losslab|npm\s+run\s+losslab\s+--)\s+([^\s;&|]+)((?:\s+(?!\|\||&&|;)[^\s;&|]+)*)/g)) {
      const flags = match[2]
        .trim()
        .split(/\s+/)
        .filter((token) => token.startsWith('--'))
        .map((token) => token.slice(2).split('=')[0]);
      invocations.push({ command: match[1], flags, text: match[0] });
    }
  }
  return invocations;
}

function loadYaml(file: string): unknown[] {
  const documents = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  for (const document of documents) expect(document.errors).toEqual([]);
  return documents.map((document) => document.toJS() as unknown);
}

/** Runs a shell script with a stub `npx` that prints its arguments, returning the printed lines. */
function runWithStubNpx(script: string, env: Record<string, string>): string[] {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-stub-'));
  try {
    fs.writeFileSync(path.join(bin, 'npx'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const output = execFileSync('/bin/sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
    return output.trimEnd().split('\n');
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } }; steps: Step[] }>;
}
interface Container {
  command: string[];
  args: string[];
  env?: { name: string; value: string }[];
}
interface JobSpec {
  kind: string;
  spec: { completionMode?: string; completions?: number; template: { spec: { containers: Container[] } } };
}

const workflow = () => loadYaml(path.join(examples, 'github-actions', 'sweep.yml'))[0] as Workflow;
const indexedJob = () => loadYaml(path.join(examples, 'kubernetes', 'indexed-job.yaml'))[0] as JobSpec;
const mergeJob = () => loadYaml(path.join(examples, 'kubernetes', 'merge-job.yaml'))[0] as JobSpec;
const containerScript = (job: JobSpec) => {
  const container = job.spec.template.spec.containers[0];
  expect(container.command).toEqual(['/bin/sh', '-c']);
  return container.args.join('\n');
};

describe('examples', () => {
  test('the CLI knows compare and merge, with the flags the examples rely on', () => {
    const known = knownCommands();
    expect([...known.get('compare')!]).toEqual(expect.arrayContaining(['tolerances', 'tol', 'k', 'json', 'junit']));
    expect([...known.get('merge')!]).toEqual(expect.arrayContaining(['out', 'allow-missing']));
  });

  test('invocations are found with their flags, up to the end of the shell command', () => {
    expect(
      losslabInvocations('a=1\nnpx losslab run "$E" --shard 2/4 \\\n  --out=r || status=$?\nnpm run losslab -- compare r b --json && echo'),
    ).toEqual([
      { command: 'run', flags: ['shard', 'out'], text: 'npx losslab run "$E" --shard 2/4    --out=r' },
      { command: 'compare', flags: ['json'], text: 'npm run losslab -- compare r b --json' },
    ]);
  });

  const scripts: [string, () => string][] = [
    [
      'github-actions/sweep.yml',
      () =>
        Object.values(workflow().jobs)
          .flatMap((job) => job.steps.map((step) => step.run ?? ''))
          .join('\n'),
    ],
    ['kubernetes/indexed-job.yaml', () => containerScript(indexedJob())],
    ['kubernetes/merge-job.yaml', () => containerScript(mergeJob())],
  ];
  test.each(scripts)('%s runs only losslab commands and flags that exist', (_, script) => {
    const known = knownCommands();
    const invocations = losslabInvocations(script());
    expect(invocations.length).toBeGreaterThan(0);
    for (const { command, flags, text } of invocations) {
      expect({ text, command, known: known.has(command) }).toEqual({ text, command, known: true });
      const unknownFlags = flags.filter((flag) => !known.get(command)!.has(flag));
      expect({ text, unknownFlags }).toEqual({ text, unknownFlags: [] });
    }
  });

  test('GitHub Actions: the matrix runs shards 1..4 of 4, uploads each, and the merge job merges exactly those', () => {
    const { jobs } = workflow();
    const shards = jobs.shard.strategy!.matrix.shard;
    expect(shards).toEqual([1, 2, 3, 4]);
    const runStep = jobs.shard.steps.find((step) => step.run?.includes('losslab run'))!.run!;
    const upload = jobs.shard.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with).toMatchObject({ name: 'shard-${{ matrix.shard }}', path: 'results/shard-${{ matrix.shard }}' });
    expect(jobs.merge.needs).toBe('shard');
    const download = jobs.merge.steps.find((step) => step.uses?.startsWith('actions/download-artifact'))!;
    expect(download.with).toEqual({ pattern: 'shard-*', path: 'results' });
    const printed = shards.flatMap((shard) =>
      runWithStubNpx(runStep.replace(/\$\{\{ matrix\.shard \}\}/g, String(shard)), { EXPERIMENT: 'experiments/smoke.yaml' }),
    );
    expect(printed).toEqual(shards.map((shard) => `losslab run experiments/smoke.yaml --shard ${shard}/4 --out results/shard-${shard}`));
    const mergeScript = jobs.merge.steps.map((step) => step.run ?? '').join('\n');
    const merge = losslabInvocations(mergeScript).find((invocation) => invocation.command === 'merge')!;
    expect(merge.text).toBe(`npx losslab merge ${shards.map((shard) => `results/shard-${shard}`).join(' ')} --out results/merged`);
    expect(losslabInvocations(mergeScript).map((invocation) => invocation.command)).toEqual(['merge', 'report']);
  });

  test('Kubernetes: an Indexed Job whose 0-based JOB_COMPLETION_INDEX becomes --shard index+1/N, partitioning the runs', () => {
    const job = indexedJob();
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const completions = job.spec.completions!;
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env!.map((variable) => [variable.name, variable.value]));
    expect(Number(env.SHARDS)).toBe(completions);
    const script = containerScript(job);
    const shardTexts = Array.from({ length: completions }, (_, index) => {
      const [line] = runWithStubNpx(script, { ...env, JOB_COMPLETION_INDEX: String(index) });
      expect(line).toBe(
        `losslab run experiments/smoke.yaml --shard ${index + 1}/${completions} --out /results/shard-${index + 1} --resume`,
      );
      return line.split(' ')[4];
    });
    const runs = Array.from({ length: 10 }, (_, i) => ({ id: `run-${i}` }));
    const covered = shardTexts.flatMap((text) => selectShard(runs, parseShard(text)).map((run) => run.id));
    expect(covered.sort()).toEqual(runs.map((run) => run.id).sort());
    const merge = losslabInvocations(containerScript(mergeJob())).find((invocation) => invocation.command === 'merge')!;
    const folders = Array.from({ length: completions }, (_, index) => `/results/shard-${index + 1}`);
    expect(merge.text).toBe(`npx losslab merge ${folders.join(' ')} --out /results/merged`);
  });
});
