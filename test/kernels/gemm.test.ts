/**
 * GEMM kernels: native (every ISA path, 1 and 2 threads) against the float64 reference, plus
 * NaN/Inf propagation, batches with broadcast operands, the bias+activation epilogue, and the
 * argument checks of the entry points.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { findAddonPath } from '../../src/backend/addon.js';

import type { ActivationName } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import {
  ISAS, SIZES, compareArrays, detachedArray, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

// Register tile (mr×nr) and cache blocking (kc deep k blocks, nc wide B panels) of each path, as
// the addon chose them for this CPU's caches: products deeper than kc run in several blocks.
const BLOCKING = Object.fromEntries(ISAS.map((isa) => [isa, withIsa(isa, () => native.gemmBlocking())]));
const KC_AVX512 = BLOCKING.avx512?.kc ?? 384;
// AVX-512 packing thresholds (gemm_avx512.cc): B is packed from 20·MR rows, A from 3·NR columns.
const PACK_B_MIN_M = 280;
const PACK_A_MIN_N = 96;
// Floats of packed A per row block (mc·kc of the blocking): MR·k per sliver on several threads,
// MR·kc on one.
const PACKED_A_BUDGET = (BLOCKING.avx512?.mc ?? 5460) * KC_AVX512;
// Products with m·n·k at least this run on the thread pool (kParallelMinWork, gemm_internal.h).
const PARALLEL_MIN_WORK = 1.5e6;

type Triple = [number, number, number];

/** A combinatorial subset of SIZES³: each size appears in each position, with varied partners. */
function sizeTriples(): Triple[] {
  const s = SIZES;
  const L = s.length;
  const out: Triple[] = [];
  for (let i = 0; i < L; i++) {
    out.push([s[i]!, s[(i + 3) % L]!, s[(i + 7) % L]!]);
    out.push([s[(i + 5) % L]!, s[i]!, s[(i + 2) % L]!]);
    out.push([s[(i + 1) % L]!, s[(i + 6) % L]!, s[i]!]);
  }
  return out;
}

/** Sizes around each path's tile and around the k blocking. */
function edgeTriples(): Triple[] {
  const out: Triple[] = [];
  for (const { mr, nr, kc, nc } of Object.values(BLOCKING)) {
    out.push([mr - 1, nr + 1, kc - 1], [mr, nr, kc], [mr + 1, nr - 1, kc + 1]);
    out.push([2 * mr + 1, 2 * nr + 1, 2 * kc + 1]);
    // Around the B panel width (several panels per k block).
    out.push([mr + 2, nc - 1, 40], [2 * mr - 1, nc + 1, kc + 3]);
  }
  // Around the packing thresholds: B read in place or packed, A read in place or packed.
  out.push([PACK_B_MIN_M - 1, 70, 40], [PACK_B_MIN_M, 70, 40], [PACK_B_MIN_M + 1, 70, 40]);
  out.push([30, PACK_A_MIN_N - 1, 50], [30, PACK_A_MIN_N, 50], [30, PACK_A_MIN_N + 1, 50]);
  // Few columns (n <= 16, the AVX-512 dot-product path, kThinN in gemm_avx512.cc), with k tails.
  out.push([33, 10, 300], [6, 16, 33], [9, 15, 47], [5, 17, 40]);
  // A read in place, or packed because its rows (stride k) would crowd one L1 set (k·4 a
  // multiple of 4 KiB: rows_collide in gemm_driver.h packs slivers of more than six rows).
  out.push([29, 97, 1000], [29, 97, 1024], [15, 130, 2048]);
  // Large enough for the thread pool: many row slivers (rows split) and few (columns split).
  out.push([127, 300, 300], [17, 1000, 127], [300, 64, 257], [600, 10, 300]);
  return out;
}

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function tolerances(k: number, a: Float32Array, b: Float32Array, alpha: number): [number, number] {
  const atol = 1e-6 * k * maxAbs(a) * maxAbs(b) * Math.abs(alpha) + 1e-6;
  return [atol, 1e-5 * Math.sqrt(Math.max(k, 1)) + 1e-6];
}

