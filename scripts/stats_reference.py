#!/usr/bin/env python3
"""Independent reference numbers for src/stats.ts, computed with scipy (and plain Python for the bootstrap).

Writes test/fixtures/stats/reference.json, which test/stats.test.ts checks src/stats.ts against.
Re-run after changing a case: python3 scripts/stats_reference.py  (needs numpy and scipy).
"""
import json
import math
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'stats', 'reference.json')
ALPHA = 0.05

# Two-sample cases: R's sleep data (the textbook Welch example of t.test's help page), seed-like accuracy
# arms, arms of different sizes, one arm without spread, and a skewed arm with one stalled seed.
WELCH_CASES = {
    'sleep': ([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0], [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]),
    'accuracy-3-seeds': ([0.9601, 0.9589, 0.9617], [0.9545, 0.9578, 0.9592]),
    'unequal-sizes': ([4.1, 5.3, 3.9, 4.8, 5.0], [3.2, 2.9, 3.5]),
    'one-arm-constant': ([2.0, 2.0, 2.0], [3.0, 4.0, 5.0, 4.0]),
    'stalled-seed': ([0.95, 0.951, 0.949, 0.952, 0.948, 0.95, 0.953, 0.947, 0.95, 0.62],
                     [0.94, 0.941, 0.939, 0.942, 0.938, 0.94, 0.943, 0.937, 0.94, 0.944]),
}

POWER_CASES = [  # (difference, stdA, stdB, seeds per arm)
    (0.5, 1.0, 1.0, 64),
    (0.36, 0.14, 0.20, 3),
    (0.36, 0.14, 0.20, 5),
    (0.0032, 0.0017, 0.0036, 10),
    (1.0, 0.5, 2.0, 12),
]
SEEDS_CASES = [  # (difference, stdA, stdB): fewest seeds per arm with power >= 0.8
    (0.5, 1.0, 1.0),  # Cohen (1988), table 2.4.1: d = 0.5 needs 64 per group
    (0.8, 1.0, 1.0),  # and d = 0.8 needs 26
    (0.36, 0.14, 0.20),  # the README's softmax+CE against sigmoid+MSE, best accuracy
    (0.0032, 0.0017, 0.0036),
    (1.0, 0.5, 2.0),
    (3.0, 1.0, 0.0),
]


