import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { conv1d, conv2d } from '../../src/ops/conv.js';
import {
  avgPool1d, avgPool2d, globalAvgPool, globalMaxPool, maxPool1d, maxPool2d,
} from '../../src/ops/pool.js';
import { noGrad } from '../../src/autograd.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { expectOpError } from '../support/errors.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();
const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

/** Distinct values spaced 0.1 apart in random order: no ties, and far apart for a ±eps nudge. */
function distinctTensor(rng: Random, shape: number[]): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return t(v, shape);
}

/**
 * An independent convolution written from TensorFlow's documented padding rule, in float64:
 * the padding and output sizes are worked out here, not taken from the op.
 */
function naiveConv2d(
  x: Tensor, w: Tensor, b: Tensor | null, s: [number, number], d: [number, number], padding: 'valid' | 'same',
): { shape: number[]; data: Float64Array } {
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [kh, kw, , f] = w.shape as [number, number, number, number];
  const dims = [h, wd].map((size, a) => {
    const span = (a === 0 ? kh - 1 : kw - 1) * d[a]! + 1;
    if (padding === 'valid') return { out: Math.floor((size - span) / s[a]!) + 1, pad: 0 };
    const out = Math.ceil(size / s[a]!);
    const total = Math.max((out - 1) * s[a]! + span - size, 0);
    return { out, pad: Math.floor(total / 2) };
  });
  const [oh, ow] = [dims[0]!.out, dims[1]!.out];
  const y = new Float64Array(n * oh * ow * f);
  for (let bi = 0; bi < n; bi++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        for (let fo = 0; fo < f; fo++) {
          let acc = b === null ? 0 : b.data[fo]!;
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const ih = r * s[0] - dims[0]!.pad + i * d[0];
              const iw = q * s[1] - dims[1]!.pad + j * d[1];
              if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
              for (let ci = 0; ci < c; ci++) {
                acc += x.data[((bi * h + ih) * wd + iw) * c + ci]! * w.data[((i * kw + j) * c + ci) * f + fo]!;
              }
            }
          }
          y[((bi * oh + r) * ow + q) * f + fo] = acc;
        }
      }
    }
  }
  return { shape: [n, oh, ow, f], data: y };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

