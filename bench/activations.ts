/**
 * Activation throughput: Gelem/s (medians) of every activation forward and backward over 4M
 * float32 (preallocated outputs) on 1 and 2 threads, row softmax (rows of 1000) forward and
 * backward, exp through the elementwise `unary` entry point when it exists, and numpy's figures
 * for sigmoid, tanh, relu, exp and softmax in the same run, with ratios.
 *
 * Options (for quick iteration; pin with `taskset -c N` for 1-thread figures):
 *   --threads=1,2      thread counts to run (default 1 and 2)
 *   --only=tanh,gelu   activations to run: a name, or a prefix before `_` (gelu → gelu_tanh,
 *                      gelu_erf); `softmax` and `exp` select those entries
 *   --no-numpy         skip the numpy peer
 */
import { spawnSync } from 'node:child_process';
import { ACTIVATIONS, type ActivationName } from '../src/backend/backend.js';
import { NativeBackend } from '../src/backend/native.js';
import { Random } from '../src/random.js';
import { findPython, machineInfo, printJson, round, timeIt } from './util.js';

const N = 4 * 1024 * 1024;
const COLS = 1000;

function gelems(seconds: number, n = N): number {
  return round(n / seconds / 1e9, 3);
}

interface Options {
  threads: number[];
  only: string[] | undefined;
  numpy: boolean;
}

function parseOptions(args: string[]): Options {
  const opts: Options = { threads: [1, 2], only: undefined, numpy: true };
  for (const a of args) {
    if (a.startsWith('--threads=')) {
      const ts = a.slice('--threads='.length).split(',').map(Number);
      if (ts.length === 0 || ts.some((t) => !Number.isInteger(t) || t < 1)) {
        throw new RangeError(`bench activations: bad ${a}`);
      }
      opts.threads = ts;
    } else if (a.startsWith('--only=')) {
      opts.only = a.slice('--only='.length).split(',').filter((s) => s.length > 0);
    } else if (a === '--no-numpy') {
      opts.numpy = false;
    } else {
      throw new RangeError(`bench activations: unknown option ${a}`);
    }
  }
  return opts;
}

function selected(only: string[] | undefined, name: string): boolean {
  return !only || only.some((o) => name === o || name.startsWith(`${o}_`));
}

const NUMPY_OPS = ['sigmoid', 'tanh', 'relu', 'exp', 'softmax'] as const;

function numpyFigures(py: string, threads: number, ops: string[]): Record<string, number> | undefined {
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
fns = {
  'sigmoid': (sig, n),
  'tanh': (lambda: np.tanh(x, out=out), n),
  'relu': (lambda: np.maximum(x, 0, out=out), n),
  'exp': (lambda: np.exp(x, out=out), n),
  'softmax': (softmax, rows * cols),
}
r = {k: fns[k][1] / med(fns[k][0]) / 1e9 for k in ${JSON.stringify(ops)}}
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
  const opts = parseOptions(args);
  const acts = ACTIVATIONS.filter((a) => selected(opts.only, a));
  const doSoftmax = selected(opts.only, 'softmax');
  const doExp = selected(opts.only, 'exp');
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
  const result: Record<string, unknown> = {
    isa: native.isa(), machine: machineInfo(), elements: N, unit: 'Gelem/s (median)',
  };

  const hasUnaryExp = (() => {
    try {
      native.unary('exp', x.subarray(0, 16), y.subarray(0, 16), 0, 0);
      return true;
    } catch {
      return false;
    }
  })();
  const py = opts.numpy ? findPython(['numpy']) : undefined;

  for (const t of opts.threads) {
    native.setNumThreads(t);
    const forward: Partial<Record<ActivationName, number>> = {};
    const backward: Partial<Record<ActivationName, number>> = {};
    for (const act of acts) {
      const alpha = act === 'leaky_relu' ? 0.01 : act === 'elu' ? 1 : 0;
      native.activation(act, x, y, alpha);
      forward[act] = gelems(timeIt(() => native.activation(act, x, y, alpha)));
      backward[act] = gelems(timeIt(() => native.activationBackward(act, x, y, dy, dx, alpha)));
    }
    const entry: Record<string, unknown> = { forward, backward };
    let softmaxForward: number | undefined;
    if (doSoftmax) {
      native.softmax(sx, sy, rows, COLS, false);
      softmaxForward = gelems(timeIt(() => native.softmax(sx, sy, rows, COLS, false)), rows * COLS);
      entry.softmaxRows1000 = {
        forward: softmaxForward,
        backward: gelems(timeIt(() => native.softmaxBackward(sy, sdy, sdx, rows, COLS, false)), rows * COLS),
        logForward: gelems(timeIt(() => native.softmax(sx, sy, rows, COLS, true)), rows * COLS),
      };
      // Many tiny rows: a fixed cost per row would show here (4M elements as rows of 10 and of 2),
      // and one classifier batch of 128×10, in µs per call.
      for (const cols of [10, 2]) {
        const r = Math.floor(N / cols);
        entry[`softmaxRows${cols}`] = {
          forward: gelems(timeIt(() => native.softmax(x.subarray(0, r * cols), y.subarray(0, r * cols), r, cols, false)), r * cols),
          backward: gelems(timeIt(() => native.softmaxBackward(y.subarray(0, r * cols), dy.subarray(0, r * cols), dx.subarray(0, r * cols), r, cols, false)), r * cols),
        };
      }
      const bx = x.subarray(0, 1280), by = y.subarray(0, 1280);
      entry.softmax128x10_us = round(timeIt(() => native.softmax(bx, by, 128, 10, false)) * 1e6, 3);
    }
    if (doExp && hasUnaryExp) entry.exp = gelems(timeIt(() => native.unary('exp', x, y, 0, 0)));

    const ours: Record<string, number> = {};
    for (const k of ['sigmoid', 'tanh', 'relu'] as const) {
      if (forward[k] !== undefined) ours[k] = forward[k]!;
    }
    if (softmaxForward !== undefined) ours.softmax = softmaxForward;
    if (typeof entry.exp === 'number') ours.exp = entry.exp;
    const npOps = NUMPY_OPS.filter((k) => k in ours);
    const np = py && npOps.length > 0 ? numpyFigures(py, t, npOps) : undefined;
    if (np) {
      entry.numpy = np;
      entry.ratioVsNumpy = Object.fromEntries(
        Object.entries(ours).map(([k, v]) => [k, np[k] ? round(v / np[k]!, 2) : null]),
      );
    } else if (opts.numpy && npOps.length > 0) {
      entry.numpy = 'not available (no python3 with numpy)';
    }
    result[`threads${t}`] = entry;
  }
  native.setNumThreads(before);
  printJson(result);
}