describe('gemm: native vs reference', () => {
  const triples = [...sizeTriples(), ...edgeTriples()];
  const transposes: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
  const alphas = [1, -0.5];
  const betas = [0, 1, 0.3];

  it('matches on every path, transpose, alpha, beta and thread count', () => {
    const rng = new Random(1234);
    let checked = 0;
    let parallelChecked = 0;
    triples.forEach(([m, n, k], t) => {
      transposes.forEach(([ta, tb], q) => {
        const alpha = alphas[(t + q) % 2]!;
        const beta = betas[(t + q) % 3]!;
        const a = randomArray(rng, m * k);
        const b = randomArray(rng, k * n);
        const c0 = beta === 0 ? new Float32Array(m * n).fill(NaN) : randomArray(rng, m * n);
        const expected = Float32Array.from(c0);
        reference.gemm(ta, tb, m, n, k, alpha, a, b, beta, expected);
        const [atol, rtol] = tolerances(k, a, b, alpha);
        for (const isa of ISAS) {
          for (const threads of [1, 2]) {
            const c = Float32Array.from(c0);
            withIsa(isa, () => withThreads(threads, () => native.gemm(ta, tb, m, n, k, alpha, a, b, beta, c)));
            const r = compareArrays(c, expected, atol, rtol);
            expect(r.ok, `${isa} ${threads}t m=${m} n=${n} k=${k} ta=${ta} tb=${tb} alpha=${alpha} beta=${beta}: ${r.message}`).toBe(true);
            checked++;
            if (threads === 2 && m * n * k >= PARALLEL_MIN_WORK) parallelChecked++;
          }
        }
      });
    });
    expect(checked).toBe(triples.length * 4 * ISAS.length * 2);
    expect(parallelChecked).toBeGreaterThan(0);
  }, 120_000);

  it('splits tall products into row blocks of packed A (one and two threads)', () => {
    // Two threads: packed A holds all of k, so 4096-deep products take few slivers per block
    // (A's rows 16 KiB apart are packed, not read in place).
    const deep = Math.floor(PACKED_A_BUDGET / (14 * 4096)) * 14;
    // One thread: one kc block at a time, mc rows per block.
    const tall = Math.floor(PACKED_A_BUDGET / (14 * KC_AVX512)) * 14;
    const cases: [number, number, number, number, boolean, boolean][] = [
      [deep + 1, PACK_A_MIN_N + 1, 4096, 2, false, false],
      [deep + 15, PACK_A_MIN_N, 4096, 2, true, true],
      [tall + 1, PACK_A_MIN_N + 3, KC_AVX512, 1, false, true],
      [tall + 30, PACK_A_MIN_N, KC_AVX512, 1, true, false],
    ];
    const rng = new Random(77);
    for (const [m, n, k, threads, ta, tb] of cases) {
      const a = randomArray(rng, m * k);
      const b = randomArray(rng, k * n);
      const c0 = randomArray(rng, m * n);
      const expected = Float32Array.from(c0);
      reference.gemm(ta, tb, m, n, k, 0.5, a, b, 0.3, expected);
      const [atol, rtol] = tolerances(k, a, b, 0.5);
      for (const isa of ISAS) {
        const c = Float32Array.from(c0);
        withIsa(isa, () => withThreads(threads, () => native.gemm(ta, tb, m, n, k, 0.5, a, b, 0.3, c)));
        const r = compareArrays(c, expected, atol, rtol);
        expect(r.ok, `${isa} ${threads}t m=${m} n=${n} k=${k} ta=${ta} tb=${tb}: ${r.message}`).toBe(true);
      }
    }
  }, 120_000);

  it('k = 0 gives beta·C (zeros when beta = 0, even over NaN)', () => {
    for (const isa of ISAS) {
      const c = new Float32Array(6).fill(NaN);
      withIsa(isa, () => native.gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0, c));
      expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
      const d = Float32Array.from([1, 2, 3, 4, 5, 6]);
      withIsa(isa, () => native.gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0.5, d));
      expect(Array.from(d)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    }
  });
});

