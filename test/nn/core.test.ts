import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError, ValueError } from '../../src/errors.js';
import * as ops from '../../src/index.js';
import { type Layer, layerFromConfig } from '../../src/nn/layer.js';
import * as layers from '../../src/nn/layers/index.js';
import { Random, manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

function close(actual: Tensor, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual.data[i]! - e), `element ${i}: ${actual.data[i]} vs ${e}`).toBeLessThanOrEqual(tol * (1 + Math.abs(e)));
  }
}

/** getConfig → layerFromConfig gives the same class and config; with weights copied, the same output. */
function roundTrip(layer: Layer<Tensor, Tensor>, x: Tensor | null): void {
  const again = layerFromConfig(layer.serialize()) as Layer<Tensor, Tensor>;
  expect(again.className).toBe(layer.className);
  expect(again.getConfig()).toEqual(layer.getConfig());
  expect(JSON.parse(JSON.stringify(layer.getConfig()))).toEqual(layer.getConfig());
  if (x !== null) {
    const y = layer.apply(x, { training: false });
    again.apply(x, { training: false });
    again.setWeights(layer.getWeights());
    close(again.apply(x, { training: false }), y.data, 0);
  }
}

describe('Dense', () => {
  test('hand-computed output with set weights, on [batch, in] and [batch, t, in]', () => {
    const d = layers.dense({ units: 2, activation: 'relu', inputShape: [3] });
    expect(d.built).toBe(false);
    d.build([null, 3]);
    expect(d.kernel!.shape).toEqual([3, 2]);
    expect(d.bias!.shape).toEqual([2]);
    d.setWeights([t([1, -1, 2, 0, -1, 3], [3, 2]), t([0.5, -0.5], [2])]);
    // x·K = [1·1 + 2·2 + 3·(−1), 1·(−1) + 0 + 3·3] = [2, 8]; + b → [2.5, 7.5]
    // second row [−1, 0, 0] → [−1, 1] + b = [−0.5, 0.5] → relu [0, 0.5]
    const y = d.apply(t([1, 2, 3, -1, 0, 0], [2, 3]));
    expect(y.shape).toEqual([2, 2]);
    close(y, [2.5, 7.5, 0, 0.5]);
    const y3 = d.apply(t([1, 2, 3, -1, 0, 0, 1, 2, 3, -1, 0, 0], [2, 2, 3]));
    expect(y3.shape).toEqual([2, 2, 2]);
    close(y3, [2.5, 7.5, 0, 0.5, 2.5, 7.5, 0, 0.5]);
    expect(d.computeOutputShape([null, 5, 3])).toEqual([null, 5, 2]);
  });

  test('builds on first use; no bias; linear; glorotUniform bounds', () => {
    manualSeed(1);
    const d = layers.dense({ units: 50, useBias: false });
    const y = d.apply(ops.ones([4, 30]));
    expect(y.shape).toEqual([4, 50]);
    expect(d.bias).toBeNull();
    expect(d.weights.length).toBe(1);
    const limit = Math.sqrt(6 / 80);
    const k = d.kernel!.data;
    expect(Math.max(...k)).toBeLessThanOrEqual(limit);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-limit);
    // Each output is the column sum of the kernel.
    for (let j = 0; j < 50; j++) {
      let s = 0;
      for (let i = 0; i < 30; i++) s += k[i * 50 + j]!;
      expect(y.data[j]).toBeCloseTo(s, 4);
    }
  });

  test('softmax activation rows sum to one; inputDim shorthand', () => {
    const d = layers.dense({ units: 4, activation: 'softmax', inputDim: 3 });
    expect(d.batchInputShape).toEqual([null, 3]);
    const y = d.apply(randTensor(new Random(2), [5, 3]));
    for (let r = 0; r < 5; r++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += y.data[r * 4 + j]!;
      expect(s).toBeCloseTo(1, 5);
    }
  });

  const activations: Array<[string, (x: Tensor) => Tensor]> = [
    ['linear', (x) => x],
    ['relu', ops.relu],
    ['relu6', (x) => ops.clamp(x, 0, 6)],
    ['elu', (x) => ops.elu(x)],
    ['selu', ops.selu],
    ['sigmoid', ops.sigmoid],
    ['hard_sigmoid', ops.hardSigmoid],
    ['tanh', ops.tanh],
    ['softplus', ops.softplus],
    ['softsign', ops.softsign],
    ['swish', ops.silu],
    ['silu', ops.silu],
    ['gelu', (x) => ops.gelu(x)],
    ['leaky_relu', (x) => ops.leakyRelu(x, 0.2)],
    ['softmax', (x) => ops.softmax(x)],
    ['log_softmax', (x) => ops.logSoftmax(x)],
  ];

  describe.each(BACKENDS)('on %s', (backend) => {
    test.for(activations)('activation %s: matches x·K + b then the op, and its gradients check', ([name, f], ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(5);
        manualSeed(5);
        const d = layers.dense({ units: 4, activation: name, biasInitializer: { className: 'RandomUniform', config: { seed: 3 } } });
        const x = randTensor(rng, [3, 5], -1.5, 1.5).requiresGrad_();
        const y = d.apply(x);
        const ref = ops.noGrad(() => f(x.matmul(d.kernel!).add(d.bias!)));
        close(y, ref.data, 1e-4);
        gradcheck((xi) => d.apply(xi), [x, d.kernel!, d.bias!], { eps: 3e-3 });
      });
    });
  });

  test('errors: bad units, unknown activation, wrong width after build, rank 1', () => {
    expect(() => layers.dense({ units: 0 })).toThrow(ValueError);
    expect(() => layers.dense({ units: 2.5 })).toThrow(ArgumentError);
    expect(() => layers.dense({ units: 'ten' as never })).toThrow(/dendrite.Dense: units/);
    expect(() => layers.dense({} as never)).toThrow(ArgumentError);
    expect(() => layers.dense({ units: 3, activation: 'reluish' })).toThrow(/dendrite.Dense: unknown activation .*softmax/);
    expect(() => layers.dense({ units: 3, kernelInitializer: 'nope' })).toThrow(/dendrite.Dense: kernelInitializer/);
    const d = layers.dense({ units: 3 });
    d.apply(ops.ones([2, 4]));
    expect(() => d.apply(ops.ones([2, 5]))).toThrow(ShapeError);
    expect(() => d.apply(ops.ones([2, 5]))).toThrow(/layer 'dense(_\d+)?' expects input \[batch, \.\.\., 4\].*got \[2, 5\]/);
    expect(() => layers.dense({ units: 3 }).apply(ops.ones([4]))).toThrow(ShapeError);
  });

  test('config round trip', () => {
    const d = layers.dense({
      units: 3, activation: 'tanh', useBias: true, inputShape: [4], kernelInitializer: 'he_normal', name: 'my_dense',
    });
    expect(d.getConfig()).toMatchObject({
      name: 'my_dense', units: 3, activation: 'tanh', useBias: true, batchInputShape: [null, 4],
      kernelInitializer: { className: 'HeNormal', config: {} }, biasInitializer: { className: 'Zeros', config: {} },
    });
    roundTrip(d, randTensor(new Random(1), [2, 4]));
    roundTrip(layers.dense({ units: 2, useBias: false }), randTensor(new Random(1), [2, 4]));
  });
});

