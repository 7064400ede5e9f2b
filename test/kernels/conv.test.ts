/**
 * Convolution and pooling kernels: native (every ISA path, 1 and 2 threads) against the float64
 * reference on NHWC shapes with odd sizes, strides, dilations and padding; max pooling's argmax
 * with ties and NaN; and the argument checks of the entry points.
 */
import { describe, expect, it } from 'vitest';

import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import {
  ISAS, compareArrays, detachedArray, expectOpError, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

type Padding = 'valid' | 'same' | { top: number; left: number; bottom: number; right: number };

/** Output size and leading padding of one spatial axis, as Keras computes them. */
function axis(size: number, k: number, stride: number, dilation: number, padding: Padding, first: boolean): [number, number] {
  const extent = dilation * (k - 1) + 1;
  if (padding === 'valid') return [size >= extent ? Math.floor((size - extent) / stride) + 1 : 0, 0];
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + extent - size, 0);
    return [out, Math.floor(total / 2)];
  }
  const [lead, trail] = first ? [padding.top, padding.bottom] : [padding.left, padding.right];
  const padded = size + lead + trail;
  return [padded >= extent ? Math.floor((padded - extent) / stride) + 1 : 0, lead];
}

interface ConvCase {
  batch: number; inH: number; inW: number; inC: number; outC: number;
  kH: number; kW: number; stride?: [number, number]; dilation?: [number, number]; padding: Padding;
}

function convGeometry(c: ConvCase): Conv2dGeometry {
  const [strideH, strideW] = c.stride ?? [1, 1];
  const [dilationH, dilationW] = c.dilation ?? [1, 1];
  const [outH, padTop] = axis(c.inH, c.kH, strideH, dilationH, c.padding, true);
  const [outW, padLeft] = axis(c.inW, c.kW, strideW, dilationW, c.padding, false);
  return {
    batch: c.batch, inH: c.inH, inW: c.inW, inC: c.inC, outC: c.outC, kH: c.kH, kW: c.kW,
    strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW,
  };
}

interface PoolCase {
  batch: number; inH: number; inW: number; channels: number; k: [number, number]; stride: [number, number]; padding: Padding;
}

function poolGeometry(c: PoolCase): Pool2dGeometry {
  const [outH, padTop] = axis(c.inH, c.k[0], c.stride[0], 1, c.padding, true);
  const [outW, padLeft] = axis(c.inW, c.k[1], c.stride[1], 1, c.padding, false);
  return {
    batch: c.batch, inH: c.inH, inW: c.inW, channels: c.channels, kH: c.k[0], kW: c.k[1],
    strideH: c.stride[0], strideW: c.stride[1], padTop, padLeft, outH, outW,
  };
}

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

/** Tolerance for sums of `len` products of values bounded by the two arrays' magnitudes. */
function tol(len: number, a: Float32Array, b: Float32Array): [number, number] {
  return [2e-6 * Math.max(len, 1) * maxAbs(a) * maxAbs(b) + 1e-6, 1e-5 * Math.sqrt(Math.max(len, 1)) + 1e-6];
}

function describeGeometry(g: Conv2dGeometry | Pool2dGeometry): string {
  return JSON.stringify(g);
}