describe('gemm: NaN and Inf in A', () => {
  it('propagate to exactly their rows of C', () => {
    const rng = new Random(99);
    const [m, n, k] = [20, 40, 30];
    for (const isa of ISAS) {
      for (const ta of [false, true]) {
        const a = randomArray(rng, m * k);
        const b = randomArray(rng, k * n, 0.5, 1); // positive: Inf·b stays +Inf
        const at = (i: number, p: number) => (ta ? p * m + i : i * k + p);
        a[at(3, 7)] = NaN;
        a[at(11, 29)] = Infinity;
        const c = new Float32Array(m * n);
        withIsa(isa, () => native.gemm(ta, false, m, n, k, 1, a, b, 0, c));
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const v = c[i * n + j]!;
            if (i === 3) expect(Number.isNaN(v), `${isa} [${i},${j}]`).toBe(true);
            else if (i === 11) expect(v, `${isa} [${i},${j}]`).toBe(Infinity);
            else expect(Number.isFinite(v), `${isa} [${i},${j}]`).toBe(true);
          }
        }
      }
    }
  });
});

describe('gemmBatched', () => {
  const cases: { name: string; batch: number; m: number; n: number; k: number; sa: 0 | 1; sb: 0 | 1 }[] = [
    { name: 'dense', batch: 3, m: 17, n: 33, k: 7, sa: 1, sb: 1 },
    { name: 'A broadcast (strideA = 0)', batch: 4, m: 16, n: 9, k: 33, sa: 0, sb: 1 },
    { name: 'B broadcast (strideB = 0)', batch: 4, m: 5, n: 31, k: 64, sa: 1, sb: 0 },
    { name: 'many small products (parallel over the batch)', batch: 200, m: 20, n: 21, k: 19, sa: 1, sb: 1 },
  ];
  for (const cs of cases) {
    it(cs.name, () => {
      const rng = new Random(7);
      const { batch, m, n, k } = cs;
      for (const [ta, tb] of [[false, false], [true, true]] as const) {
        const strideA = cs.sa * m * k;
        const strideB = cs.sb * k * n;
        const a = randomArray(rng, (batch - 1) * strideA + m * k);
        const b = randomArray(rng, (batch - 1) * strideB + k * n);
        const c0 = randomArray(rng, batch * m * n);
        const expected = Float32Array.from(c0);
        reference.gemmBatched(batch, ta, tb, m, n, k, 0.5, a, strideA, b, strideB, 0.3, expected, m * n);
        const [atol, rtol] = tolerances(k, a, b, 0.5);
        for (const isa of ISAS) {
          for (const threads of [1, 2]) {
            const c = Float32Array.from(c0);
            withIsa(isa, () => withThreads(threads, () =>
              native.gemmBatched(batch, ta, tb, m, n, k, 0.5, a, strideA, b, strideB, 0.3, c, m * n)));
            const r = compareArrays(c, expected, atol, rtol);
            expect(r.ok, `${isa} ${threads}t ta=${ta}: ${r.message}`).toBe(true);
          }
        }
      }
    });
  }
});

