// `losslab validate <file>`: prints the expanded runs (and the modules it checked), or the errors (exit 2).
import type { CommandModule } from 'yargs';
import { BACKEND_CHOICES, type BackendChoice } from '../../backend/select';
import { loadExperimentWithModules, type ResolvedRun } from '../../config/experiment';
import { IMAGE_SHAPE, NUM_CLASSES } from '../../data/dataset';
import { ExitCode } from '../../errors';
import { lossLabel, outputLabel } from '../../train/run-functions';
import { checkExperimentModules, moduleList, usesModules } from '../../runner/check-modules';
import { selectBackend } from '../../backend/select';
import { shapeText } from '../../models/layers';
import { modelSummary, networkText } from '../../models/shapes';
import { textTableLines } from '../../util/text-table';
import type { Io } from '../../io';

export function validateCommand(io: Io, setExit: (code: number) => void): CommandModule<object, { file: string; backend: BackendChoice }> {
  return {
    command: 'validate <file>',
    describe: 'Check an experiment file (and the modules it names) and print its expanded runs',
    builder: (y) =>
      y.positional('file', { type: 'string', demandOption: true }).option('backend', {
        choices: BACKEND_CHOICES,
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: yargs infers string from choices
        default: 'auto' as BackendChoice,
        describe: 'Backend for checking loss and activation modules (as in run)',
      }),
    handler: async (args) => {
      const experiment = await loadExperimentWithModules(args.file);
      const reports = usesModules(experiment) ? (await selectBackend(args.backend), checkExperimentModules(experiment)) : [];
      const rows = experiment.runs.map((r) => {
        const c = r.config;
        return [
          r.id,
          r.name,
          String(r.seed),
          networkText(c.model, IMAGE_SHAPE, NUM_CLASSES),
          `${c.model.hiddenActivation}/${outputLabel(c.model.outputActivation)}`,
          `${lossLabel(c.loss)}(${c.loss.outputs}${c.loss.scale !== 1 ? `×${c.loss.scale}` : ''}${c.loss.gradient !== 'autodiff' ? `, ${c.loss.gradient}` : ''})`,
          `${c.optimizer.name} η=${c.optimizer.learningRate}`,
          c.model.kernelInitializer.name,
          String(c.batchSize),
          String(c.epochs),
          String(c.hooks.every),
        ];
      });
      const header = ['id', 'name', 'seed', 'net', 'activations', 'loss', 'optimizer', 'init', 'batch', 'epochs', 'every'];
      io.out(
        `${args.file}: experiment "${experiment.name}", ${experiment.runs.length} run(s), dataset ${experiment.dataset.name} (train ${experiment.dataset.train}, validation ${experiment.dataset.validation}, test ${experiment.dataset.test}), hash ${experiment.hash}\n`,
      );
      io.out(`${textTableLines(header, rows, { rule: true }).join('\n')}\n`);
      io.out(modelSummaries(experiment.runs));
      if (reports.length > 0) {
        io.out('\nModules: code that runs with your rights, as any script you run yourself. Read them before you run them.\n');
        for (const line of moduleList(experiment)) io.out(`  ${line}\n`);
        for (const report of reports) {
          io.out(`Checked ${report.subject}:\n`);
          for (const passed of report.passed) io.out(`  ✓ ${passed}\n`);
        }
      }
      setExit(ExitCode.ok);
    },
  };
}

/**
 * One summary per distinct model of the experiment, as Keras' summary() prints it: each layer's output shape and
 * parameter count, then the total; headed by the names of the runs that use it.
 */
function modelSummaries(runs: readonly ResolvedRun[]): string {
  const byModel = new Map<string, { model: ResolvedRun['config']['model']; names: Set<string> }>();
  for (const run of runs) {
    const key = JSON.stringify(run.config.model);
    const entry = byModel.get(key) ?? { model: run.config.model, names: new Set<string>() };
    entry.names.add(run.name);
    byModel.set(key, entry);
  }
  const count = (n: number) => n.toLocaleString('en-US');
  return [...byModel.values()]
    .map(({ model, names }) => {
      const rows = modelSummary(model, IMAGE_SHAPE, NUM_CLASSES);
      const total = rows.reduce((sum, r) => sum + r.parameters, 0);
      const table = textTableLines(
        ['layer', 'type', 'output shape', 'params'],
        [...rows.map((r) => [r.name, r.type, shapeText(r.outputShape), count(r.parameters)]), ['total', '', '', count(total)]],
        { rule: true },
      );
      return `\nmodel of ${[...names].join(', ')}:\n${table.map((line) => `  ${line}`).join('\n')}\n`;
    })
    .join('');
}