describe('Flatten and Reshape', () => {
  test('Flatten', () => {
    const f = layers.flatten();
    const x = ops.arange(24).reshape([2, 3, 4]);
    const y = f.apply(x);
    expect(y.shape).toEqual([2, 12]);
    close(y, x.data, 0);
    expect(f.computeOutputShape([null, 3, 4])).toEqual([null, 12]);
    expect(f.computeOutputShape([null, null, 4])).toEqual([null, null]);
    expect(layers.flatten().apply(ops.ones([3])).shape).toEqual([3, 1]);
    roundTrip(layers.flatten({ inputShape: [3, 4] }), x);
  });

  test('Reshape with an inferred dimension; gradients pass through', () => {
    const r = layers.reshape({ targetShape: [-1, 2] });
    const x = ops.arange(12).reshape([2, 6]).requiresGrad_();
    const y = r.apply(x);
    expect(y.shape).toEqual([2, 3, 2]);
    close(y, x.data, 0);
    expect(r.computeOutputShape([null, 6])).toEqual([null, 3, 2]);
    expect(r.computeOutputShape([null, null])).toEqual([null, null, 2]);
    y.sum().backward();
    close(x.grad!, new Array(12).fill(1), 0);
    roundTrip(layers.reshape({ targetShape: [3, 2] }), ops.ones([2, 6]));
  });

  test('Reshape errors', () => {
    expect(() => layers.reshape({ targetShape: [-1, -1] })).toThrow(ArgumentError);
    expect(() => layers.reshape({ targetShape: [2, -3] })).toThrow(ArgumentError);
    expect(() => layers.reshape({} as never)).toThrow(ArgumentError);
    expect(() => layers.reshape({ targetShape: [4] }).apply(ops.ones([2, 6]))).toThrow(ShapeError);
    expect(() => layers.reshape({ targetShape: [-1, 4] }).apply(ops.ones([2, 6]))).toThrow(/cannot reshape \(None, 6\) \(6 values per sample\)/);
    expect(() => layers.reshape({ targetShape: [5], inputShape: [6] }).build([null, 6])).toThrow(ShapeError);
    const r = layers.reshape({ targetShape: [-1, 4] });
    expect(r.apply(ops.ones([2, 8])).shape).toEqual([2, 2, 4]);
    expect(() => r.apply(ops.ones([2, 7]))).toThrow(/cannot reshape \[2, 7\]/);
  });
});

