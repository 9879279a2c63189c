// Per-metric tolerances for `losslab compare`: the defaults, the `--tol` flag syntax and the tolerance file format.
import YAML from 'yaml';
import { ConfigError } from '../errors';
import { readTextFile } from '../files/read-file';
import type { SummaryColumn } from '../results/contract';
import { didYouMean } from '../util/did-you-mean';

/** summary.csv columns that compare can check (a subset of the contract's SUMMARY_COLUMNS). */
export const SUMMARY_METRICS = [
  'final_train_loss',
  'final_test_loss',
  'final_test_accuracy',
  'best_test_accuracy',
  'final_validation_accuracy',
  'best_epoch',
  'wall_s',
] as const satisfies readonly SummaryColumn[];
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** The gradient statistic compared when both arguments are folders: step-0 preactivation L2 per layer. */
export const GRADIENT_METRIC = 'step0_preactivation_l2';

/** Every metric name a tolerance may be given for, in the order checks are listed. */
export const METRICS = [...SUMMARY_METRICS, GRADIENT_METRIC] as const;
export type Metric = (typeof METRICS)[number];

/** abs: allowed change in the metric's units; rel: a fraction of |baseline|; factor: current within baseline×/÷f. */
export const TOLERANCE_KINDS = ['abs', 'rel', 'factor'] as const;
export type ToleranceKind = (typeof TOLERANCE_KINDS)[number];

/** Which way a change counts as a regression. */
export const DIRECTIONS = ['no-drop', 'no-rise', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** One metric's tolerance. */
export interface Tolerance {
  kind: ToleranceKind;
  /** abs: metric units (accuracies are fractions); rel: fraction of |baseline| (0.05 = 5%); factor: >= 1. */
  value: number;
  direction: Direction;
}

/** The tolerance of each checked metric; a metric without an entry is not checked. */
export type Tolerances = Partial<Record<Metric, Tolerance>>;

/** Defaults: accuracies may not drop by more than 0.5 points, losses may not rise by more than 5%, gradients within ×/÷2. */
export const DEFAULT_TOLERANCES: Tolerances = {
  final_train_loss: { kind: 'rel', value: 0.05, direction: 'no-rise' },
  final_test_loss: { kind: 'rel', value: 0.05, direction: 'no-rise' },
  final_test_accuracy: { kind: 'abs', value: 0.005, direction: 'no-drop' },
  best_test_accuracy: { kind: 'abs', value: 0.005, direction: 'no-drop' },
  [GRADIENT_METRIC]: { kind: 'factor', value: 2, direction: 'both' },
};

/** The direction used when a tolerance does not name one: higher is better for accuracies, lower for losses and time. */
export const DEFAULT_DIRECTIONS: Record<Metric, Direction> = {
  final_train_loss: 'no-rise',
  final_test_loss: 'no-rise',
  final_test_accuracy: 'no-drop',
  best_test_accuracy: 'no-drop',
  final_validation_accuracy: 'no-drop',
  best_epoch: 'both',
  wall_s: 'no-rise',
  [GRADIENT_METRIC]: 'both',
};

const SPEC_EXAMPLE = 'e.g. final_test_accuracy=abs:0.005:no-drop, final_test_loss=rel:5%, step0_preactivation_l2=factor:2, wall_s=off';

/** A tolerance as text: "abs 0.005 no-drop", "rel 5% no-rise", "factor 2 both". */
export function describeTolerance(tolerance: Tolerance): string {
  const value = tolerance.kind === 'rel' ? `${round(tolerance.value * 100)}%` : String(tolerance.value);
  return `${tolerance.kind} ${value} ${tolerance.direction}`;
}

/**
 * Parses one `--tol` flag, `metric=kind:value[:direction]` or `metric=off`. Returns the metric and its tolerance
 * (null for off). Rel values are fractions or percentages (0.05 or 5%).
 */
export function parseTolFlag(text: string): { metric: Metric; tolerance: Tolerance | null } {
  const where = `--tol "${text}"`;
  const equals = text.indexOf('=');
  if (equals < 0) throw new ConfigError(`${where}: expected metric=kind:value[:direction], ${SPEC_EXAMPLE}`);
  const metric = checkMetric(text.slice(0, equals).trim(), where);
  return { metric, tolerance: parseSpec(metric, text.slice(equals + 1).trim(), where) };
}

/**
 * Reads a tolerance file (YAML or JSON): a mapping metric -> {abs|rel|factor: number, direction?} or
 * metric -> "kind:value[:direction]" or "off". Throws a ConfigError naming the file and key for anything else.
 */
export function readToleranceFile(file: string): Partial<Record<Metric, Tolerance | null>> {
  const text = readTextFile(file, 'tolerances');
  let document: unknown;
  try {
    document = YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`${file}: expected a mapping of metric names to tolerances, received ${kindOf(document)}`);
  }
  const result: Partial<Record<Metric, Tolerance | null>> = {};
  for (const [key, entry] of Object.entries(document as Record<string, unknown>)) {
    const metric = checkMetric(key, file);
    const where = `${file}: ${key}`;
    if (typeof entry === 'string') result[metric] = parseSpec(metric, entry, where);
    else if (entry && typeof entry === 'object' && !Array.isArray(entry))
      result[metric] = parseEntry(metric, entry as Record<string, unknown>, where);
    else
      throw new ConfigError(
        `${where}: expected {abs|rel|factor: number, direction: no-drop|no-rise|both} or "off", received ${kindOf(entry)}`,
      );
  }
  return result;
}

