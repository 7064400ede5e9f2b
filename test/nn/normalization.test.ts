import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import * as ops from '../../src/index.js';
import { type Layer, layerFromConfig } from '../../src/nn/layer.js';
import * as layers from '../../src/nn/layers/index.js';
import { batchNormInference, batchNormTrain, layerNorm } from '../../src/ops/norm.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual[i]! - e), `element ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol * (1 + Math.abs(e)));
  }
}

/** Per-channel mean and biased variance of x viewed as [outer, C, inner], in float64. */
function channelStats(x: Tensor, axis: number): { mean: number[]; variance: number[] } {
  const c = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const groups: number[][] = Array.from({ length: c }, () => []);
  for (let i = 0; i < x.size; i++) groups[Math.floor(i / inner) % c]!.push(x.data[i]!);
  const mean = groups.map((g) => g.reduce((p, v) => p + v, 0) / g.length);
  const variance = groups.map((g, k) => g.reduce((p, v) => p + (v - mean[k]!) ** 2, 0) / g.length);
  return { mean, variance };
}

function normalised(x: Tensor, axis: number, mean: number[], variance: number[], eps: number, gamma?: number[], beta?: number[]): number[] {
  const c = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return [...x.data].map((v, i) => {
    const k = Math.floor(i / inner) % c;
    return ((v - mean[k]!) / Math.sqrt(variance[k]! + eps)) * (gamma?.[k] ?? 1) + (beta?.[k] ?? 0);
  });
}

function roundTrip(layer: Layer<Tensor, Tensor>, x: Tensor): void {
  const again = layerFromConfig(layer.serialize()) as Layer<Tensor, Tensor>;
  expect(again.className).toBe(layer.className);
  expect(again.getConfig()).toEqual(layer.getConfig());
  const y = layer.apply(x, { training: false });
  again.apply(x, { training: false });
  again.setWeights(layer.getWeights());
  close(again.apply(x, { training: false }).data, y.data, 0);
}

