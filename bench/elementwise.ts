/**
 * Elementwise throughput: Gelem/s (medians) over 4M float32 at one thread for add (same shape),
 * add with a row broadcast ([4096, 1024] + [1024]), mul, exp, log, sqrt, sum of everything, mean
 * along the last axis and max along axis 0 of [4096, 1024]; numpy's figures for the same in the
 * same run, with ratios. Options: --isa=<name> forces a path, --threads=<n> (default 1).
 */
import { spawnSync } from 'node:child_process';
import { NativeBackend } from '../src/backend/native.js';
import { Random } from '../src/random.js';
import { findPython, printJson, round, timeIt } from './util.js';

const ROWS = 4096;
const COLS = 1024;
const N = ROWS * COLS;

function gelems(seconds: number, n = N): number {
  return round(n / seconds / 1e9, 3);
}

function numpyFigures(py: string, threads: number): Record<string, number> | undefined {
  const script = `
import json, time, numpy as np
rows, cols = ${ROWS}, ${COLS}; n = rows * cols
rng = np.random.default_rng(1)
x = (rng.random(n, dtype=np.float32) * 2 - 1).astype(np.float32)
y = (rng.random(n, dtype=np.float32) * 2 - 1).astype(np.float32)
pos = (rng.random(n, dtype=np.float32) * 10 + 0.01).astype(np.float32)
bias = (rng.random(cols, dtype=np.float32)).astype(np.float32)
out = np.empty_like(x)
X = x.reshape(rows, cols); O = out.reshape(rows, cols)
m = np.empty(rows, dtype=np.float32); mx = np.empty(cols, dtype=np.float32)
def med(f, reps=7):
    f(); f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort(); return ts[len(ts) // 2]
r = {
  'add': n / med(lambda: np.add(x, y, out=out)) / 1e9,
  'addRowBroadcast': n / med(lambda: np.add(X, bias, out=O)) / 1e9,
  'mul': n / med(lambda: np.multiply(x, y, out=out)) / 1e9,
  'exp': n / med(lambda: np.exp(x, out=out)) / 1e9,
  'log': n / med(lambda: np.log(pos, out=out)) / 1e9,
  'sqrt': n / med(lambda: np.sqrt(pos, out=out)) / 1e9,
  'sumAll': n / med(lambda: np.sum(x)) / 1e9,
  'meanLastAxis': n / med(lambda: np.mean(X, axis=1, out=m)) / 1e9,
  'maxAxis0': n / med(lambda: np.max(X, axis=0, out=mx)) / 1e9,
}
print(json.dumps(r))
`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8', env });
  if (r.status !== 0) return undefined;
  const parsed = JSON.parse(r.stdout) as Record<string, number>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, round(v, 3)]));
}

function option(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export async function main(args: string[]): Promise<void> {
  const native = new NativeBackend();
  const isa = option(args, 'isa');
  const threads = Number(option(args, 'threads') ?? 1);
  const isaBefore = native.isa();
  const threadsBefore = native.threads();
  if (isa) native.setIsa(isa);
  native.setNumThreads(threads);

  const rng = new Random(11);
  const x = new Float32Array(N);
  const y = new Float32Array(N);
  const pos = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    x[i] = rng.uniform() * 2 - 1;
    y[i] = rng.uniform() * 2 - 1;
    pos[i] = rng.uniform() * 10 + 0.01;
  }
  const bias = new Float32Array(COLS).map(() => rng.uniform());
  const out = new Float32Array(N);
  const sum = new Float32Array(1);
  const means = new Float32Array(ROWS);
  const maxes = new Float32Array(COLS);
  const flat = [N];
  const grid = [ROWS, COLS];

  const ours: Record<string, number> = {
    add: gelems(timeIt(() => native.binary('add', x, flat, y, flat, out, flat))),
    addRowBroadcast: gelems(timeIt(() => native.binary('add', x, grid, bias, [COLS], out, grid))),
    mul: gelems(timeIt(() => native.binary('mul', x, flat, y, flat, out, flat))),
    exp: gelems(timeIt(() => native.unary('exp', x, out, 0, 0))),
    log: gelems(timeIt(() => native.unary('log', pos, out, 0, 0))),
    sqrt: gelems(timeIt(() => native.unary('sqrt', pos, out, 0, 0))),
    sumAll: gelems(timeIt(() => native.reduce('sum', x, 1, N, 1, sum, 0))),
    meanLastAxis: gelems(timeIt(() => native.reduce('mean', x, ROWS, COLS, 1, means, 0))),
    maxAxis0: gelems(timeIt(() => native.reduce('max', x, 1, ROWS, COLS, maxes, 0))),
  };
  const result: Record<string, unknown> = {
    isa: native.isa(), threads: native.threads(), elements: N, unit: 'Gelem/s (median)', dendrite: ours,
  };
  native.setNumThreads(threadsBefore);
  native.setIsa(isaBefore);

  const py = findPython(['numpy']);
  const np = py ? numpyFigures(py, threads) : undefined;
  if (np) {
    result.numpy = np;
    result.ratioVsNumpy = Object.fromEntries(
      Object.entries(ours).map(([k, v]) => [k, np[k] ? round(v / np[k]!, 2) : null]),
    );
  } else {
    result.numpy = 'not available (no python3 with numpy)';
  }
  printJson(result);
}