describe('gemmBiasAct', () => {
  const acts: ActivationName[] = ['identity', 'relu', 'sigmoid', 'tanh', 'gelu'];
  for (const act of acts) {
    for (const withBias of [true, false]) {
      it(`${act}, ${withBias ? 'with' : 'without'} bias`, () => {
        const rng = new Random(21);
        // The last shape is large enough to run on the thread pool.
        for (const [m, n, k, ta, tb] of [[7, 33, 17, false, false], [33, 10, 64, true, false], [64, 130, 300, false, true]] as const) {
          const a = randomArray(rng, m * k);
          const b = randomArray(rng, k * n);
          const bias = withBias ? randomArray(rng, n) : null;
          const expected = new Float32Array(m * n);
          reference.gemmBiasAct(ta, tb, m, n, k, a, b, bias, act, 0, expected);
          const [atol, rtol] = tolerances(k, a, b, 1);
          for (const isa of ISAS) {
            for (const threads of [1, 2]) {
              const c = new Float32Array(m * n).fill(NaN);
              withIsa(isa, () => withThreads(threads, () => native.gemmBiasAct(ta, tb, m, n, k, a, b, bias, act, 0, c)));
              const r = compareArrays(c, expected, atol + 1e-5, rtol + 1e-5);
              expect(r.ok, `${isa} ${threads}t m=${m} n=${n} k=${k}: ${r.message}`).toBe(true);
            }
          }
        }
      });
    }
  }

  it('k = 0 gives act(bias)', () => {
    const bias = Float32Array.from([-1, 0.5, 2]);
    const c = new Float32Array(6).fill(NaN);
    native.gemmBiasAct(false, false, 2, 3, 0, new Float32Array(0), new Float32Array(0), bias, 'relu', 0, c);
    expect(Array.from(c)).toEqual([0, 0.5, 2, 0, 0.5, 2]);
  });
});

