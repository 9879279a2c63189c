// The report's content, independent of output format: provenance, tables, plots and notes in reading order.
import { anatomyBlocks } from './anatomy-section';
import { differencesChart, reportCharts, type ChartSpec } from './charts';
import { differencesTable, readDifferenceSettings, type DifferenceSettings } from './differences-table';
import { groupRuns, leftOutRuns } from './groups';
import { gradientFlowTable, gradientsTable } from './gradients-table';
import type { ResultsData } from './load';
import { readReference, referenceTable } from './reference-table';
import { runsTable } from './runs-table';
import type { ReportTable } from './table';

/** A piece of a section: a table or a plot. */
export type Block = { kind: 'table'; table: ReportTable } | { kind: 'chart'; chart: ChartSpec };

export interface Section {
  title: string;
  blocks: Block[];
}

/** Everything a renderer (Markdown, HTML) needs. */
export interface ReportModel {
  title: string;
  description: string;
  /** Provenance lines: source, hash, runs, versions, times. */
  facts: [string, string][];
  sections: Section[];
  tables: ReportTable[];
  charts: ChartSpec[];
  /** Runs left out and files missing. */
  notes: string[];
}

/** Builds the report from a loaded results folder; `overrides` replace experiment.json's `report` settings. */
export function buildReport(data: ResultsData, overrides: Partial<DifferenceSettings> = {}): ReportModel {
  const { experiment, manifest } = data;
  const groups = groupRuns(data);
  const gridKeys = experiment.gridKeys;
  const runs = runsTable(groups, gridKeys);
  const gradients = gradientsTable(groups, gridKeys);
  const flow = gradientFlowTable(groups, gridKeys);
  const reference = readReference(data);
  const refTable = reference === undefined ? undefined : referenceTable(reference, groups);
  const differenceSettings = readDifferenceSettings(data, overrides);
  const differences = differencesTable(groups, data, differenceSettings);
  const charts = [...reportCharts(groups), ...(differences ? [differencesChart(differences, gridKeys)] : [])].filter(
    (c) => (c.spec.data as { values: unknown[] }).values.length > 0,
  );
  const chart = (name: string): Block[] => charts.filter((c) => c.name === name).map((c) => ({ kind: 'chart', chart: c }));

  const sections: Section[] = [{ title: 'Runs', blocks: [{ kind: 'table', table: runs }] }];
  if (refTable !== undefined) sections.push({ title: refTable.title, blocks: [{ kind: 'table', table: refTable }] });
  if (differences !== undefined) {
    sections.push({ title: differences.title, blocks: [{ kind: 'table', table: differences }, ...chart('differences')] });
  }
  sections.push({ title: 'Training curves', blocks: [...chart('test-accuracy'), ...chart('train-loss')] });
  sections.push({
    title: 'Gradients',
    blocks: [
      { kind: 'table', table: flow },
      ...chart('gradient-l2-step0-by-layer'),
      { kind: 'table', table: gradients },
      ...chart('gradient-l2-by-step'),
    ],
  });

  const anatomy = data.anatomy === undefined ? undefined : anatomyBlocks(data.anatomy);
  if (anatomy)
    sections.push({
      title: 'Loss anatomy',
      blocks: [
        { kind: 'table', table: anatomy.table },
        { kind: 'chart', chart: anatomy.chart },
      ],
    });

  const statusCounts = new Map<string, number>();
  for (const run of data.runs) statusCounts.set(run.status, (statusCounts.get(run.status) ?? 0) + 1);
  const statuses = [...statusCounts.entries()].map(([status, count]) => `${count} ${status}`).join(', ');
  const facts: [string, string][] = [
    ['Experiment', `${experiment.source ?? '?'} (hash ${experiment.hash ?? '?'})`],
    ['Runs', `${data.runs.length} (${statuses || 'none'}) in ${groups.length} group${groups.length === 1 ? '' : 's'} of seeds`],
  ];
  if (gridKeys.length > 0) facts.push(['Grid', gridKeys.join(' × ')]);
  facts.push([
    'Produced by',
    `losslab ${manifest.losslab ?? '?'}, TensorFlow.js ${manifest.tfjs ?? '?'} (${manifest.backend ?? '?'} backend), Node ${manifest.node ?? '?'}`,
  ]);
  facts.push(['Ran', `${manifest.startedAt ?? '?'} to ${manifest.endedAt ?? 'not finished'}`]);

  const leftOut = leftOutRuns(data);
  const notes = [
    ...(leftOut.length > 0 ? [`Left out of the tables and plots (not complete or diverged): ${leftOut.join(', ')}.`] : []),
    ...data.warnings,
    ...(differenceSettings.note !== undefined ? [differenceSettings.note] : []),
  ];
  const tables = [
    runs,
    ...(refTable ? [refTable] : []),
    ...(differences ? [differences] : []),
    gradients,
    flow,
    ...(anatomy ? [anatomy.table] : []),
  ];
  return {
    title: `Report: ${experiment.name}`,
    description: experiment.description ?? '',
    facts,
    sections,
    tables,
    charts: [...charts, ...(anatomy ? [anatomy.chart] : [])],
    notes,
  };
}