describe.each(BACKENDS)('convolution and pooling on %s', (backend) => {
  // x = 1..9 as a 3×3 image, kernel [[1, 2], [3, 4]].
  const img3 = (): Tensor => t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const k2 = (): Tensor => t([1, 2, 3, 4], [2, 2, 1, 1]);

  test('conv2d known values: 3×3 input, 2×2 kernel', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const valid = conv2d(img3(), k2());
      expect(valid.shape).toEqual([1, 2, 2, 1]);
      expect(Array.from(valid.data)).toEqual([37, 47, 67, 77]);
      // 'same' pads one row and column at the end (TensorFlow puts the odd pixel after).
      const same = conv2d(img3(), k2(), { padding: 'same' });
      expect(same.shape).toEqual([1, 3, 3, 1]);
      expect(Array.from(same.data)).toEqual([37, 47, 21, 67, 77, 33, 23, 26, 9]);
      const strided = conv2d(img3(), k2(), { padding: 'SAME', strides: 2, bias: t([0.5], [1]) });
      expect(strided.shape).toEqual([1, 2, 2, 1]);
      expect(Array.from(strided.data)).toEqual([37.5, 21.5, 23.5, 9.5]);
      // Dilation 2 on 3×3 'valid': the taps are the four corners.
      const dil = conv2d(img3(), k2(), { dilationRate: 2 });
      expect(Array.from(dil.data)).toEqual([1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]);
      const relu = conv2d(img3(), t([-1, 0, 0, 0], [2, 2, 1, 1]), { activation: 'relu', bias: t([4.5], [1]) });
      expect(Array.from(relu.data)).toEqual([3.5, 2.5, 0.5, 0]);
    });
  });

  test('conv2d matches an independent direct loop (channels, strides, dilation, padding)', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(11);
      const cases: Array<[number[], number[], [number, number], [number, number], 'valid' | 'same']> = [
        [[2, 7, 6, 3], [3, 2, 3, 4], [1, 1], [1, 1], 'same'],
        [[2, 7, 6, 3], [3, 3, 3, 2], [2, 3], [1, 1], 'same'],
        [[1, 8, 9, 2], [3, 3, 2, 5], [2, 2], [1, 1], 'valid'],
        [[1, 9, 7, 2], [3, 2, 2, 3], [1, 1], [2, 3], 'same'],
        [[3, 5, 5, 1], [5, 5, 1, 2], [1, 1], [1, 1], 'valid'],
        [[1, 4, 4, 2], [5, 5, 2, 1], [3, 3], [1, 1], 'same'],
      ];
      for (const [xs, ws, s, d, padding] of cases) {
        const x = randTensor(rng, xs);
        const w = randTensor(rng, ws);
        const b = randTensor(rng, [ws[3]!]);
        const y = conv2d(x, w, { strides: s, dilationRate: d, padding, bias: b });
        const e = naiveConv2d(x, w, b, s, d, padding);
        expect(y.shape).toEqual(e.shape);
        expectClose(y.data, e.data);
      }
    });
  });

  test('conv1d matches conv2d with a height of one, and causal padding looks back only', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(12);
      const x = randTensor(rng, [2, 9, 3]);
      const w = randTensor(rng, [3, 3, 4]);
      const b = randTensor(rng, [4]);
      for (const padding of ['valid', 'same'] as const) {
        for (const [s, d] of [[1, 1], [2, 1], [1, 2]] as const) {
          const y = conv1d(x, w, { strides: s, dilationRate: d, padding, bias: b });
          const y2 = conv2d(x.reshape([2, 1, 9, 3]), w.reshape([1, 3, 3, 4]), { strides: [1, s], dilationRate: [1, d], padding, bias: b });
          expect(y.shape).toEqual([2, y2.shape[2]!, 4]);
          expectClose(y.data, y2.data, 1e-6);
        }
      }
      // Causal: y[t] = Σ_i w[i]·x[t − (k − 1 − i)·d], zero before the start.
      const xs = t([1, 2, 3, 4, 5], [1, 5, 1]);
      const ws = t([1, 10, 100], [3, 1, 1]);
      const causal = conv1d(xs, ws, { padding: 'causal', dilationRate: 2 });
      expect(causal.shape).toEqual([1, 5, 1]);
      expect(Array.from(causal.data)).toEqual([100, 200, 310, 420, 531]);
    });
  });

  test('conv2d gradients: stride 1 / 2, same / valid, dilation 2, odd sizes', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const cases: Array<[number[], number[], number | [number, number], number, 'valid' | 'same']> = [
        [[2, 5, 5, 2], [3, 3, 2, 3], 1, 1, 'same'],
        [[2, 5, 5, 2], [3, 3, 2, 3], 1, 1, 'valid'],
        [[1, 7, 5, 3], [3, 2, 3, 2], 2, 1, 'same'],
        [[1, 7, 6, 2], [2, 3, 2, 2], [2, 3], 1, 'valid'],
        [[1, 7, 7, 2], [3, 3, 2, 2], 1, 2, 'same'],
        [[2, 6, 5, 1], [2, 2, 1, 2], 1, 2, 'valid'],
      ];
      let seed = 100;
      for (const [xs, ws, strides, dilationRate, padding] of cases) {
        const rng = new Random(seed++);
        const x = rg(randTensor(rng, xs));
        const w = rg(randTensor(rng, ws));
        const b = rg(randTensor(rng, [ws[3]!]));
        // conv2d is linear in each input, so a large step has no truncation error.
        gradcheck((xx, ww, bb) => conv2d(xx, ww, { strides, dilationRate, padding, bias: bb }), [x, w, b], { eps: 5e-2 });
      }
    });
  });

  test('conv2d gradients with fused activations and partial requiresGrad', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(7);
      for (const activation of ['tanh', 'gelu', 'sigmoid'] as const) {
        const x = rg(randTensor(rng, [1, 4, 5, 2]));
        const w = rg(randTensor(rng, [3, 3, 2, 2], -0.5, 0.5));
        const b = rg(randTensor(rng, [2]));
        gradcheck((xx, ww, bb) => conv2d(xx, ww, { padding: 'same', bias: bb, activation }), [x, w, b], { eps: 5e-3 });
      }
      // Only the kernel, only the bias, only x.
      const x = randTensor(rng, [1, 4, 4, 2]);
      const w = randTensor(rng, [2, 2, 2, 3]);
      const b = randTensor(rng, [3]);
      const f = (xx: Tensor, ww: Tensor, bb: Tensor): Tensor => conv2d(xx, ww, { strides: 2, bias: bb });
      gradcheck(f, [x, rg(w), b], { eps: 5e-2 });
      w.requiresGrad = false;
      gradcheck(f, [x, w, rg(b)], { eps: 5e-2 });
      b.requiresGrad = false;
      gradcheck(f, [rg(x), w, b], { eps: 5e-2 });
    });
  });

  test('conv1d gradients (same, valid, causal; strides and dilation)', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(21);
      const cases: Array<[number, number, 'valid' | 'same' | 'causal']> = [
        [1, 1, 'same'], [2, 1, 'valid'], [1, 2, 'causal'], [3, 1, 'same'],
      ];
      for (const [strides, dilationRate, padding] of cases) {
        const x = rg(randTensor(rng, [2, 7, 2]));
        const w = rg(randTensor(rng, [3, 2, 3]));
        const b = rg(randTensor(rng, [3]));
        gradcheck((xx, ww, bb) => conv1d(xx, ww, { strides, dilationRate, padding, bias: bb }), [x, w, b], { eps: 5e-2 });
      }
    });
  });

  test('weight gradients accumulate in .grad over two backward passes', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(5);
      const x = randTensor(rng, [2, 5, 4, 2]);
      const w = rg(randTensor(rng, [3, 3, 2, 3]));
      const b = rg(randTensor(rng, [3]));
      const loss = (): Tensor => conv2d(x, w, { padding: 'same', bias: b, activation: 'tanh' }).square().sum();
      loss().backward();
      const gw = Float32Array.from(w.grad!.data);
      const gb = Float32Array.from(b.grad!.data);
      expect(gw.some((v) => v !== 0)).toBe(true);
      const wBuf = w.grad!.data;
      loss().backward();
      // Written in place into the same buffer, doubled.
      expect(w.grad!.data).toBe(wBuf);
      expectClose(w.grad!.data, gw.map((v) => 2 * v), 1e-5);
      expectClose(b.grad!.data, gb.map((v) => 2 * v), 1e-5);
      // Bias cleared but kernel not: the bias restarts while the kernel keeps adding.
      b.grad = null;
      loss().backward();
      expectClose(w.grad!.data, gw.map((v) => 3 * v), 1e-5);
      expectClose(b.grad!.data, gb, 1e-5);
      // Same for conv1d (a 3-D kernel leaf).
      const x1 = randTensor(rng, [2, 6, 2]);
      const w1 = rg(randTensor(rng, [3, 2, 2]));
      const l1 = (): Tensor => conv1d(x1, w1, { padding: 'same' }).square().sum();
      l1().backward();
      const g1 = Float32Array.from(w1.grad!.data);
      l1().backward();
      expectClose(w1.grad!.data, g1.map((v) => 2 * v), 1e-5);
    });
  });

  test('pooling known values', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = t(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
      expect(Array.from(maxPool2d(x).data)).toEqual([6, 8, 14, 16]);
      expect(Array.from(avgPool2d(x).data)).toEqual([3.5, 5.5, 11.5, 13.5]);
      expect(maxPool2d(x, { poolSize: 3, strides: 1 }).shape).toEqual([1, 2, 2, 1]);
      expect(Array.from(maxPool2d(x, { poolSize: 3, strides: 1 }).data)).toEqual([11, 12, 15, 16]);
      // 'same' 3×3, stride 1 on a 3×3 image: padded positions are left out of the average.
      const avg = avgPool2d(img3(), { poolSize: 3, strides: 1, padding: 'same' });
      expect(avg.shape).toEqual([1, 3, 3, 1]);
      expectClose(avg.data, [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
      // 'same' 2×2, stride 2 on 3×3: the odd row and column are padded at the end.
      expect(Array.from(maxPool2d(img3(), { padding: 'same' }).data)).toEqual([5, 6, 8, 9]);
      expect(Array.from(avgPool2d(img3(), { padding: 'same' }).data)).toEqual([3, 4.5, 7.5, 9]);
      // Max gradient goes to the argmax.
      const xg = rg(t([1, 9, 2, 3, 4, 0, 8, 5, 7, 6, 1, 2, 3, 4, 5, 6], [1, 4, 4, 1]));
      maxPool2d(xg).backward(t([1, 2, 3, 4], [1, 2, 2, 1]));
      expect(Array.from(xg.grad!.data)).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 4]);
      // 1-D and global.
      const s = t([1, 5, 2, 4, 3, 0], [1, 6, 1]);
      expect(Array.from(maxPool1d(s).data)).toEqual([5, 4, 3]);
      expectClose(avgPool1d(s, { poolSize: 3, strides: 1 }).data, [8 / 3, 11 / 3, 3, 7 / 3], 1e-6);
      const two = t([1, -1, 2, -2, 3, -3, 6, 0], [1, 2, 2, 2]);
      expect(globalAvgPool(two).shape).toEqual([1, 2]);
      expect(Array.from(globalAvgPool(two).data)).toEqual([3, -1.5]);
      expect(Array.from(globalMaxPool(two).data)).toEqual([6, 0]);
      expect(Array.from(globalMaxPool(s).data)).toEqual([5]);
    });
  });

  test('pooling gradients', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(31);
      const maxCases: Array<[number[], { poolSize?: number | [number, number]; strides?: number; padding?: 'valid' | 'same' }]> = [
        [[2, 4, 4, 2], {}],
        [[1, 5, 5, 2], { padding: 'same' }],
        [[1, 5, 6, 1], { poolSize: 3, strides: 1 }],
        [[1, 5, 5, 2], { poolSize: [3, 2], strides: 2, padding: 'same' }],
      ];
      for (const [shape, options] of maxCases) {
        gradcheck((xx) => maxPool2d(xx, options), [rg(distinctTensor(rng, shape))], { eps: 1e-2 });
        gradcheck((xx) => avgPool2d(xx, options), [rg(randTensor(rng, shape))], { eps: 5e-2 });
      }
      gradcheck((xx) => maxPool1d(xx, { poolSize: 3, strides: 2, padding: 'same' }), [rg(distinctTensor(rng, [2, 7, 2]))]);
      gradcheck((xx) => avgPool1d(xx, { poolSize: 3, strides: 2, padding: 'same' }), [rg(randTensor(rng, [2, 7, 2]))], { eps: 5e-2 });
      gradcheck((xx) => globalMaxPool(xx), [rg(distinctTensor(rng, [2, 3, 3, 2]))]);
      gradcheck((xx) => globalAvgPool(xx), [rg(randTensor(rng, [2, 3, 3, 2]))], { eps: 5e-2 });
    });
  });

  test('a small conv → pool chain differentiates end to end', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(41);
      const x = rg(randTensor(rng, [1, 6, 6, 1]));
      const w = rg(randTensor(rng, [3, 3, 1, 2]));
      const f = (xx: Tensor, ww: Tensor): Tensor => avgPool2d(conv2d(xx, ww, { padding: 'same', activation: 'tanh' }));
      gradcheck(f, [x, w], { eps: 1e-2 });
    });
  });

  test('empty batches', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const w = rg(t([1, 2, 3, 4], [2, 2, 1, 1]));
      const b = rg(t([1], [1]));
      const y = conv2d(new Tensor(new Float32Array(0), [0, 3, 3, 1]), w, { bias: b });
      expect(y.shape).toEqual([0, 2, 2, 1]);
      y.sum().backward();
      expect(Array.from(w.grad!.data)).toEqual([0, 0, 0, 0]);
      expect(Array.from(b.grad!.data)).toEqual([0]);
      expect(maxPool2d(new Tensor(new Float32Array(0), [0, 4, 4, 3])).shape).toEqual([0, 2, 2, 3]);
    });
  });
});