const CONV_CASES: ConvCase[] = [
  { batch: 1, inH: 5, inW: 5, inC: 1, outC: 1, kH: 3, kW: 3, padding: 'valid' },
  { batch: 2, inH: 7, inW: 9, inC: 3, outC: 17, kH: 3, kW: 3, padding: 'same' },
  { batch: 3, inH: 6, inW: 5, inC: 17, outC: 32, kH: 1, kW: 1, padding: 'valid' }, // pointwise: no im2col
  { batch: 2, inH: 11, inW: 13, inC: 3, outC: 8, kH: 5, kW: 5, stride: [2, 2], padding: 'same' },
  { batch: 2, inH: 9, inW: 10, inC: 4, outC: 5, kH: 3, kW: 3, dilation: [2, 2], padding: 'same' },
  { batch: 2, inH: 12, inW: 11, inC: 5, outC: 3, kH: 3, kW: 2, stride: [1, 2], dilation: [1, 3], padding: 'valid' },
  { batch: 4, inH: 8, inW: 8, inC: 32, outC: 64, kH: 3, kW: 3, padding: 'same' }, // several slots on 2 threads
  { batch: 2, inH: 12, inW: 12, inC: 64, outC: 32, kH: 1, kW: 1, stride: [2, 2], padding: 'valid' },
  { batch: 1, inH: 28, inW: 28, inC: 1, outC: 32, kH: 5, kW: 5, padding: 'same' }, // one image: GEMM threads itself
  { batch: 3, inH: 14, inW: 14, inC: 32, outC: 64, kH: 5, kW: 5, padding: 'same' }, // the benchmark CNN's second conv
  { batch: 3, inH: 1, inW: 20, inC: 6, outC: 7, kH: 1, kW: 3, padding: 'same' }, // Conv1D
  // Padding as wide as the kernel: whole patches (and kernel rows) fall outside the input.
  { batch: 2, inH: 4, inW: 5, inC: 2, outC: 3, kH: 2, kW: 2, stride: [2, 3], padding: { top: 3, left: 2, bottom: 3, right: 4 } },
  { batch: 2, inH: 3, inW: 3, inC: 2, outC: 4, kH: 5, kW: 5, padding: 'valid' }, // empty output
];