describe('gemm entry points reject bad input', () => {
  const addon = native.addon;
  const f = (n: number) => new Float32Array(n);
  // Calls with argument lists TypeScript would refuse.
  const gemm = addon.gemm as unknown as (...args: unknown[]) => void;
  const batched = addon.gemmBatched as unknown as (...args: unknown[]) => void;
  const biasAct = addon.gemmBiasAct as unknown as (...args: unknown[]) => void;
  const ok: unknown[] = [false, false, 2, 3, 4, 1, f(8), f(12), 0, f(6)];
  const withArg = (i: number, v: unknown) => ok.map((x, j) => (j === i ? v : x));

  it('accepts the valid call these cases are built from', () => {
    expect(() => gemm(...ok)).not.toThrow();
  });

  it('wrong types are TypeErrors naming the op', () => {
    expect(() => gemm(...withArg(0, 1))).toThrow(TypeError);
    expect(() => gemm(...withArg(0, 1))).toThrow(/dendrite\.gemm: transA/);
    expect(() => gemm(...withArg(2, '2'))).toThrow(/dendrite\.gemm: m/);
    expect(() => gemm(...withArg(6, new Float64Array(8)))).toThrow(TypeError);
    expect(() => gemm(...withArg(7, [0, 0, 0]))).toThrow(/dendrite\.gemm: b must be a Float32Array/);
    expect(() => gemm(...withArg(9, null))).toThrow(TypeError);
    expect(() => gemm(...ok.slice(0, 9))).toThrow(/dendrite\.gemm: expected 10 arguments/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), 'bias', 1, 0, f(6))).toThrow(/dendrite\.gemmBiasAct: bias/);
    expect(() => batched(1, false, false, 2, 3, 4, 1, f(8), 0, f(12), 0, 0, new Int32Array(6), 6)).toThrow(TypeError);
  });

  it('short buffers are RangeErrors', () => {
    expect(() => gemm(...withArg(6, f(7)))).toThrow(RangeError);
    expect(() => gemm(...withArg(6, f(7)))).toThrow(/dendrite\.gemm: a has 7 elements, needs 8/);
    expect(() => gemm(...withArg(7, f(11)))).toThrow(/dendrite\.gemm: b has/);
    expect(() => gemm(...withArg(9, f(5)))).toThrow(/dendrite\.gemm: c has/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), f(2), 1, 0, f(6))).toThrow(/dendrite\.gemmBiasAct: bias has 2/);
    // Batch of 3 with stride 8 needs 2·8 + 8 = 24 elements of A.
    expect(() => batched(3, false, false, 2, 3, 4, 1, f(23), 8, f(12), 0, 0, f(18), 6)).toThrow(/dendrite\.gemmBatched: a has 23/);
    expect(() => batched(3, false, false, 2, 3, 4, 1, f(24), 8, f(12), 0, 0, f(17), 6)).toThrow(/dendrite\.gemmBatched: c has/);
  });

  it('negative, fractional, huge and overflowing dims are RangeErrors', () => {
    expect(() => gemm(...withArg(2, -1))).toThrow(RangeError);
    expect(() => gemm(...withArg(3, 1.5))).toThrow(/dendrite\.gemm: n must be an integer/);
    expect(() => gemm(...withArg(4, 2 ** 60))).toThrow(RangeError);
    expect(() => gemm(...withArg(4, Infinity))).toThrow(RangeError);
    expect(() => gemm(false, false, 2 ** 40, 1, 2 ** 40, 1, f(8), f(12), 0, f(6))).toThrow(RangeError);
    expect(() => gemm(false, false, 2 ** 40, 1, 2 ** 40, 1, f(8), f(12), 0, f(6))).toThrow(/dendrite\.gemm: .*overflows/);
    expect(() => batched(2 ** 40, false, false, 2, 3, 4, 1, f(8), 2 ** 40, f(12), 0, 0, f(6), 6)).toThrow(RangeError);
    expect(() => batched(-1, false, false, 2, 3, 4, 1, f(8), 0, f(12), 0, 0, f(6), 6)).toThrow(/dendrite\.gemmBatched: batch/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), null, 13, 0, f(6))).toThrow(/dendrite\.gemmBiasAct: act/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), null, -1, 0, f(6))).toThrow(RangeError);
  });

  it('non-finite alpha, beta and actAlpha are RangeErrors', () => {
    expect(() => gemm(...withArg(5, NaN))).toThrow(/dendrite\.gemm: alpha must be finite/);
    expect(() => gemm(...withArg(8, Infinity))).toThrow(/dendrite\.gemm: beta must be finite/);
    expect(() => batched(1, false, false, 2, 3, 4, -Infinity, f(8), 0, f(12), 0, 0, f(6), 6)).toThrow(/dendrite\.gemmBatched: alpha/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), null, 2, NaN, f(6))).toThrow(/dendrite\.gemmBiasAct: actAlpha/);
  });

  it('outputs sharing memory with inputs are RangeErrors', () => {
    const buf = f(32);
    const a = buf.subarray(0, 8);
    const cOverA = buf.subarray(4, 10);
    expect(() => gemm(false, false, 2, 3, 4, 1, a, f(12), 0, cOverA)).toThrow(/dendrite\.gemm: c must not share memory with a/);
    expect(() => gemm(false, false, 2, 3, 4, 1, f(8), buf.subarray(0, 12), 0, buf.subarray(11, 17))).toThrow(/with b/);
    // Disjoint views of one buffer are fine.
    expect(() => gemm(false, false, 2, 3, 4, 1, buf.subarray(0, 8), buf.subarray(8, 20), 0, buf.subarray(20, 26))).not.toThrow();
    expect(() => batched(2, false, false, 2, 3, 4, 1, buf.subarray(0, 16), 8, f(12), 0, 0, buf.subarray(10, 22), 6)).toThrow(RangeError);
    // Overlapping outputs within a batch.
    expect(() => batched(2, false, false, 2, 3, 4, 1, f(8), 0, f(12), 0, 0, f(12), 5)).toThrow(/dendrite\.gemmBatched: strideC/);
    expect(() => biasAct(false, false, 2, 3, 4, f(8), f(12), buf.subarray(0, 3), 0, 0, buf.subarray(2, 8))).toThrow(/gemmBiasAct: c must not share memory with bias/);
  });

  it('detached buffers are TypeErrors', () => {
    const a = detachedArray(8);
    expect(() => gemm(...withArg(6, a))).toThrow(TypeError);
    expect(() => gemm(...withArg(6, a))).toThrow(/dendrite\.gemm: a is backed by a detached ArrayBuffer/);
  });
});

