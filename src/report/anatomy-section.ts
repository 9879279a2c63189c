// The report's optional "Loss anatomy" section, from the files `losslab anatomy --out <results>/anatomy` wrote.
import { anatomySpec } from '../anatomy/chart';
import { summaryTable } from '../anatomy/summary-table';
import { ANATOMY_SUMMARY_COLUMNS } from '../results/contract';
import type { AnatomyData } from './anatomy-read';
import type { ChartSpec } from './charts';
import type { ReportTable } from './table';

/** The section's table (tables/anatomy.csv) and plot (plots/anatomy.svg). */
export function anatomyBlocks(anatomy: AnatomyData): { table: ReportTable; chart: ChartSpec } {
  const { header, rows } = summaryTable(anatomy.summary);
  return {
    table: {
      name: 'anatomy',
      title: 'Loss anatomy',
      description:
        'One example, K = 10: the loss and maxₖ |∂L/∂zₖ| when confidently wrong (p_true = 0.01) and right (0.99). "Vanishes": the gradient, confidently wrong, is below 10% of its peak over p (the learning slowdown).',
      headers: header,
      align: header.map((_, i) => (i < 2 || i === header.length - 1 ? 'left' : 'right')),
      rows,
      groupColumns: 0,
      csvColumns: [...ANATOMY_SUMMARY_COLUMNS],
      csvRows: anatomy.summary as unknown as Record<string, unknown>[],
    },
    chart: {
      name: 'anatomy',
      title: 'Loss anatomy',
      caption:
        'The loss of one example and |∂L/∂z| at the logits against the output probability; one line per output:loss pair, log y scales from 1e-5.',
      spec: anatomySpec(anatomy.rows),
    },
  };
}