describe('conv2d: native vs reference', () => {
  it('forward, input gradient and filter gradient match on every path and thread count', () => {
    const rng = new Random(2024);
    let checked = 0;
    CONV_CASES.forEach((cs, t) => {
      const g = convGeometry(cs);
      const K = g.kH * g.kW * g.inC;
      const M = g.batch * g.outH * g.outW;
      const x = randomArray(rng, g.batch * g.inH * g.inW * g.inC);
      const w = randomArray(rng, K * g.outC);
      const bias = t % 2 === 0 ? randomArray(rng, g.outC) : null;
      const dy = randomArray(rng, M * g.outC);
      const beta = t % 3 === 1 ? 1 : 0;
      const dw0 = beta === 0 ? new Float32Array(K * g.outC).fill(NaN) : randomArray(rng, K * g.outC);
      const db0 = beta === 0 ? new Float32Array(g.outC).fill(NaN) : randomArray(rng, g.outC);

      const y = new Float32Array(M * g.outC);
      reference.conv2d(g, x, w, bias, y);
      // The activation fused into the forward pass, varied over the cases.
      const act = (['relu', 'sigmoid', 'leaky_relu', 'tanh'] as const)[t % 4]!;
      const actAlpha = act === 'leaky_relu' ? 0.1 : 0;
      const ya = new Float32Array(M * g.outC);
      reference.conv2d(g, x, w, bias, ya, act, actAlpha);
      const dx = new Float32Array(x.length);
      reference.conv2dBackwardInput(g, dy, w, dx);
      const dw = Float32Array.from(dw0);
      const db = Float32Array.from(db0);
      reference.conv2dBackwardFilter(g, x, dy, dw, db, beta);

      const [fa, fr] = tol(K, x, w);
      const [ia, ir] = tol(g.kH * g.kW * g.outC, dy, w);
      const [wa, wr] = tol(M, x, dy);
      const name = describeGeometry(g);
      for (const isa of ISAS) {
        for (const threads of [1, 2]) {
          const where = `${isa} ${threads}t ${name}`;
          const ny = new Float32Array(y.length).fill(NaN);
          const nya = new Float32Array(y.length).fill(NaN);
          const ndx = new Float32Array(dx.length).fill(NaN);
          const ndw = Float32Array.from(dw0);
          const ndb = Float32Array.from(db0);
          withIsa(isa, () => withThreads(threads, () => {
            native.conv2d(g, x, w, bias, ny);
            native.conv2d(g, x, w, bias, nya, act, actAlpha);
            native.conv2dBackwardInput(g, dy, w, ndx);
            native.conv2dBackwardFilter(g, x, dy, ndw, ndb, beta);
          }));
          let r = compareArrays(ny, y, fa, fr);
          expect(r.ok, `forward ${where}: ${r.message}`).toBe(true);
          r = compareArrays(nya, ya, fa, fr);
          expect(r.ok, `forward with ${act} ${where}: ${r.message}`).toBe(true);
          r = compareArrays(ndx, dx, ia, ir);
          expect(r.ok, `input gradient ${where}: ${r.message}`).toBe(true);
          r = compareArrays(ndw, dw, wa, wr);
          expect(r.ok, `filter gradient ${where}: ${r.message}`).toBe(true);
          r = compareArrays(ndb, db, wa, wr);
          expect(r.ok, `bias gradient ${where}: ${r.message}`).toBe(true);
          checked++;
        }
      }
    });
    expect(checked).toBe(CONV_CASES.length * ISAS.length * 2);
  }, 60_000);

  it('filter gradient without db, beta 1 accumulating, on one and two threads', () => {
    const rng = new Random(5);
    const g = convGeometry({ batch: 4, inH: 10, inW: 10, inC: 8, outC: 16, kH: 3, kW: 3, stride: [2, 1], padding: 'same' });
    const x = randomArray(rng, g.batch * g.inH * g.inW * g.inC);
    const dy = randomArray(rng, g.batch * g.outH * g.outW * g.outC);
    const dw0 = randomArray(rng, g.kH * g.kW * g.inC * g.outC);
    const expected = Float32Array.from(dw0);
    reference.conv2dBackwardFilter(g, x, dy, expected, null, 1);
    for (const isa of ISAS) {
      for (const threads of [1, 2]) {
        const dw = Float32Array.from(dw0);
        withIsa(isa, () => withThreads(threads, () => native.conv2dBackwardFilter(g, x, dy, dw, null, 1)));
        const r = compareArrays(dw, expected, ...tol(g.batch * g.outH * g.outW, x, dy));
        expect(r.ok, `${isa} ${threads}t: ${r.message}`).toBe(true);
      }
    }
  });

  it('computes a small case by hand', () => {
    // x = 1..9 on a 3×3 grid, a 2×2 kernel of ones, valid: each output sums a 2×2 block.
    const g = convGeometry({ batch: 1, inH: 3, inW: 3, inC: 1, outC: 1, kH: 2, kW: 2, padding: 'valid' });
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = new Float32Array(4).fill(1);
    for (const backend of [reference, native]) {
      const y = new Float32Array(4);
      backend.conv2d(g, x, w, Float32Array.from([0.5]), y);
      expect(Array.from(y)).toEqual([12.5, 16.5, 24.5, 28.5]);
      // The input gradient of Σ y counts how many windows cover each input.
      const dx = new Float32Array(9);
      backend.conv2dBackwardInput(g, new Float32Array(4).fill(1), w, dx);
      expect(Array.from(dx)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    }
  });

  it('an empty output leaves dw at beta·dw and zeroes dx', () => {
    const g = convGeometry({ batch: 2, inH: 2, inW: 2, inC: 1, outC: 2, kH: 3, kW: 3, padding: 'valid' });
    expect(g.outH).toBe(0);
    for (const isa of ISAS) {
      const dx = new Float32Array(8).fill(NaN);
      const dw = new Float32Array(18).fill(NaN);
      const db = Float32Array.from([1, 2]);
      withIsa(isa, () => {
        native.conv2dBackwardInput(g, new Float32Array(0), new Float32Array(18), dx);
        native.conv2dBackwardFilter(g, new Float32Array(8), new Float32Array(0), dw, db, 0);
      });
      expect(Array.from(dx)).toEqual(new Array(8).fill(0));
      expect(Array.from(dw)).toEqual(new Array(18).fill(0));
      expect(Array.from(db)).toEqual([0, 0]);
    }
  });
});

const POOL_CASES: PoolCase[] = [
  { batch: 2, inH: 8, inW: 8, channels: 32, k: [2, 2], stride: [2, 2], padding: 'valid' },
  { batch: 3, inH: 7, inW: 9, channels: 17, k: [3, 3], stride: [1, 1], padding: 'same' },
  { batch: 2, inH: 5, inW: 7, channels: 3, k: [2, 2], stride: [2, 2], padding: 'same' },
  // Non-overlapping windows leaving the last row and column outside every window.
  { batch: 2, inH: 5, inW: 7, channels: 19, k: [2, 2], stride: [2, 2], padding: 'valid' },
  { batch: 1, inH: 11, inW: 11, channels: 64, k: [3, 3], stride: [2, 2], padding: 'same' },
  { batch: 2, inH: 9, inW: 6, channels: 1, k: [3, 2], stride: [3, 1], padding: 'valid' },
  // Windows entirely in the padding (top rows, right columns): 0 and argmax −1.
  { batch: 2, inH: 4, inW: 4, channels: 5, k: [2, 2], stride: [2, 2], padding: { top: 2, left: 0, bottom: 0, right: 3 } },
  { batch: 16, inH: 28, inW: 28, channels: 32, k: [2, 2], stride: [2, 2], padding: 'valid' }, // large: threaded
];

describe('pool2d: native vs reference', () => {
  for (const kind of ['max', 'avg'] as const) {
    it(`${kind} pooling forward and backward match on every path and thread count (ties and NaN)`, () => {
      const rng = new Random(kind === 'max' ? 11 : 12);
      for (const cs of POOL_CASES) {
        const g = poolGeometry(cs);
        const xLen = g.batch * g.inH * g.inW * g.channels;
        const yLen = g.batch * g.outH * g.outW * g.channels;
        // Few distinct values make ties common (the first maximum must win); then some NaN.
        const x = new Float32Array(xLen);
        for (let i = 0; i < xLen; i++) x[i] = Math.floor(rng.uniform() * 4) - 2;
        for (let i = 0; i < xLen; i += 7 + (i % 5)) if (rng.uniform() < 0.3) x[i] = NaN;
        const dy = randomArray(rng, yLen);
        const y = new Float32Array(yLen);
        const argmax = kind === 'max' ? new Int32Array(yLen) : null;
        reference.pool2d(kind, g, x, y, argmax);
        const dx = new Float32Array(xLen);
        reference.pool2dBackward(kind, g, dy, argmax, dx);
        if (kind === 'max') expect(argmax!.some((v) => v === -1)).toBe(cs.padding instanceof Object);
        for (const isa of ISAS) {
          for (const threads of [1, 2]) {
            const where = `${isa} ${threads}t ${describeGeometry(g)}`;
            const ny = new Float32Array(yLen).fill(12345);
            const nam = kind === 'max' ? new Int32Array(yLen).fill(-7) : null;
            const ndx = new Float32Array(xLen).fill(NaN);
            withIsa(isa, () => withThreads(threads, () => {
              native.pool2d(kind, g, x, ny, nam);
              native.pool2dBackward(kind, g, dy, argmax, ndx);
            }));
            let r = compareArrays(ny, y, 1e-6, 1e-6);
            expect(r.ok, `forward ${where}: ${r.message}`).toBe(true);
            if (nam !== null) expect(Array.from(nam), `argmax ${where}`).toEqual(Array.from(argmax!));
            r = compareArrays(ndx, dx, 1e-6, 1e-5);
            expect(r.ok, `backward ${where}: ${r.message}`).toBe(true);
          }
        }
      }
    }, 60_000);
  }

  it('max pooling: NaN wins, the first NaN and the first of tied maxima are recorded', () => {
    const g = poolGeometry({ batch: 1, inH: 2, inW: 2, channels: 3, k: [2, 2], stride: [2, 2], padding: 'valid' });
    // Pixels (0,0), (0,1), (1,0), (1,1); channel 0: max 5 twice; channel 1: NaN at pixels 1 and
    // 3; channel 2: NaN first.
    const x = Float32Array.from([1, 0, NaN, 5, NaN, 1, 5, 9, 2, -1, NaN, 3]);
    for (const isa of ISAS) {
      const y = new Float32Array(3);
      const am = new Int32Array(3);
      withIsa(isa, () => native.pool2d('max', g, x, y, am));
      expect(y[0]).toBe(5);
      expect(Number.isNaN(y[1]!) && Number.isNaN(y[2]!)).toBe(true);
      expect(Array.from(am)).toEqual([3, 4, 2]);
      // Average pooling of channel 0: (1 + 5 + 5 − 1)/4.
      withIsa(isa, () => native.pool2d('avg', g, x, y, null));
      expect(y[0]).toBe(2.5);
    }
  });

  it('max pooling without argmax (inference) gives the same values', () => {
    const rng = new Random(3);
    const g = poolGeometry({ batch: 2, inH: 9, inW: 9, channels: 20, k: [3, 3], stride: [2, 2], padding: 'same' });
    const x = randomArray(rng, 2 * 9 * 9 * 20);
    const expected = new Float32Array(2 * 5 * 5 * 20);
    reference.pool2d('max', g, x, expected, null);
    for (const isa of ISAS) {
      const y = new Float32Array(expected.length);
      withIsa(isa, () => native.pool2d('max', g, x, y, null));
      expect(Array.from(y)).toEqual(Array.from(expected));
    }
  });
});

describe('conv/pool argument checks', () => {
  const g = convGeometry({ batch: 2, inH: 5, inW: 5, inC: 3, outC: 4, kH: 3, kW: 3, padding: 'same' });
  const geom = [g.batch, g.inH, g.inW, g.inC, g.outC, g.kH, g.kW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW];
  const xLen = 2 * 5 * 5 * 3;
  const wLen = 3 * 3 * 3 * 4;
  const yLen = 2 * 5 * 5 * 4;
  const a = native.addon;
  const f = (n: number) => new Float32Array(n);
  const with_ = (i: number, v: number) => geom.map((e, j) => (j === i ? v : e));

  it('rejects bad geometry with a RangeError or TypeError', () => {
    expectOpError(() => a.conv2d(geom.slice(0, 14), f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d([...geom, 1], f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    for (const i of [5, 6, 7, 8, 9, 10]) {
      expectOpError(() => a.conv2d(with_(i, 0), f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    }
    expectOpError(() => a.conv2d(with_(1, 2.5), f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(with_(1, -1), f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(with_(7, 2 ** 31), f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    // Products past 2^53 (each field below 2^31).
    const huge = [2 ** 30, 2 ** 30, 2 ** 30, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2 ** 30, 2 ** 30];
    expectOpError(() => a.conv2d(huge, f(xLen), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d('geom' as unknown as number[], f(xLen), f(wLen), null, f(yLen)), TypeError, 'conv2d');
    // Huge output padding/strides stay safe: every read is bounds-checked (outputs all 0 + bias).
    const far = with_(11, 2 ** 31 - 1);
    const y = f(yLen).fill(NaN);
    a.conv2d(far, f(xLen).fill(1), f(wLen).fill(1), null, y);
    expect(y.every((v) => v === 0)).toBe(true);
  });

  it('rejects short, mistyped, detached and aliased buffers', () => {
    expectOpError(() => a.conv2d(geom, f(xLen - 1), f(wLen), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(geom, f(xLen), f(wLen - 1), null, f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(geom, f(xLen), f(wLen), null, f(yLen - 1)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(geom, f(xLen), f(wLen), f(3), f(yLen)), RangeError, 'conv2d');
    expectOpError(() => a.conv2d(geom, new Int32Array(xLen) as unknown as Float32Array, f(wLen), null, f(yLen)), TypeError, 'conv2d');
    expectOpError(() => a.conv2d(geom, detachedArray(xLen), f(wLen), null, f(yLen)), TypeError, 'conv2d');
    const shared = f(xLen + yLen);
    expectOpError(() => a.conv2d(geom, shared.subarray(0, xLen), f(wLen), null, shared.subarray(xLen - 1)), RangeError, 'conv2d');
    const wy = f(wLen + yLen);
    expectOpError(() => a.conv2d(geom, f(xLen), wy.subarray(0, wLen), null, wy.subarray(1)), RangeError, 'conv2d');

    expectOpError(() => a.conv2dBackwardInput(geom, f(yLen - 1), f(wLen), f(xLen)), RangeError, 'conv2dBackwardInput');
    expectOpError(() => a.conv2dBackwardInput(geom, f(yLen), f(wLen), f(xLen - 1)), RangeError, 'conv2dBackwardInput');
    const dyx = f(yLen + xLen);
    expectOpError(() => a.conv2dBackwardInput(geom, dyx.subarray(0, yLen), f(wLen), dyx.subarray(yLen - 2)), RangeError, 'conv2dBackwardInput');

    const op = 'conv2dBackwardFilter';
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), f(yLen), f(wLen), null, 0.5), RangeError, op);
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), f(yLen), f(wLen), null, NaN), RangeError, op);
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), f(yLen), f(wLen - 1), null, 0), RangeError, op);
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), f(yLen), f(wLen), f(3), 0), RangeError, op);
    const dwdy = f(wLen + yLen);
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), dwdy.subarray(wLen - 1), dwdy.subarray(0, wLen), null, 0), RangeError, op);
    const dwdb = f(wLen + 4);
    expectOpError(() => a.conv2dBackwardFilter(geom, f(xLen), f(yLen), dwdb.subarray(0, wLen), dwdb.subarray(wLen - 1), 0), RangeError, op);
  });

  it('pooling: rejects bad geometry, argmax problems and aliasing', () => {
    const pg = poolGeometry({ batch: 2, inH: 4, inW: 4, channels: 3, k: [2, 2], stride: [2, 2], padding: 'valid' });
    const p = [pg.batch, pg.inH, pg.inW, pg.channels, pg.kH, pg.kW, pg.strideH, pg.strideW, pg.padTop, pg.padLeft, pg.outH, pg.outW];
    const px = 2 * 4 * 4 * 3;
    const py = 2 * 2 * 2 * 3;
    expectOpError(() => a.pool2d(true, p.slice(1), f(px), f(py), null), RangeError, 'pool2d');
    expectOpError(() => a.pool2d(true, p.map((v, i) => (i === 6 ? 0 : v)), f(px), f(py), null), RangeError, 'pool2d');
    expectOpError(() => a.pool2d(true, p.map((v, i) => (i === 4 ? 0 : v)), f(px), f(py), null), RangeError, 'pool2d');
    expectOpError(() => a.pool2d(true, p, f(px - 1), f(py), null), RangeError, 'pool2d');
    expectOpError(() => a.pool2d(true, p, f(px), f(py), new Int32Array(py - 1)), RangeError, 'pool2d');
    expectOpError(() => a.pool2d(true, p, f(px), f(py), new Float32Array(py) as unknown as Int32Array), TypeError, 'pool2d');
    expectOpError(() => a.pool2d(1 as unknown as boolean, p, f(px), f(py), null), TypeError, 'pool2d');
    const y = f(py);
    expectOpError(() => a.pool2d(true, p, f(px), y, new Int32Array(y.buffer)), RangeError, 'pool2d');
    const xy = f(px + py);
    expectOpError(() => a.pool2d(false, p, xy.subarray(0, px), xy.subarray(px - 1), null), RangeError, 'pool2d');

    const op = 'pool2dBackward';
    expectOpError(() => a.pool2dBackward(true, p, f(py), null, f(px)), TypeError, op);
    expectOpError(() => a.pool2dBackward(true, p, f(py), new Int32Array(py - 1), f(px)), RangeError, op);
    expectOpError(() => a.pool2dBackward(false, p, f(py), null, f(px - 1)), RangeError, op);
    // argmax entries must be −1 or inside their own image: another image, past the end, −2.
    for (const bad of [px / 2, px, -2, 2 ** 31 - 1]) {
      const am = new Int32Array(py);
      am[1] = bad;
      expectOpError(() => a.pool2dBackward(true, p, f(py), am, f(px)), RangeError, op);
    }
    const am = new Int32Array(py).fill(-1);
    am[py - 1] = px - 1; // the last output of image 1 may point at the last input of image 1
    const dx = f(px).fill(NaN);
    a.pool2dBackward(true, p, f(py).fill(2), am, dx);
    expect(dx[px - 1]).toBe(2);
    expect(dx.subarray(0, px - 1).every((v) => v === 0)).toBe(true);
    const dxam = new Int32Array(px + py);
    expectOpError(() => a.pool2dBackward(true, p, f(py), dxam.subarray(0, py), new Float32Array(dxam.buffer, 4 * (py - 1), px)), RangeError, op);
  });
});
