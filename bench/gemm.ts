/**
 * SGEMM throughput (GFLOP/s = 2·m·n·k / s, medians) of dendrite's native backend next to
 * numpy/OpenBLAS measured in the same run, at 1 and 2 threads: square products and the shapes an
 * MLP trained on MNIST with batch 128 runs (forward, output layer, both backward products) plus
 * the recognition model's 32×784·784×32.
 * Options: --threads=1,2 (thread counts to run), --shapes=sq512,fwd,… (shape ids, see SHAPES),
 * --only=<substring of a shape name>. Pin the process (e.g. taskset -c 0) for 1-thread figures:
 * the numpy child inherits the affinity.
 */
import { nativeBackend } from '../src/backend/index.js';
import { Random } from '../src/random.js';
import {
  PY_TIME_IT, findPython, machineInfo, option, peerThreadEnv, printJson, round, runPythonJson, timeIt,
} from './util.js';

interface Shape {
  id: string;
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const SHAPES: Shape[] = [
  ...[64, 128, 256, 512, 1024, 2048].map((s) => ({
    id: `sq${s}`, name: `square ${s}`, m: s, n: s, k: s, transA: false, transB: false,
  })),
  { id: 'fwd', name: 'mlp forward 128x784·784x512', m: 128, n: 512, k: 784, transA: false, transB: false },
  { id: 'out', name: 'mlp output 128x512·512x10', m: 128, n: 10, k: 512, transA: false, transB: false },
  { id: 'dW', name: 'mlp dW = Xᵀ·dH 784x128·128x512', m: 784, n: 512, k: 128, transA: true, transB: false },
  { id: 'dX', name: 'mlp dX = dH·Wᵀ 128x512·512x784', m: 128, n: 784, k: 512, transA: false, transB: true },
  { id: 'rec', name: 'recognition 32x784·784x32', m: 32, n: 32, k: 784, transA: false, transB: false },
];

// Times np.matmul with a preallocated out= for each shape (same batching and medians as timeIt).
const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
shapes = json.loads(sys.argv[1])
rng = np.random.default_rng(1)
${PY_TIME_IT}out = []
for s in shapes:
    m, n, k = s['m'], s['n'], s['k']
    a = rng.random((k, m) if s['transA'] else (m, k), dtype=np.float32)
    b = rng.random((n, k) if s['transB'] else (k, n), dtype=np.float32)
    A = a.T if s['transA'] else a
    B = b.T if s['transB'] else b
    c = np.empty((m, n), dtype=np.float32)
    out.append(time_it(lambda: np.matmul(A, B, out=c)))
print(json.dumps({'seconds': out, 'numpy': np.__version__}))
`;

function numpySeconds(
  python: string, shapes: Shape[], threads: number,
): { seconds: number[]; version: string } | { error: string } {
  const r = runPythonJson<{ seconds: number[]; numpy: string }>(
    python, NUMPY_SCRIPT, [JSON.stringify(shapes)], peerThreadEnv(threads), 'numpy',
  );
  return 'error' in r ? r : { seconds: r.seconds, version: r.numpy };
}

export async function main(args: string[]): Promise<void> {
  const native = nativeBackend();
  const threadCounts = (option(args, 'threads') ?? '1,2').split(',').map(Number);
  const only = option(args, 'only');
  const ids = option(args, 'shapes')?.split(',');
  const unknown = ids?.filter((id) => !SHAPES.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`bench gemm: unknown shape ids ${unknown.join(', ')} (known: ${SHAPES.map((s) => s.id).join(', ')})`);
  }
  const shapes = SHAPES.filter((s) => (!ids || ids.includes(s.id)) && (!only || s.name.includes(only)));
  const python = findPython(['numpy']);
  const rng = new Random(42);
  const threadsBefore = native.threads();

  const results: Record<string, unknown>[] = [];
  let numpyVersion: string | undefined;
  let numpyNote: string | undefined = python ? undefined : 'numpy not found: dendrite figures only';

  for (const threads of threadCounts) {
    native.setNumThreads(threads);
    const dendrite = shapes.map((s) => {
      const a = new Float32Array(s.m * s.k).map(() => rng.uniform());
      const b = new Float32Array(s.k * s.n).map(() => rng.uniform());
      const c = new Float32Array(s.m * s.n);
      return timeIt(() => native.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, b, 0, c));
    });
    let peer: number[] | undefined;
    if (python) {
      const r = numpySeconds(python, shapes, threads);
      if ('error' in r) numpyNote = `numpy run failed: ${r.error}`;
      else {
        peer = r.seconds;
        numpyVersion = r.version;
      }
    }
    shapes.forEach((s, i) => {
      const flops = 2 * s.m * s.n * s.k;
      const ours = flops / dendrite[i]! / 1e9;
      const theirs = peer ? flops / peer[i]! / 1e9 : undefined;
      results.push({
        id: s.id, shape: s.name, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, threads,
        dendrite_gflops: round(ours, 1),
        numpy_gflops: theirs === undefined ? null : round(theirs, 1),
        ratio: theirs === undefined ? null : round(ours / theirs, 2),
      });
    });
  }
  native.setNumThreads(threadsBefore);

  printJson({
    benchmark: 'gemm',
    machine: machineInfo(),
    unit: 'GFLOP/s (2·m·n·k / median seconds per call); ratio = dendrite / numpy',
    isa: native.isa(),
    peer: numpyVersion ? `numpy ${numpyVersion} (OpenBLAS via the system BLAS)` : null,
    note: numpyNote ?? null,
    results,
  });
}
