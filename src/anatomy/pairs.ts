// `losslab anatomy` pairs: "OUTPUT:LOSS[@{loss block}]" read into runs, validated and loaded exactly like the runs of an
// experiment file (loss rules, module loading, options with did-you-mean), with errors naming the pair.
import * as path from 'path';
import { parse } from 'yaml';
import { loadExperimentWithModules, type ResolvedRun } from '../config/experiment';
import { ConfigError } from '../errors';
import { LOSS_NAMES } from '../losses/registry';
import { MODULE_EXTENSIONS } from '../modules/load';
import { OUTPUT_ACTIVATION_NAMES } from '../models/activations';
import { didYouMean } from '../util/did-you-mean';
import { isPlainObject } from '../util/plain-object';

/** One pair as given on the command line, split into its parts. */
export interface PairSpec {
  text: string;
  output: string;
  loss: string;
  /** The loss block after "@", as the experiment file gives it: outputs, scale, gradient, labelSmoothing, options. */
  block: Record<string, unknown>;
}

const isPath = (text: string) => /^(\.{1,2}\/|\/)/.test(text) && (MODULE_EXTENSIONS as readonly string[]).includes(path.extname(text));
const EXAMPLE = 'e.g. softmax:cross-entropy, sigmoid:mse@{outputs: sum, scale: 0.5}, softmax:./losses/focal.mjs@{options: {gamma: 2}}';

/** Splits "OUTPUT:LOSS@{...}". The output is a built-in name or a module path; so is the loss. */
export function parsePair(text: string): PairSpec {
  const shown = JSON.stringify(text.length > 160 ? `${text.slice(0, 157)}...` : text);
  const at = text.indexOf('@{');
  const body = at < 0 ? text : text.slice(0, at);
  let block: Record<string, unknown> = {};
  if (at >= 0) {
    let parsed: unknown;
    try {
      parsed = parse(text.slice(at + 1));
    } catch (error) {
      throw new ConfigError(`pair ${shown}: the loss block after "@" is not a YAML mapping: ${(error as Error).message.split('\n')[0]}`);
    }
    if (!isPlainObject(parsed)) throw new ConfigError(`pair ${shown}: expected a mapping after "@", such as @{options: {gamma: 2}}.`);
    block = parsed;
  }
  for (let colon = body.indexOf(':'); colon > 0; colon = body.indexOf(':', colon + 1)) {
    const output = body.slice(0, colon);
    const loss = body.slice(colon + 1);
    if (loss !== '' && ((OUTPUT_ACTIVATION_NAMES as string[]).includes(output) || isPath(output))) return { text, output, loss, block };
  }
  const first = body.split(':')[0];
  const known = OUTPUT_ACTIVATION_NAMES.join(', ');
  const hint = body.includes(':')
    ? `unknown output activation "${first}"${didYouMean(first, OUTPUT_ACTIVATION_NAMES) || '.'} Known: ${known}, or a module path.`
    : 'expected OUTPUT:LOSS.';
  throw new ConfigError(`pair ${shown}: ${hint} A pair is OUTPUT:LOSS[@{loss block}], ${EXAMPLE}.`);
}

/**
 * The pairs as resolved runs (one each, with their modules loaded; module paths relative to the working folder).
 * Problems are ConfigErrors naming the pair, as in an experiment file.
 */
export async function resolvePairs(pairs: readonly PairSpec[]): Promise<ResolvedRun[]> {
  const runs = pairs.map((pair, index) => {
    const output = isPath(pair.output) ? { module: pair.output } : pair.output;
    // A built-in by name; anything with a module's extension is a module (a bare file name then gets "not a path").
    const named =
      (LOSS_NAMES as string[]).includes(pair.loss) || !(MODULE_EXTENSIONS as readonly string[]).includes(path.extname(pair.loss));
    const loss = named ? { name: pair.loss } : { module: pair.loss };
    return { name: `pair${index + 1}`, model: { outputActivation: output }, loss: { ...pair.block, ...loss } };
  });
  const text = JSON.stringify({ name: 'anatomy', seeds: [1], runs });
  return inPairTerms(pairs, () => loadExperimentWithModules(path.join(process.cwd(), 'anatomy-pairs.json'), {}, text).then((e) => e.runs));
}

/**
 * Runs `step`, rewriting its ConfigError lines from the synthetic experiment's terms ("<file>:1:80: runs[1].loss.x:")
 * into the pair's ("pair "softmax:mse": loss.x:").
 */
export async function inPairTerms<T>(pairs: readonly PairSpec[], step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const message = error.message
      .split('\n')
      .map((line) => line.replace(/^.*?: runs\[(\d+)\]\.?/, (_, i: string) => `pair ${JSON.stringify(pairs[Number(i)].text)}: `))
      .join('\n');
    throw new ConfigError(message, { cause: error.cause });
  }
}