def welch_power(difference, std_a, std_b, n):
    va, vb = std_a ** 2, std_b ** 2
    df = (va + vb) ** 2 * (n - 1) / (va ** 2 + vb ** 2)
    ncp = abs(difference) / math.sqrt((va + vb) / n)
    crit = stats.t.ppf(1 - ALPHA / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


def seeds_for_power(difference, std_a, std_b):
    n = 2
    while welch_power(difference, std_a, std_b, n) < 0.8:
        n += 1
    return n


# The bootstrap resampler of src/data/rng.ts (splitmix32-seeded xoshiro128**, rejection-sampled nextInt),
# written again here from the algorithms' definitions, so the two implementations check each other.
M32 = 0xFFFFFFFF


def splitmix32(state):
    nxt = (state + 0x9E3779B9) & M32
    z = nxt
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return nxt, (z ^ (z >> 16)) & M32


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128ss:
    def __init__(self, seed):
        state = seed & M32
        words = []
        for _ in range(4):
            state, value = splitmix32(state)
            words.append(value)
        self.s = words

    def next_uint32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def next_int(self, n):
        limit = 2 ** 32 - (2 ** 32 % n)
        draw = self.next_uint32()
        while draw >= limit:
            draw = self.next_uint32()
        return draw % n


def bootstrap(a, b, resamples, seed):
    rng = Xoshiro128ss(seed)
    diffs = []
    for _ in range(resamples):
        ma = sum(a[rng.next_int(len(a))] for _ in range(len(a))) / len(a)
        mb = sum(b[rng.next_int(len(b))] for _ in range(len(b))) / len(b)
        diffs.append(ma - mb)
    diffs = np.array(diffs)
    at_most, at_least = int((diffs <= 0).sum()), int((diffs >= 0).sum())
    return {
        'low': float(np.quantile(diffs, ALPHA / 2)),
        'high': float(np.quantile(diffs, 1 - ALPHA / 2)),
        'p': min(1.0, 2 * (min(at_most, at_least) + 1) / (resamples + 1)),
    }


FIXTURE = os.path.join(HERE, '..', 'test', 'fixtures', 'report', 'three-seeds', 'summary.csv')


def holm(p_values):
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def three_seeds_differences():
    """The differences table of test/fixtures/report/three-seeds: each run against softmax-cross-entropy at the same
    initialisation, final then best test accuracy (the only metrics with values in both runs of every pair)."""
    import csv
    with open(FIXTURE) as f:
        rows = list(csv.DictReader(f))
    by_name = {}
    for row in rows:
        by_name.setdefault(row['name'], []).append(row)
    names = list(by_name)
    out = []
    for metric in ['final_test_accuracy', 'best_test_accuracy']:
        for init in ['normal-fan-in', 'glorot-uniform']:
            reference = next(n for n in names if n.startswith('softmax-cross-entropy[') and init in n)
            for name in names:
                if name == reference or init not in name:
                    continue
                a = [float(r[metric]) for r in by_name[name]]
                b = [float(r[metric]) for r in by_name[reference]]
                result = stats.ttest_ind(a, b, equal_var=False)
                interval = result.confidence_interval(0.95)
                out.append({'metric': metric, 'run': name.split('[')[0], 'init': init,
                            'difference': float(np.mean(a) - np.mean(b)), 'low': float(interval.low), 'high': float(interval.high),
                            'df': float(result.df), 'p': float(result.pvalue),
                            'seeds': seeds_for_power(np.mean(a) - np.mean(b), np.std(a, ddof=1), np.std(b, ddof=1))})
    for row, adjusted in zip(out, holm([row['p'] for row in out])):
        row['pHolm'] = adjusted
    return out


def main():
    welch = {}
    for name, (a, b) in WELCH_CASES.items():
        result = stats.ttest_ind(a, b, equal_var=False)
        interval = result.confidence_interval(0.95)
        welch[name] = {
            'a': a, 'b': b,
            'difference': float(np.mean(a) - np.mean(b)),
            't': float(result.statistic), 'df': float(result.df), 'p': float(result.pvalue),
            'low': float(interval.low), 'high': float(interval.high),
            'skewnessA': float(stats.skew(a, bias=False)) if np.std(a) > 0 else None,
            'skewnessB': float(stats.skew(b, bias=False)) if np.std(b) > 0 else None,
            'meanIntervalA': [float(x) for x in stats.t.interval(0.95, len(a) - 1, loc=np.mean(a), scale=stats.sem(a))]
            if np.std(a) > 0 else None,
        }
    boot = {name: bootstrap(WELCH_CASES[name][0], WELCH_CASES[name][1], 2000, 7) for name in ['accuracy-3-seeds', 'stalled-seed']}
    reference = {
        'welch': welch,
        'bootstrap': {'resamples': 2000, 'seed': 7, 'cases': boot},
        'power': [{'difference': d, 'stdA': sa, 'stdB': sb, 'seeds': n, 'power': welch_power(d, sa, sb, n)} for d, sa, sb, n in POWER_CASES],
        'seedsForPower': [{'difference': d, 'stdA': sa, 'stdB': sb, 'seeds': seeds_for_power(d, sa, sb)} for d, sa, sb in SEEDS_CASES],
        'threeSeedsDifferences': three_seeds_differences(),
        'tQuantile975': {str(df): float(stats.t.ppf(0.975, df)) for df in [1, 2, 3.6, 17.776, 100]},
    }
    with open(OUT, 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
