/**
 * Activation throughput: Gelem/s (medians) of every activation forward and backward over 4M
 * float32 (preallocated outputs) on 1 and 2 threads, row softmax (rows of 1000) forward and
 * backward, exp through the elementwise `unary` entry point when it exists, and numpy's figures
 * for sigmoid, tanh, relu, exp and softmax in the same run, with ratios.
 */
import { spawnSync } from 'node:child_process';
import { ACTIVATIONS, UNARY_OPS } from '../src/backend/backend.js';
import { NativeBackend } from '../src/backend/native.js';
import { Random } from '../src/random.js';
import { findPython, printJson, round, timeIt } from './util.js';

const N = 4 * 1024 * 1024;
const COLS = 1000;

function gelems(seconds: number, n = N): number {
  return round(n / seconds / 1e9, 3);
}

function numpyFigures(py: string, threads: number): Record<string, number> | undefined {
  const script = `
import json, time, numpy as np
n = ${N}; cols = ${COLS}; rows = n // cols
rng = np.random.default_rng(1)
x = (rng.random(n, dtype=np.float32) * 20 - 10).astype(np.float32)
out = np.empty_like(x)
def med(f, reps=7):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort(); return ts[len(ts) // 2]
def sig():
    np.negative(x, out=out); np.exp(out, out=out); np.add(out, 1, out=out); np.reciprocal(out, out=out)
xs = x[: rows * cols].reshape(rows, cols); ys = np.empty_like(xs)
def softmax():
    m = xs.max(axis=1, keepdims=True); np.subtract(xs, m, out=ys); np.exp(ys, out=ys); np.divide(ys, ys.sum(axis=1, keepdims=True), out=ys)
r = {
  'sigmoid': n / med(sig) / 1e9,
  'tanh': n / med(lambda: np.tanh(x, out=out)) / 1e9,
  'relu': n / med(lambda: np.maximum(x, 0, out=out)) / 1e9,
  'exp': n / med(lambda: np.exp(x, out=out)) / 1e9,
  'softmax': rows * cols / med(softmax) / 1e9,
}
print(json.dumps(r))
`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(`numpy peer failed: ${r.stderr}\n`);
    return undefined;
  }
  const parsed = JSON.parse(r.stdout) as Record<string, number>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, round(v, 3)]));
}

export async function main(args: string[]): Promise<void> {
  const threadCounts = args.includes('--threads=1') ? [1] : [1, 2];
  const native = new NativeBackend();
  const rng = new Random(7);
  const x = new Float32Array(N);
  for (let i = 0; i < N; i++) x[i] = -10 + 20 * rng.uniform();
  const y = new Float32Array(N);
  const dy = new Float32Array(N).fill(0.5);
  const dx = new Float32Array(N);
  const rows = Math.floor(N / COLS);
  const sx = x.subarray(0, rows * COLS);
  const sy = new Float32Array(rows * COLS);
  const sdx = new Float32Array(rows * COLS);
  const sdy = dy.subarray(0, rows * COLS);
  const before = native.threads();
  const result: Record<string, unknown> = { isa: native.isa(), elements: N, unit: 'Gelem/s (median)' };

  const hasUnaryExp = (() => {
    try {
      native.unary('exp', x.subarray(0, 16), y.subarray(0, 16), 0, 0);
      return true;
    } catch {
      return false;
    }
  })();
  void UNARY_OPS;

  for (const t of threadCounts) {
    native.setNumThreads(t);
    const forward: Record<string, number> = {};
    const backward: Record<string, number> = {};
    for (const act of ACTIVATIONS) {
      const alpha = act === 'leaky_relu' ? 0.01 : act === 'elu' ? 1 : 0;
      native.activation(act, x, y, alpha);
      forward[act] = gelems(timeIt(() => native.activation(act, x, y, alpha)));
      backward[act] = gelems(timeIt(() => native.activationBackward(act, x, y, dy, dx, alpha)));
    }
    native.softmax(sx, sy, rows, COLS, false);
    const softmax = {
      forward: gelems(timeIt(() => native.softmax(sx, sy, rows, COLS, false)), rows * COLS),
      backward: gelems(timeIt(() => native.softmaxBackward(sy, sdy, sdx, rows, COLS, false)), rows * COLS),
      logForward: gelems(timeIt(() => native.softmax(sx, sy, rows, COLS, true)), rows * COLS),
    };
    const entry: Record<string, unknown> = { forward, backward, softmaxRows1000: softmax };
    if (hasUnaryExp) entry.exp = gelems(timeIt(() => native.unary('exp', x, y, 0, 0)));
    const py = findPython(['numpy']);
    const np = py ? numpyFigures(py, t) : undefined;
    if (np) {
      const ours: Record<string, number> = {
        sigmoid: forward.sigmoid!, tanh: forward.tanh!, relu: forward.relu!, softmax: softmax.forward,
      };
      if (typeof entry.exp === 'number') ours.exp = entry.exp;
      entry.numpy = np;
      entry.ratioVsNumpy = Object.fromEntries(
        Object.entries(ours).map(([k, v]) => [k, np[k] ? round(v / np[k]!, 2) : null]),
      );
    } else {
      entry.numpy = 'not available (no python3 with numpy)';
    }
    result[`threads${t}`] = entry;
  }
  native.setNumThreads(before);
  printJson(result);
}
