// `losslab validate <file>`: prints the expanded runs, or the errors (exit 2).
import type { CommandModule } from 'yargs';
import { loadExperiment } from '../../config/experiment';
import { ExitCode } from '../../errors';
import { textTableLines } from '../../util/text-table';
import type { Io } from '../../io';

export function validateCommand(io: Io, setExit: (code: number) => void): CommandModule<object, { file: string }> {
  return {
    command: 'validate <file>',
    describe: 'Check an experiment file and print its expanded runs',
    builder: (y) => y.positional('file', { type: 'string', demandOption: true }),
    handler: (args) => {
      const experiment = loadExperiment(args.file);
      const rows = experiment.runs.map((r) => {
        const c = r.config;
        return [
          r.id,
          r.name,
          String(r.seed),
          [784, ...c.model.hidden, 10].join('-'),
          `${c.model.hiddenActivation}/${c.model.outputActivation}`,
          `${c.loss.name}(${c.loss.outputs}${c.loss.scale !== 1 ? `×${c.loss.scale}` : ''}${c.loss.gradient !== 'autodiff' ? `, ${c.loss.gradient}` : ''})`,
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
      setExit(ExitCode.ok);
    },
  };
}
