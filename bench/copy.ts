/**
 * Strided copies: ms and GB/s (medians) of transposes (1024², 4096×1024), an NHWC→NCHW-like
 * permute ([32,64,64,16] → [0,3,1,2]) and a broadcast ([1024] → [4096,1024]); before (the
 * TypeScript loops the layout ops used, kept here for comparison) and after (the native
 * copyStrided at 1 and 2 threads), with numpy in the same run. GB/s counts bytes read plus bytes
 * written. Options: --isa=<name> forces a path.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { NativeBackend } from '../src/backend/native.js';
import { Random } from '../src/random.js';
import { findPython, printJson, round, timeIt } from './util.js';

/** The permute loop the tensor layer used before the native copy (src/ops/shape.ts). */
function permuteLoop(data: Float32Array, shape: readonly number[], dims: readonly number[], out: Float32Array): void {
  const rank = shape.length;
  const n = out.length;
  const inStrides = stridesOf(shape);
  const outShape = dims.map((d) => shape[d]!);
  const st = dims.map((d) => inStrides[d]!);
  if (rank === 2 && dims[0] === 1) {
    const [r, c] = shape as [number, number];
    const B = 32;
    for (let i0 = 0; i0 < r; i0 += B) {
      for (let j0 = 0; j0 < c; j0 += B) {
        const i1 = Math.min(i0 + B, r);
        const j1 = Math.min(j0 + B, c);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = data[i * c + j]!;
      }
    }
    return;
  }
  const last = rank - 1;
  const lastLen = outShape[last]!;
  const lastStride = st[last]!;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < n; o += lastLen) {
    for (let j = 0, p = src; j < lastLen; j++, p += lastStride) out[o + j] = data[p]!;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      src += st[d]!;
      if (idx[d]! < outShape[d]!) break;
      src -= st[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, k = 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d]!;
  }
  return s;
}

interface Case {
  name: string;
  shape: number[];  // of x
  dims?: number[];  // a permutation of x's axes
  broadcastTo?: number[];
  numpy: string;  // an expression of `a` giving the strided view numpy copies
}

const CASES: Case[] = [
  { name: 'transpose1024x1024', shape: [1024, 1024], dims: [1, 0], numpy: 'a.T' },
  { name: 'transpose4096x1024', shape: [4096, 1024], dims: [1, 0], numpy: 'a.T' },
  { name: 'permuteNHWCtoNCHW', shape: [32, 64, 64, 16], dims: [0, 3, 1, 2], numpy: 'a.transpose(0, 3, 1, 2)' },
  { name: 'broadcast1024to4096x1024', shape: [1024], broadcastTo: [4096, 1024], numpy: 'np.broadcast_to(a, (4096, 1024))' },
];

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Output shape and source strides of a case. */
function layout(c: Case): { outShape: number[]; strides: number[] } {
  if (c.dims) {
    const st = stridesOf(c.shape);
    return { outShape: c.dims.map((d) => c.shape[d]!), strides: c.dims.map((d) => st[d]!) };
  }
  const outShape = c.broadcastTo!;
  const st = stridesOf(c.shape);
  const strides = outShape.map((d, o) => {
    const i = o - (outShape.length - c.shape.length);
    return i < 0 || c.shape[i] === 1 ? 0 : st[i]!;
  });
  return { outShape, strides };
}

function numpyFigures(py: string): Record<string, { ascontiguousarrayMs: number; copytoMs: number }> | undefined {
  const cases = CASES.map((c) => `(${JSON.stringify(c.name)}, ${JSON.stringify(c.shape)}, lambda a: ${c.numpy})`).join(',\n  ');
  const script = `
import json, time, numpy as np
def med(f, reps=15):
    f(); f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort(); return ts[len(ts) // 2]
r = {}
for name, shape, view in [
  ${cases}
]:
    a = np.random.default_rng(1).random(shape, dtype=np.float32)
    v = view(a)
    out = np.empty(v.shape, dtype=np.float32)
    r[name] = {
        'ascontiguousarrayMs': med(lambda: np.ascontiguousarray(view(a))) * 1e3,
        'copytoMs': med(lambda: np.copyto(out, view(a))) * 1e3,
    }
print(json.dumps(r))
`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(`numpy peer failed: ${r.stderr}\n`);
    return undefined;
  }
  return JSON.parse(r.stdout) as Record<string, { ascontiguousarrayMs: number; copytoMs: number }>;
}

function option(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export async function main(args: string[]): Promise<void> {
  const native = new NativeBackend();
  const isa = option(args, 'isa');
  const isaBefore = native.isa();
  const threadsBefore = native.threads();
  if (isa) native.setIsa(isa);
  const rng = new Random(5);
  const py = findPython(['numpy']);
  const np = py ? numpyFigures(py) : undefined;

  const results: Record<string, unknown> = {};
  for (const c of CASES) {
    const x = new Float32Array(count(c.shape));
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
    const { outShape, strides } = layout(c);
    const n = count(outShape);
    const out = new Float32Array(n);
    const bytes = (x.length + n) * 4;
    const gbps = (ms: number): number => round(bytes / (ms / 1e3) / 1e9, 2);
    let beforeMs: number;
    let before: string;
    if (c.dims) {
      beforeMs = timeIt(() => permuteLoop(x, c.shape, c.dims!, out)) * 1e3;
      before = 'TypeScript permute loop';
    } else {
      // broadcastTo used the elementwise kernel: out = x + 0 with broadcasting.
      const zero = new Float32Array(1);
      native.setNumThreads(1);
      beforeMs = timeIt(() => native.binary('add', x, c.shape, zero, [], out, outShape)) * 1e3;
      before = 'native binary add of 0 (1 thread)';
    }
    native.setNumThreads(1);
    const after1 = timeIt(() => native.copyStrided(x, outShape, strides, out)) * 1e3;
    native.setNumThreads(2);
    const after2 = timeIt(() => native.copyStrided(x, outShape, strides, out)) * 1e3;
    const entry: Record<string, unknown> = {
      shape: c.shape, outShape, before, beforeMs: round(beforeMs, 3), beforeGBps: gbps(beforeMs),
      afterMs1t: round(after1, 3), afterGBps1t: gbps(after1),
      afterMs2t: round(after2, 3), afterGBps2t: gbps(after2),
      speedup1t: round(beforeMs / after1, 1),
    };
    const peer = np?.[c.name];
    if (peer) {
      entry.numpyAscontiguousarrayMs = round(peer.ascontiguousarrayMs, 3);
      entry.numpyCopytoMs = round(peer.copytoMs, 3);
      entry.numpyCopytoGBps = gbps(peer.copytoMs);
      entry.ratioVsNumpyCopyto1t = round(peer.copytoMs / after1, 2);
    }
    results[c.name] = entry;
  }
  const isaUsed = native.isa();
  native.setNumThreads(threadsBefore);
  native.setIsa(isaBefore);
  printJson({
    isa: isaUsed, unit: 'ms and GB/s (bytes read + written), medians',
    // Two-thread figures mean little when other work shares the cores.
    loadAverage: round(os.loadavg()[0]!, 2), cases: results,
    numpy: np ? 'numpy 1 thread (copies are single-threaded in numpy)' : 'not available (no python3 with numpy)',
  });
}
