/**
 * Optimiser-step and loss kernels: one Adam step over the 784-512-256-10 MLP's parameters
 * (535,818 floats in 6 tensors) on 1 and 2 threads, in µs per step and GB/s (Adam moves 7 arrays
 * × 4 bytes per element: reads p, g, m, v, writes p, m, v), the global-norm sum of squares over
 * the same gradients, and fused softmax cross-entropy (labels, with gradient) on 128×10 and
 * 32×10, in µs per call. Medians. PyTorch's Adam (foreach) on the same tensors, when installed.
 *
 * Options: --threads=1,2 (thread counts), --no-torch (skip the peer).
 */
import { spawnSync } from 'node:child_process';
import type { OptimizerHyper } from '../src/backend/backend.js';
import { NativeBackend } from '../src/backend/native.js';
import { Random } from '../src/random.js';
import { findPython, printJson, round, timeIt } from './util.js';

const MLP_SHAPES = [[784, 512], [512], [512, 256], [256], [256, 10], [10]];
const BYTES_PER_ELEMENT = 7 * 4;

function parseOptions(args: string[]): { threads: number[]; torch: boolean } {
  const opts = { threads: [1, 2], torch: true };
  for (const a of args) {
    if (a.startsWith('--threads=')) {
      opts.threads = a.slice('--threads='.length).split(',').map(Number);
      if (opts.threads.some((t) => !Number.isInteger(t) || t < 1)) throw new RangeError(`bench optim: bad ${a}`);
    } else if (a === '--no-torch') {
      opts.torch = false;
    } else {
      throw new RangeError(`bench optim: unknown option ${a}`);
    }
  }
  return opts;
}

function filled(rng: Random, n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.uniform() * 2 - 1) * scale;
  return a;
}

/** PyTorch's Adam step (foreach) over the same shapes, µs per step, at `threads` threads. */
function torchAdam(py: string, threads: number): number | undefined {
  const script = `
import json, time, torch
torch.set_num_threads(${threads})
shapes = ${JSON.stringify(MLP_SHAPES)}
ps = [torch.nn.Parameter(torch.randn(*s) * 0.05) for s in shapes]
for p in ps: p.grad = torch.randn_like(p) * 0.01
opt = torch.optim.Adam(ps, lr=1e-3, foreach=True)
for _ in range(20): opt.step()
ts = []
for _ in range(7):
    n = 200; t = time.perf_counter()
    for _ in range(n): opt.step()
    ts.append((time.perf_counter() - t) / n)
ts.sort(); print(json.dumps(ts[len(ts) // 2]))
`;
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) return undefined;
  return Number(r.stdout.trim()) * 1e6;
}

export async function main(args: string[]): Promise<void> {
  const opts = parseOptions(args);
  const backend = new NativeBackend();
  const rng = new Random(1);
  const sizes = MLP_SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const params = sizes.map((n) => filled(rng, n, 0.05));
  const grads = sizes.map((n) => filled(rng, n, 0.01));
  const state = [sizes.map((n) => new Float32Array(n)), sizes.map((n) => new Float32Array(n))];
  const hyper: OptimizerHyper = {
    lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0, dampening: 0, rho: 0.9,
    weightDecay: 0, decoupled: false, nesterov: false, amsgrad: false, centered: false,
    step: 1, gradScale: 1, clipValue: Infinity,
  };

  const before = backend.threads();
  const adam: Record<string, { usPerStep: number; GBps: number; sumOfSquaresUs: number }> = {};
  for (const t of opts.threads) {
    backend.setNumThreads(t);
    const s = timeIt(() => {
      hyper.step++;
      backend.optimizerStep('adam', params, grads, state, hyper);
    });
    const sq = timeIt(() => { backend.sumOfSquares(grads); });
    adam[`${t}`] = {
      usPerStep: round(s * 1e6, 1),
      GBps: round((total * BYTES_PER_ELEMENT) / s / 1e9, 1),
      sumOfSquaresUs: round(sq * 1e6, 1),
    };
  }
  backend.setNumThreads(1);

  const xent: Record<string, number> = {};
  for (const rows of [128, 32]) {
    const cols = 10;
    const logits = filled(rng, rows * cols, 5);
    const labels = new Int32Array(rows).map((_, i) => (i * 7) % cols);
    const loss = new Float32Array(rows);
    const grad = new Float32Array(rows * cols);
    const s = timeIt(() => backend.softmaxCrossEntropy(logits, rows, cols, labels, null, loss, grad));
    xent[`${rows}x${cols}`] = round(s * 1e6, 2);
  }
  backend.setNumThreads(before);

  let torch: Record<string, number> | undefined;
  const py = opts.torch ? findPython(['torch']) : undefined;
  if (py) {
    torch = {};
    for (const t of opts.threads) {
      const us = torchAdam(py, t);
      if (us !== undefined) torch[`${t}`] = round(us, 1);
    }
  }

  printJson({
    isa: backend.isa(),
    adamMlp: { floats: total, tensors: sizes.length, byThreads: adam },
    softmaxCrossEntropyUsPerCall: xent,
    ...(torch ? { torchAdamForeachUsPerStep: torch } : {}),
  });
}