describe('BatchNormalization', () => {
  test('training: batch statistics and one moving-statistics update; eval: moving statistics', () => {
    // Two channels; channel 0 = [1, 2, 3, 6] (mean 3, var 3.5), channel 1 = [0, 0, 4, 4] (mean 2, var 4).
    const x = t([1, 0, 2, 0, 3, 4, 6, 4], [4, 2]);
    const bn = layers.batchNormalization();
    const y = bn.apply(x, { training: true });
    expect(y.shape).toEqual([4, 2]);
    const eps = 1e-3;
    close(y.data, normalised(x, 1, [3, 2], [3.5, 4], eps));
    close(bn.movingMean!.data, [0.03, 0.02]);
    close(bn.movingVariance!.data, [0.99 + 0.035, 0.99 + 0.04]);
    // Evaluation normalises with the moving statistics and does not update them.
    const z = bn.apply(x, { training: false });
    close(z.data, normalised(x, 1, [0.03, 0.02], [1.025, 1.03], eps));
    close(bn.movingMean!.data, [0.03, 0.02]);
    // The module's mode decides when the call does not.
    bn.eval();
    close(bn.apply(x).data, z.data, 0);
    bn.train();
    close(bn.apply(x).data, y.data, 1e-6);
    close(bn.movingMean!.data, [0.03 * 0.99 + 0.03, 0.02 * 0.99 + 0.02]);
  });

  test('gamma, beta, momentum and epsilon; weights in Keras order', () => {
    const bn = layers.batchNormalization({ momentum: 0.5, epsilon: 0.1, inputShape: [2] });
    bn.build([null, 2]);
    expect(bn.weights.map((w) => w.shape)).toEqual([[2], [2], [2], [2]]);
    expect([...bn.stateDict().keys()]).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    expect(bn.parameters()).toEqual([bn.gamma, bn.beta]);
    expect(bn.countParams()).toBe(4);
    bn.setWeights([t([2, -1], [2]), t([0.5, 1], [2]), t([0, 0], [2]), t([1, 1], [2])]);
    const x = t([1, 0, 2, 0, 3, 4, 6, 4], [4, 2]);
    close(bn.apply(x, { training: true }).data, normalised(x, 1, [3, 2], [3.5, 4], 0.1, [2, -1], [0.5, 1]));
    close(bn.movingMean!.data, [1.5, 1]);
    close(bn.movingVariance!.data, [2.25, 2.5]);
  });

  test('NHWC images: statistics over batch and pixels; other channel axes', () => {
    const rng = new Random(3);
    const x = randTensor(rng, [2, 3, 3, 4], -2, 3);
    const bn = layers.batchNormalization();
    const s = channelStats(x, 3);
    close(bn.apply(x, { training: true }).data, normalised(x, 3, s.mean, s.variance, 1e-3), 1e-4);
    close(bn.movingMean!.data, s.mean.map((m) => 0.01 * m), 1e-5);
    // Channels first: axis 1 of [batch, C, L].
    const x1 = randTensor(rng, [3, 2, 5], -1, 1);
    const bn1 = layers.batchNormalization({ axis: 1 });
    const s1 = channelStats(x1, 1);
    close(bn1.apply(x1, { training: true }).data, normalised(x1, 1, s1.mean, s1.variance, 1e-3), 1e-4);
    expect(bn1.gamma!.shape).toEqual([2]);
  });

  test('a frozen layer (trainable false) uses and keeps the moving statistics', () => {
    const bn = layers.batchNormalization({ trainable: false });
    const x = t([1, 0, 2, 0, 3, 4, 6, 4], [4, 2]);
    const y = bn.apply(x, { training: true });
    close(y.data, normalised(x, 1, [0, 0], [1, 1], 1e-3));
    close(bn.movingMean!.data, [0, 0]);
    expect(bn.parameters()).toEqual([]);
  });

  describe.each(BACKENDS)('gradients on %s', (backend) => {
    test('training mode: input, gamma and beta (channels last and an inner axis)', (ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(7);
        const bn = layers.batchNormalization({
          gammaInitializer: { className: 'RandomUniform', config: { minval: 0.5, maxval: 1.5, seed: 1 } },
          betaInitializer: { className: 'RandomUniform', config: { seed: 2 } },
        });
        const x = randTensor(rng, [5, 3], -2, 2).requiresGrad_();
        bn.build([null, 3]);
        gradcheck((xi) => bn.apply(xi, { training: true }), [x, bn.gamma!, bn.beta!], { eps: 3e-3 });
        const x4 = randTensor(rng, [2, 3, 2, 2], -2, 2).requiresGrad_();
        const g = randTensor(rng, [3], 0.5, 1.5).requiresGrad_();
        const b = randTensor(rng, [3]).requiresGrad_();
        gradcheck((xi, gi, bi) => batchNormTrain(xi, gi, bi, 1, 1e-3).y, [x4, g, b], { eps: 3e-3 });
        gradcheck((xi) => batchNormTrain(xi, null, null, -1, 1e-3).y, [randTensor(rng, [4, 2], -1, 1).requiresGrad_()], { eps: 3e-3 });
      });
    });
    test('inference mode: input, gamma and beta', (ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(8);
        const x = randTensor(rng, [4, 3], -2, 2).requiresGrad_();
        const mean = randTensor(rng, [3]);
        const variance = randTensor(rng, [3], 0.5, 2);
        const g = randTensor(rng, [3], 0.5, 1.5).requiresGrad_();
        const b = randTensor(rng, [3]).requiresGrad_();
        gradcheck((xi, gi, bi) => batchNormInference(xi, mean, variance, gi, bi, -1, 1e-3), [x, g, b]);
      });
    });
  });

  test('gradients accumulate into .grad across two backward passes', () => {
    const bn = layers.batchNormalization();
    const x = randTensor(new Random(2), [6, 2]);
    bn.apply(x, { training: true }).square().sum().backward();
    const g1 = Float32Array.from(bn.gamma!.grad!.data);
    bn.apply(x, { training: true }).square().sum().backward();
    close(bn.gamma!.grad!.data, [...g1].map((v) => 2 * v), 1e-5);
  });

  test('an empty batch in training leaves the moving statistics alone', () => {
    const bn = layers.batchNormalization({ inputShape: [3] });
    bn.build([null, 3]);
    const x = new Tensor(new Float32Array(0), [0, 3]).requiresGrad_();
    const y = bn.apply(x, { training: true });
    expect(y.shape).toEqual([0, 3]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 3]);
    expect([...bn.movingMean!.data]).toEqual([0, 0, 0]);
    expect([...bn.movingVariance!.data]).toEqual([1, 1, 1]);
  });

  test('errors and config', () => {
    const bn = layers.batchNormalization();
    bn.apply(ops.ones([2, 3]));
    expect(() => bn.apply(ops.ones([2, 4]))).toThrow(ShapeError);
    expect(() => bn.apply(ops.ones([2, 4]))).toThrow(/built for rank-2 inputs with 3 channels on axis 1, got \[2, 4\]/);
    expect(() => layers.batchNormalization({ axis: 0 }).apply(ops.ones([2, 3]))).toThrow(ShapeError);
    expect(() => layers.batchNormalization({ momentum: 2 })).toThrow(ArgumentError);
    expect(() => layers.batchNormalization({ gammaInitializer: 'nope' })).toThrow(/dendrite.BatchNormalization: gammaInitializer/);
    const trained = layers.batchNormalization({ momentum: 0.9, epsilon: 0.01, center: false, inputShape: [3] });
    trained.apply(randTensor(new Random(1), [5, 3]), { training: true });
    expect(trained.beta).toBeNull();
    expect([...trained.stateDict().keys()]).toEqual(['gamma', 'moving_mean', 'moving_variance']);
    expect(trained.getConfig()).toMatchObject({ axis: -1, momentum: 0.9, epsilon: 0.01, center: false, scale: true });
    roundTrip(trained, randTensor(new Random(1), [5, 3]));
  });
});