describe('gemm: cache blocking', () => {
  /** cacheSizes() and gemmBlocking() per path in a fresh process with the given environment. */
  function blockingsWith(env: Record<string, string>): {
    caches: { l1d: number; l2: number; l3: number };
    blocking: Record<string, { mr: number; nr: number; kc: number; nc: number }>;
  } {
    const script = `
      const addon = require(${JSON.stringify(findAddonPath())});
      const blocking = {};
      for (const isa of addon.supportedIsas()) { addon.setIsa(isa); blocking[isa] = addon.gemmBlocking(); }
      process.stdout.write(JSON.stringify({ caches: addon.cacheSizes(), blocking }));`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }

  it('reads real cache sizes and sizes every path from them', () => {
    const caches = native.cacheSizes();
    expect(caches.l1d).toBeGreaterThanOrEqual(8 * 1024);
    expect(caches.l2).toBeGreaterThanOrEqual(caches.l1d);
    expect(caches.l3).toBeGreaterThanOrEqual(caches.l2 / 64);
    for (const [isa, { mr, nr, kc, nc }] of Object.entries(BLOCKING)) {
      expect(kc % 8, isa).toBe(0);
      expect(nc % nr, isa).toBe(0);
      // The A sliver fits three quarters of L1 and the B panel three quarters of L2 (or the
      // floors of 64 steps and four slivers).
      expect(kc === 64 || mr * kc * 4 <= (caches.l1d * 3) / 4, isa).toBe(true);
      expect(nc === 4 * nr || kc * nc * 4 <= (caches.l2 * 3) / 4, isa).toBe(true);
    }
  });

  it('follows the cache sizes it is given, and stays correct with tiny and huge ones', () => {
    const small = blockingsWith({ DENDRITE_L1_CACHE: '16K', DENDRITE_L2_CACHE: '256K', DENDRITE_L3_CACHE: '4M' });
    expect(small.caches).toEqual({ l1d: 16384, l2: 262144, l3: 4194304, detected: expect.any(Boolean) });
    const large = blockingsWith({ DENDRITE_L1_CACHE: '48K', DENDRITE_L2_CACHE: '2M' });
    for (const isa of Object.keys(BLOCKING)) {
      const s = small.blocking[isa]!, l = large.blocking[isa]!;
      expect(s.kc * s.nc, isa).toBeLessThan(l.kc * l.nc);
      expect(s.kc * s.nc * 4, isa).toBeLessThanOrEqual((262144 * 3) / 4);
    }
    // A product across several k blocks and panels under the smallest blocking, on every path.
    const tiny = blockingsWith({ DENDRITE_L1_CACHE: '1K', DENDRITE_L2_CACHE: '1K' });
    for (const [isa, b] of Object.entries(tiny.blocking)) {
      expect(b.kc, isa).toBe(64);
      expect(b.nc, isa).toBe(4 * b.nr);
    }
    const script = `
      const addon = require(${JSON.stringify(findAddonPath())});
      const m = 37, n = 301, k = 203;
      let s = 1;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
      const a = Float32Array.from({ length: m * k }, rnd), b = Float32Array.from({ length: k * n }, rnd);
      const ref = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) ref[i * n + j] += a[i * k + p] * b[p * n + j];
      let worst = 0;
      for (const isa of addon.supportedIsas()) {
        addon.setIsa(isa);
        const c = new Float32Array(m * n);
        addon.gemm(false, false, m, n, k, 1, a, b, 0, c);
        for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(c[i] - ref[i]));
      }
      process.stdout.write(String(worst));`;
    const r = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, DENDRITE_L1_CACHE: '1K', DENDRITE_L2_CACHE: '1K' }, encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(Number(r.stdout)).toBeLessThan(1e-4);
  });
});
