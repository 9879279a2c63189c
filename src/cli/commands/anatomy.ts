// `losslab anatomy PAIR...`: the loss and ∂L/∂z of output:loss pairs against the output probability (anatomy.csv, .svg).
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { anatomyOf } from '../../anatomy/compute';
import { inPairTerms, parsePair, resolvePairs } from '../../anatomy/pairs';
import { summaryText, writeAnatomy } from '../../anatomy/write';
import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../../backend/select';
import { ExitCode } from '../../errors';
import type { Io } from '../../io';
import { checkExperimentModules, moduleList, usesModules } from '../../runner/check-modules';
import { lossOf, outputActivationOf } from '../../train/run-functions';

interface AnatomyArgs {
  pairs: string[];
  out: string;
  backend: BackendChoice;
}

export function anatomyCommand(io: Io, setExit: (code: number) => void): CommandModule<object, AnatomyArgs> {
  return {
    command: 'anatomy <pairs..>',
    describe: 'Loss and ∂L/∂z of output:loss pairs against the output probability: does the gradient vanish when wrong?',
    builder: (y) =>
      y
        .positional('pairs', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'OUTPUT:LOSS[@{loss block}], e.g. sigmoid:mse softmax:cross-entropy softmax:./losses/focal.mjs@{options: {gamma: 2}}',
        })
        .option('out', {
          type: 'string',
          default: path.join('results', 'anatomy'),
          describe: 'Folder for anatomy.csv, anatomy-summary.csv, .svg, .html',
        })
        .option('backend', {
          choices: BACKEND_CHOICES,
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: yargs infers string from choices
          default: 'auto' as BackendChoice,
          describe: 'auto tries tensorflow, then wasm, then cpu',
        })
        .example('$0 anatomy sigmoid:mse softmax:cross-entropy', "the seed question's two pairs")
        .example("$0 anatomy 'sigmoid:mse@{gradient: skip-activation-derivative}' sigmoid:binary-cross-entropy", 'the asker’s plan'),
    handler: async (args) => {
      const pairs = args.pairs.map(parsePair);
      const runs = await resolvePairs(pairs);
      await selectBackend(args.backend);
      if (usesModules({ runs })) {
        await inPairTerms(pairs, () => checkExperimentModules({ runs }));
        io.out(`losslab: ${moduleList({ runs }).join('; ')}: loaded and checked (a module is code that runs with your rights)\n`);
      }
      const results = runs.map((run, index) => {
        const output = outputActivationOf(run.config, run.modules);
        return anatomyOf(pairs[index].text, lossOf(run.config, run.modules, output));
      });
      const files = await writeAnatomy(
        args.out,
        results.flatMap((r) => r.rows),
        results.map((r) => r.summary),
      );
      io.out(summaryText(results.map((r) => r.summary)));
      io.out(`losslab anatomy: wrote ${files.map((f) => path.basename(f)).join(', ')} to ${args.out}\n`);
      setExit(ExitCode.ok);
    },
  };
}