describe('convolution and pooling argument errors', () => {
  const x = new Tensor(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3]);
  const w = new Tensor(new Float32Array(3 * 3 * 3 * 4), [3, 3, 3, 4]);
  test('conv2d', () => {
    expectOpError(() => conv2d(x.reshape([10, 5, 3]), w), ShapeError, 'conv2d');
    expectOpError(() => conv2d(x, w.reshape([9, 3, 4])), ShapeError, 'conv2d');
    expectOpError(() => conv2d(x, new Tensor(new Float32Array(36), [3, 3, 2, 2])), ShapeError, 'conv2d');
    expectOpError(() => conv2d(x, w, { strides: 0 }), ArgumentError, 'conv2d');
    expectOpError(() => conv2d(x, w, { strides: [1, 1.5] }), ArgumentError, 'conv2d');
    expectOpError(() => conv2d(x, w, { dilationRate: -1 }), ArgumentError, 'conv2d');
    expectOpError(() => conv2d(x, w, { padding: 'full' as 'same' }), ArgumentError, 'conv2d');
    expectOpError(() => conv2d(x, w, { bias: new Tensor(new Float32Array(3), [3]) }), ShapeError, 'conv2d');
    expectOpError(() => conv2d(x, w, { activation: 'nope' as 'relu' }), ArgumentError, 'conv2d');
    // Window larger than a 'valid' input: 3 taps dilated by 3 span 7 > 5.
    expectOpError(() => conv2d(x, w, { dilationRate: 3 }), ShapeError, 'conv2d');
    expectOpError(() => conv2d(x.reshape([2, 1, 25, 3]), w), ShapeError, 'conv2d');
    expect(() => conv2d(x, w, { dilationRate: 3, padding: 'same' })).not.toThrow();
    expectOpError(() => conv2d([1, 2] as unknown as Tensor, w), ArgumentError, 'conv2d');
    let msg = '';
    try {
      conv2d(x, new Tensor(new Float32Array(36), [3, 3, 2, 2]));
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toContain('[2, 5, 5, 3]');
    expect(msg).toContain('[3, 3, 2, 2]');
  });
  test('conv1d', () => {
    const x1 = new Tensor(new Float32Array(2 * 4 * 3), [2, 4, 3]);
    expectOpError(() => conv1d(x1, w), ShapeError, 'conv1d');
    expectOpError(() => conv1d(x1, new Tensor(new Float32Array(5 * 3 * 2), [5, 3, 2])), ShapeError, 'conv1d');
    expectOpError(() => conv1d(x1, new Tensor(new Float32Array(3 * 2 * 2), [3, 2, 2])), ShapeError, 'conv1d');
    expectOpError(() => conv1d(x1, new Tensor(new Float32Array(9), [3, 3, 1]), { strides: [1, 1] as unknown as number }), ArgumentError, 'conv1d');
    expectOpError(() => conv2d(x, w, { padding: 'causal' as 'same' }), ArgumentError, 'conv2d');
  });
  test('pooling', () => {
    expectOpError(() => maxPool2d(x.reshape([10, 5, 3])), ShapeError, 'maxPool2d');
    expectOpError(() => avgPool2d(x, { poolSize: 6 }), ShapeError, 'avgPool2d');
    expectOpError(() => maxPool2d(x, { poolSize: 0 }), ArgumentError, 'maxPool2d');
    expectOpError(() => maxPool2d(x, { strides: [2] as unknown as number }), ArgumentError, 'maxPool2d');
    expectOpError(() => maxPool1d(x), ShapeError, 'maxPool1d');
    expectOpError(() => avgPool1d(x.reshape([2, 25, 3]), { padding: 'causal' as 'same' }), ArgumentError, 'avgPool1d');
    expectOpError(() => globalAvgPool(x.reshape([150])), ShapeError, 'globalAvgPool');
    expectOpError(() => globalMaxPool(new Tensor(new Float32Array(0), [2, 0, 3])), ShapeError, 'globalMaxPool');
    expect(noGrad(() => maxPool2d(x, { padding: 'same', poolSize: 6 })).shape).toEqual([2, 1, 1, 3]);
  });
});