/** Defaults, then the file's entries, then the flags (later wins; "off" removes a metric). */
export function resolveTolerances(fileEntries: Partial<Record<Metric, Tolerance | null>>, flags: readonly string[]): Tolerances {
  const resolved: Partial<Record<Metric, Tolerance | null>> = { ...DEFAULT_TOLERANCES, ...fileEntries };
  for (const flag of flags) {
    const { metric, tolerance } = parseTolFlag(flag);
    resolved[metric] = tolerance;
  }
  const tolerances: Tolerances = {};
  for (const metric of METRICS) {
    const tolerance = resolved[metric];
    if (tolerance) tolerances[metric] = tolerance;
  }
  return tolerances;
}

function checkMetric(name: string, where: string): Metric {
  if ((METRICS as readonly string[]).includes(name)) return name as Metric;
  throw unknownName(where, 'metric', name, METRICS);
}

function parseSpec(metric: Metric, spec: string, where: string): Tolerance | null {
  if (spec === 'off') return null;
  const [kind, valueText, direction, ...rest] = spec.split(':');
  if (valueText === undefined || rest.length > 0) {
    throw new ConfigError(`${where}: expected kind:value[:direction] or off, received "${spec}"; ${SPEC_EXAMPLE}`);
  }
  const text = valueText.trim();
  const percent = text.endsWith('%');
  const value = text === '' ? NaN : Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1);
  const places = { kind: where, value: where, direction: where };
  return build(metric, kind.trim(), value, direction?.trim(), places, JSON.stringify(text), percent);
}

function parseEntry(metric: Metric, entry: Record<string, unknown>, where: string): Tolerance {
  const keys = [...TOLERANCE_KINDS, 'direction'];
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) throw unknownName(where, 'key', key, keys);
  }
  const kinds = TOLERANCE_KINDS.filter((kind) => kind in entry);
  if (kinds.length !== 1) {
    throw new ConfigError(
      `${where}: expected exactly one of ${TOLERANCE_KINDS.join(', ')}, received ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
    );
  }
  const kind = kinds[0];
  const raw = entry[kind];
  const percent = typeof raw === 'string' && raw.trim().endsWith('%');
  const value = typeof raw === 'number' ? raw : percent ? Number(raw.trim().slice(0, -1)) / 100 : NaN;
  const direction = entry.direction;
  if (direction !== undefined && typeof direction !== 'string') {
    throw new ConfigError(`${where}.direction: expected one of ${DIRECTIONS.join(', ')}, received ${kindOf(direction)}`);
  }
  const places = { kind: where, value: `${where}.${kind}`, direction: `${where}.direction` };
  return build(metric, kind, value, direction, places, JSON.stringify(raw), percent);
}

/** Where each part of a tolerance came from, for messages: the flag, or the file and key path. */
interface Places {
  kind: string;
  value: string;
  direction: string;
}

function build(
  metric: Metric,
  kind: string,
  value: number,
  direction: string | undefined,
  places: Places,
  raw: string,
  percent: boolean,
): Tolerance {
  if (!(TOLERANCE_KINDS as readonly string[]).includes(kind)) throw unknownName(places.kind, 'tolerance kind', kind, TOLERANCE_KINDS);
  if (percent && kind !== 'rel')
    throw new ConfigError(`${places.value}: a percentage is only meaningful for rel, received ${raw} for ${kind}`);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${places.value}: expected a number >= 0, received ${raw}`);
  if (kind === 'factor' && value < 1)
    throw new ConfigError(`${places.value}: a factor must be >= 1 (2 means within x0.5..x2), received ${raw}`);
  if (direction !== undefined && !(DIRECTIONS as readonly string[]).includes(direction)) {
    throw unknownName(places.direction, 'direction', direction, DIRECTIONS);
  }
  return { kind: kind as ToleranceKind, value, direction: (direction as Direction | undefined) ?? DEFAULT_DIRECTIONS[metric] };
}

/** `where: unknown metric "x" — did you mean "y"? Known: a, b` (a full stop instead when nothing is close). */
function unknownName(where: string, what: string, name: string, known: readonly string[]): ConfigError {
  return new ConfigError(`${where}: unknown ${what} "${name}"${didYouMean(name, known) || '.'} Known: ${known.join(', ')}`);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}