describe('activation layers', () => {
  const x = t([-3, -1, -0.25, 0.5, 2, 7], [2, 3]);
  const cases: Array<[string, (v: number) => number]> = [
    ['relu', (v) => Math.max(v, 0)],
    ['relu6', (v) => Math.min(Math.max(v, 0), 6)],
    ['linear', (v) => v],
    ['elu', (v) => (v > 0 ? v : Math.expm1(v))],
    ['selu', (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ['hardSigmoid', (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1)],
    ['tanh', Math.tanh],
    ['softplus', (v) => Math.log1p(Math.exp(v))],
    ['softsign', (v) => v / (1 + Math.abs(v))],
    ['swish', (v) => v / (1 + Math.exp(-v))],
    ['gelu', (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ['leakyRelu', (v) => (v > 0 ? v : 0.2 * v)],
  ];
  test.for(cases)('Activation %s', ([name, f]) => {
    const a = layers.activation({ activation: name });
    close(a.apply(x), [...x.data].map(f), 1e-4);
    roundTrip(a, x);
  });
  test('softmax over the last axis; Softmax layer over any axis', () => {
    const y = layers.activation({ activation: 'softmax' }).apply(x);
    const e = [...x.data].map(Math.exp);
    const s0 = e[0]! + e[1]! + e[2]!;
    const s1 = e[3]! + e[4]! + e[5]!;
    close(y, [e[0]! / s0, e[1]! / s0, e[2]! / s0, e[3]! / s1, e[4]! / s1, e[5]! / s1], 1e-5);
    const sm = layers.softmax({ axis: 0 });
    const z = sm.apply(x);
    close(z, [0, 1, 2, 3, 4, 5].map((i) => e[i]! / (e[i % 3]! + e[3 + (i % 3)]!)), 1e-5);
    roundTrip(sm, x);
    expect(() => layers.softmax({ axis: 2 }).apply(x)).toThrow(ShapeError);
  });
  test('LeakyReLU (default alpha 0.3), ELU (alpha), ReLU (maxValue)', () => {
    close(layers.leakyReLU().apply(x), [-0.9, -0.3, -0.075, 0.5, 2, 7], 1e-6);
    close(layers.leakyReLU({ alpha: 0.1 }).apply(x), [-0.3, -0.1, -0.025, 0.5, 2, 7], 1e-6);
    close(layers.elu({ alpha: 2 }).apply(x), [2 * Math.expm1(-3), 2 * Math.expm1(-1), 2 * Math.expm1(-0.25), 0.5, 2, 7], 1e-5);
    close(layers.reLU({ maxValue: 1 }).apply(x), [0, 0, 0, 0.5, 1, 1], 0);
    close(layers.reLU().apply(x), [0, 0, 0, 0.5, 2, 7], 0);
    roundTrip(layers.leakyReLU({ alpha: 0.1 }), x);
    roundTrip(layers.elu({ alpha: 2 }), x);
    roundTrip(layers.reLU({ maxValue: 3 }), x);
    expect(layers.leakyReLU().name).toMatch(/^leaky_re_lu/);
  });
  test('errors', () => {
    expect(() => layers.activation({ activation: 'sigmoidal' })).toThrow(ArgumentError);
    expect(() => layers.leakyReLU({ alpha: NaN })).toThrow(ArgumentError);
    expect(() => layers.reLU({ maxValue: -1 })).toThrow(ArgumentError);
  });
});

describe('Dropout', () => {
  test('inactive in evaluation, inverted scaling in training', () => {
    const d = layers.dropout({ rate: 0.25 });
    const x = ops.ones([200, 100]);
    expect(d.apply(x, { training: false })).toBe(x);
    d.eval();
    expect(d.apply(x)).toBe(x);
    d.train();
    const y = d.apply(x);
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(zeros / x.size).toBeGreaterThan(0.23);
    expect(zeros / x.size).toBeLessThan(0.27);
    // The mean is preserved in expectation.
    expect(y.mean().item()).toBeGreaterThan(0.97);
    expect(y.mean().item()).toBeLessThan(1.03);
    expect(layers.dropout({ rate: 0 }).apply(x)).toBe(x);
  });

  test('seeded: the layer seed and manualSeed reproduce masks', () => {
    const x = ops.ones([10, 10]);
    const a = layers.dropout({ rate: 0.5, seed: 3 }).apply(x);
    const b = layers.dropout({ rate: 0.5, seed: 3 }).apply(x);
    expect(b.data).toEqual(a.data);
    manualSeed(9);
    const c = layers.dropout({ rate: 0.5 }).apply(x);
    manualSeed(9);
    const e = layers.dropout({ rate: 0.5 }).apply(x);
    expect(e.data).toEqual(c.data);
    const layer = layers.dropout({ rate: 0.5, seed: 3 });
    const first = layer.apply(x);
    expect(layer.apply(x).data).not.toEqual(first.data);
  });

  test('gradient with a fixed mask is the mask times the scale', () => {
    const x = randTensor(new Random(4), [4, 6]).requiresGrad_();
    gradcheck((xi) => layers.dropout({ rate: 0.4, seed: 11 }).apply(xi), [x]);
    const y = layers.dropout({ rate: 0.4, seed: 11 }).apply(x);
    x.grad = null;
    y.sum().backward();
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBeCloseTo(y.data[i] === 0 ? 0 : 1 / 0.6, 6);
  });

  test('config and errors', () => {
    roundTrip(layers.dropout({ rate: 0.3, seed: 2 }), ops.ones([2, 2]));
    expect(layers.dropout({ rate: 0.3 }).getConfig()).not.toHaveProperty('seed');
    expect(() => layers.dropout({ rate: 1 })).toThrow(ValueError);
    expect(() => layers.dropout({ rate: -0.1 })).toThrow(ValueError);
    expect(() => layers.dropout({} as never)).toThrow(ValueError);
  });
});

// Abramowitz–Stegun 7.1.26 is too coarse for a 1e-4 check; a series/continued fraction is not
// needed either: erf via the complementary error function's Chebyshev fit (Numerical Recipes).
function erf(x: number): number {
  const z = Math.abs(x);
  const u = 1 / (1 + 0.5 * z);
  const r = u * Math.exp(-z * z - 1.26551223 + u * (1.00002368 + u * (0.37409196 + u * (0.09678418 +
    u * (-0.18628806 + u * (0.27886807 + u * (-1.13520398 + u * (1.48851587 + u * (-0.82215223 + u * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}
