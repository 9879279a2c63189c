// Run groups: the runs sharing a name (they differ only by seed), ordered so that a grid reads as a table.
import { gridValueText } from '../util/grid-text';
import type { ResultsData, RunData } from './load';

/** Statuses whose results the tables aggregate; other runs are listed as left out. */
export const REPORTED_STATUSES: readonly string[] = ['complete', 'diverged'];

/** The seeds of one run name. */
export interface RunGroup {
  name: string;
  /** Values of the experiment's grid keys for this group (from experiment.json), keyed by dotted key. */
  gridValues: Record<string, unknown>;
  /** The group's reported runs, in summary.csv order. */
  runs: RunData[];
}

/**
 * Groups the reported runs by name. Groups come in experiment.json order, then stably sorted by each grid key
 * in turn (values in order of first appearance), so rows sharing the leading key values sit together.
 */
export function groupRuns(data: ResultsData): RunGroup[] {
  const order = new Map<string, number>();
  const gridValuesByName = new Map<string, Record<string, unknown>>();
  for (const run of data.experiment.runs) {
    if (!order.has(run.name)) order.set(run.name, order.size);
    if (!gridValuesByName.has(run.name)) gridValuesByName.set(run.name, run.gridValues ?? {});
  }
  const groups = new Map<string, RunGroup>();
  for (const run of data.runs.filter((r) => REPORTED_STATUSES.includes(r.status))) {
    let group = groups.get(run.name);
    if (group === undefined) {
      group = { name: run.name, gridValues: gridValuesByName.get(run.name) ?? {}, runs: [] };
      groups.set(run.name, group);
    }
    group.runs.push(run);
  }
  const byExperimentOrder = [...groups.values()].sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
  return sortByGrid(byExperimentOrder, data.experiment.gridKeys);
}

/** Stable sort by grid keys, most significant first, each key's values ranked by first appearance. */
function sortByGrid(groups: RunGroup[], gridKeys: readonly string[]): RunGroup[] {
  const ranks = gridKeys.map((key) => {
    const rank = new Map<string, number>();
    for (const group of groups) {
      const text = gridValueText(group.gridValues[key]);
      if (!rank.has(text)) rank.set(text, rank.size);
    }
    return rank;
  });
  return groups
    .map((group, index) => ({ group, index }))
    .sort((a, b) => {
      for (let k = 0; k < gridKeys.length; k++) {
        const ra = ranks[k].get(gridValueText(a.group.gridValues[gridKeys[k]]))!;
        const rb = ranks[k].get(gridValueText(b.group.gridValues[gridKeys[k]]))!;
        if (ra !== rb) return ra - rb;
      }
      return a.index - b.index;
    })
    .map(({ group }) => group);
}

/** Runs in summary.csv that the tables leave out (pending, running, interrupted, failed), as "id (status)". */
export function leftOutRuns(data: ResultsData): string[] {
  return data.runs.filter((r) => !REPORTED_STATUSES.includes(r.status)).map((r) => `${r.id} (${r.status})`);
}

export { gridValueText };