describe('LayerNormalization', () => {
  test('hand-computed rows; gamma and beta', () => {
    const ln = layers.layerNormalization();
    const x = t([1, 2, 3, 4, -1, -1, 1, 1], [2, 4]);
    const y = ln.apply(x);
    const d1 = Math.sqrt(1.25 + 1e-3);
    const d2 = Math.sqrt(1 + 1e-3);
    close(y.data, [-1.5 / d1, -0.5 / d1, 0.5 / d1, 1.5 / d1, -1 / d2, -1 / d2, 1 / d2, 1 / d2]);
    ln.setWeights([t([1, 2, 3, 4], [4]), t([0, 0, 0, 1], [4])]);
    close(ln.apply(x).data, [-1.5 / d1, -1 / d1, 1.5 / d1, 6 / d1 + 1, -1 / d2, -2 / d2, 3 / d2, 4 / d2 + 1]);
    expect(ln.weights.map((w) => w.shape)).toEqual([[4], [4]]);
  });

  test('several trailing axes: [batch, 3, 4] over [-2, -1]', () => {
    const ln = layers.layerNormalization({ axis: [-2, -1], epsilon: 1e-5 });
    const x = randTensor(new Random(4), [2, 3, 4], -3, 3);
    const y = ln.apply(x);
    expect(ln.gamma!.shape).toEqual([3, 4]);
    for (let s = 0; s < 2; s++) {
      const row = [...x.data.subarray(s * 12, s * 12 + 12)];
      const m = row.reduce((p, v) => p + v, 0) / 12;
      const v = row.reduce((p, u) => p + (u - m) ** 2, 0) / 12;
      close(y.data.subarray(s * 12, s * 12 + 12), row.map((u) => (u - m) / Math.sqrt(v + 1e-5)), 1e-4);
    }
  });

  describe.each(BACKENDS)('gradients on %s', (backend) => {
    test('input, gamma and beta', (ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(9);
        const ln = layers.layerNormalization({
          gammaInitializer: { className: 'RandomUniform', config: { minval: 0.5, maxval: 1.5, seed: 1 } },
          betaInitializer: { className: 'RandomUniform', config: { seed: 2 } },
        });
        const x = randTensor(rng, [2, 3, 5], -2, 2).requiresGrad_();
        ln.build([null, 3, 5]);
        gradcheck((xi) => ln.apply(xi), [x, ln.gamma!, ln.beta!], { eps: 3e-3 });
        gradcheck((xi) => layerNorm(xi, [3, 5]), [randTensor(rng, [2, 3, 5], -2, 2).requiresGrad_()], { eps: 3e-3 });
      });
    });
  });

  test('errors and config', () => {
    expect(() => layers.layerNormalization({ axis: 1 }).apply(ops.ones([2, 3, 4]))).toThrow(ShapeError);
    expect(() => layers.layerNormalization({ axis: 0 }).apply(ops.ones([2, 3]))).toThrow(ShapeError);
    expect(() => layers.layerNormalization({ axis: [] })).toThrow(ArgumentError);
    const ln = layers.layerNormalization({ epsilon: 1e-5, scale: false });
    ln.apply(ops.ones([2, 3]));
    expect(ln.gamma).toBeNull();
    expect(() => ln.apply(ops.ones([2, 4]))).toThrow(/built for rank-2 inputs ending in \[3\], got \[2, 4\]/);
    expect(() => layerNorm(ops.ones([2, 3]), [4])).toThrow(ShapeError);
    roundTrip(ln, randTensor(new Random(1), [2, 3]));
    roundTrip(layers.layerNormalization({ axis: [-2, -1] }), randTensor(new Random(1), [2, 3, 2]));
  });
});
