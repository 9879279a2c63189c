// Soak test (not in CI): trains one run for N epochs on full MNIST and prints RSS and tf.memory() per epoch.
// Usage: node dist/scripts/soak.js [epochs=20] [backend=auto]. Exits 1 if numTensors or numBytes grow after epoch 1.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice } from '../src/backend/select';
import { loadExperiment } from '../src/config/experiment';
import { loadDataset } from '../src/data/datasets';
import { trainRun } from '../src/train/trainer';

/** The soaked run: the quickstart's sigmoid net with softmax + cross-entropy, gradients recorded every 100 steps. */
const SOAK_EXPERIMENT = `
name: soak
dataset: {name: mnist, train: 60000, test: 10000}
seeds: [1]
defaults:
  model: {hidden: [100], hiddenActivation: sigmoid}
  optimizer: {name: momentum, learningRate: 0.05}
  batchSize: 32
  hooks: {every: 100}
runs:
  - name: soak
    loss: {name: cross-entropy}
`;

/** One line per epoch, measured at the epoch's last step (same point in every epoch). */
interface EpochSample {
  epoch: number;
  rssMb: number;
  numTensors: number;
  numBytes: number;
}

/** Runs the soak and resolves to the exit code: 0 flat, 1 tensors or bytes grew. */
export async function soak(epochs: number, backend: BackendChoice, print: (line: string) => void): Promise<number> {
  const experiment = loadExperiment('soak.yaml', { epochs }, SOAK_EXPERIMENT);
  const [run] = experiment.runs;
  const selection = await selectBackend(backend);
  const dataset = loadDataset(experiment.dataset);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-soak-'));
  const samples: EpochSample[] = [];
  print(`soak: ${epochs} epochs on ${selection.backend}, results in ${runDir} (removed at the end)\n`);
  print('epoch  rss_mb  num_tensors  num_bytes\n');
  try {
    await trainRun(run, dataset, {
      runDir,
      saveModels: false,
      onProgress: (p) => {
        if (p.stepInEpoch !== p.stepsPerEpoch) return;
        const memory = tf.memory();
        const sample = {
          epoch: p.epoch,
          rssMb: process.memoryUsage().rss / 2 ** 20,
          numTensors: memory.numTensors,
          numBytes: memory.numBytes,
        };
        samples.push(sample);
        print(
          `${String(sample.epoch).padStart(5)}  ${sample.rssMb.toFixed(1).padStart(6)}  ${String(sample.numTensors).padStart(11)}  ${String(sample.numBytes).padStart(9)}\n`,
        );
      },
    });
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  const first = samples[0];
  const grown = samples.find((s) => s.numTensors > first.numTensors || s.numBytes > first.numBytes);
  if (grown) {
    print(
      `soak: LEAK: epoch ${grown.epoch} holds ${grown.numTensors} tensors / ${grown.numBytes} bytes, epoch 1 held ${first.numTensors} / ${first.numBytes}\n`,
    );
    return 1;
  }
  const rss = samples.map((s) => s.rssMb);
  print(`soak: numTensors flat at ${first.numTensors}; RSS ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)} MB\n`);
  return 0;
}

if (require.main === module) {
  const epochs = process.argv[2] === undefined ? 20 : Number(process.argv[2]);
  if (!Number.isInteger(epochs) || epochs < 1) {
    process.stderr.write(`soak: epochs: expected an integer >= 1, received "${process.argv[2]}"\n`);
    process.exit(2);
  }
  soak(epochs, (process.argv[3] ?? 'auto') as BackendChoice, (line) => process.stdout.write(line)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`soak: ${error.message}\n`);
      process.exit(2);
    },
  );
}
