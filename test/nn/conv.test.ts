import { describe, expect, test } from 'vitest';
import { noGrad } from '../../src/autograd.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { type Layer, layerFromConfig } from '../../src/nn/layer.js';
import {
  AvgPool2D, AveragePooling1D, AveragePooling2D, Conv1D, Conv2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
  GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool2D, MaxPooling1D, MaxPooling2D, conv1d, conv2d,
  averagePooling2d, globalAveragePooling2d, globalMaxPooling1d, maxPooling1d, maxPooling2d,
} from '../../src/nn/layers/index.js';
import { dense as denseLayer, flatten } from '../../src/nn/layers/core.js';
import { Sequential, sequential } from '../../src/nn/sequential.js';
import { dense } from '../../src/ops/matmul.js';
import { softplus } from '../../src/ops/activation.js';
import { manualSeed, Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { expectThrows } from '../support/errors.js';

const t = (data: ArrayLike<number>, shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

function randomInput(rng: Random, shape: number[]): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return t(Array.from({ length: n }, () => rng.uniformRange(-1, 1)), shape);
}

type AnyLayer = Layer<Tensor, Tensor>;

describe('Conv2D and Conv1D layers', () => {
  test('output shapes for every padding / stride / dilation combination', () => {
    const rng = new Random(1);
    const x = randomInput(rng, [2, 7, 8, 3]);
    // [padding, strides, dilation] → expected [outH, outW] for a 3×3 kernel on 7×8.
    const expected: Array<['valid' | 'same', number, number, [number, number]]> = [
      ['valid', 1, 1, [5, 6]], ['same', 1, 1, [7, 8]],
      ['valid', 2, 1, [3, 3]], ['same', 2, 1, [4, 4]],
      ['valid', 3, 1, [2, 2]], ['same', 3, 1, [3, 3]],
      ['valid', 1, 2, [3, 4]], ['same', 1, 2, [7, 8]],
    ];
    for (const [padding, strides, dilationRate, [oh, ow]] of expected) {
      const layer = conv2d({ filters: 4, kernelSize: 3, padding, strides, dilationRate });
      expect(layer.computeOutputShape([null, 7, 8, 3])).toEqual([null, oh, ow, 4]);
      const y = layer.apply(x);
      expect(y.shape).toEqual([2, oh, ow, 4]);
    }
    // Rectangular kernels and strides, unknown spatial sizes.
    const rect = conv2d({ filters: 2, kernelSize: [1, 3], strides: [2, 1], padding: 'same' });
    expect(rect.computeOutputShape([null, 7, null, 3])).toEqual([null, 4, null, 2]);
    expect(rect.apply(x).shape).toEqual([2, 4, 8, 2]);

    const seq = randomInput(rng, [2, 9, 3]);
    for (const [padding, strides, dilationRate, out] of [
      ['valid', 1, 1, 7], ['same', 1, 1, 9], ['causal', 1, 1, 9], ['valid', 2, 1, 4], ['same', 2, 1, 5],
      ['causal', 2, 2, 5], ['valid', 1, 3, 3],
    ] as const) {
      const layer = conv1d({ filters: 5, kernelSize: 3, padding, strides, dilationRate });
      expect(layer.computeOutputShape([null, 9, 3])).toEqual([null, out, 5]);
      expect(layer.apply(seq).shape).toEqual([2, out, 5]);
    }
  });

  test('weights: Keras names, layouts and initialisers', () => {
    manualSeed(3);
    const layer = new Conv2D({ filters: 6, kernelSize: [3, 2], inputShape: [5, 5, 4] });
    layer.build([null, 5, 5, 4]);
    const state = layer.stateDict();
    expect([...state.keys()]).toEqual(['kernel', 'bias']);
    expect(state.get('kernel')!.shape).toEqual([3, 2, 4, 6]);
    expect(state.get('bias')!.shape).toEqual([6]);
    expect(Array.from(state.get('bias')!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    // Glorot uniform: limit √(6 / (fanIn + fanOut)), fans = receptive field × channels.
    const limit = Math.sqrt(6 / (3 * 2 * 4 + 3 * 2 * 6));
    const k = Array.from(state.get('kernel')!.data);
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(limit * 0.7);
    expect(layer.countParams()).toBe(3 * 2 * 4 * 6 + 6);

    const noBias = new Conv1D({ filters: 2, kernelSize: 4, useBias: false, kernelInitializer: 'ones' });
    noBias.apply(t(new Float32Array(2 * 6 * 3).fill(1), [2, 6, 3]));
    expect([...noBias.stateDict().keys()]).toEqual(['kernel']);
    expect(noBias.stateDict().get('kernel')!.shape).toEqual([4, 3, 2]);
    expect(noBias.name).toMatch(/^conv1d(_\d+)?$/);
  });

  test('known values: 3×3 image, 2×2 kernel, bias and activation', () => {
    const layer = conv2d({ filters: 1, kernelSize: 2, padding: 'same', activation: 'relu' });
    const x = t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    layer.build([null, 3, 3, 1]);
    layer.setWeights([t([1, 2, 3, 4], [2, 2, 1, 1]), t([-30], [1])]);
    // conv = [[37, 47, 21], [67, 77, 33], [23, 26, 9]]; minus 30, then relu.
    expect(Array.from(layer.apply(x).data)).toEqual([7, 17, 0, 37, 47, 3, 0, 0, 0]);

    // Two filters with softmax over the channels.
    const sm = conv2d({ filters: 2, kernelSize: 1, activation: 'softmax', useBias: false });
    sm.build([null, 1, 2, 1]);
    sm.setWeights([t([1, -1], [1, 1, 1, 2])]);
    const y = sm.apply(t([0, 1], [1, 1, 2, 1]));
    const e = Math.exp(2);
    expect(y.data[0]).toBeCloseTo(0.5, 6);
    expect(y.data[1]).toBeCloseTo(0.5, 6);
    expect(y.data[2]).toBeCloseTo(e / (e + 1), 6);
    expect(y.data[3]).toBeCloseTo(1 / (e + 1), 6);

    // Conv1D with a Keras snake_case activation and causal padding.
    const c1 = conv1d({ filters: 1, kernelSize: 2, padding: 'causal', activation: 'leaky_relu', useBias: false });
    c1.build([null, 4, 1]);
    c1.setWeights([t([1, -1], [2, 1, 1])]);
    // y[t] = x[t−1] − x[t]; Keras' leaky_relu slope is 0.2.
    const out = c1.apply(t([1, 3, 2, 5], [1, 4, 1]));
    expect(Array.from(out.data).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-0.2, -0.4, 1, -0.6]);
  });

  test('gradients reach kernel and bias through the layer', () => {
    const layer = conv2d({ filters: 2, kernelSize: 2, padding: 'same', kernelInitializer: 'ones' });
    const x = t([1, 2, 3, 4], [1, 2, 2, 1]);
    layer.apply(x).sum().backward();
    const [kernel, bias] = layer.weights;
    // Each output sums the taps it covers; dL/dbias = number of output pixels.
    expect(Array.from(bias!.grad!.data)).toEqual([4, 4]);
    // Tap (i, j) sees the inputs x[r + i][c + j] that exist: (0,0): 1+2+3+4, (0,1): 2+4, (1,0): 3+4, (1,1): 4.
    expect(Array.from(kernel!.grad!.data)).toEqual([10, 10, 6, 6, 7, 7, 4, 4]);
  });

  test('getConfig → layerFromConfig round trip', () => {
    const rng = new Random(9);
    const layers: AnyLayer[] = [
      new Conv2D({
        filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'SAME', dilationRate: 1, activation: 'tanh',
        kernelInitializer: 'he_normal', biasInitializer: { className: 'Constant', config: { value: 0.5 } },
        name: 'my_conv',
      }),
      new Conv1D({ filters: 2, kernelSize: 3, padding: 'causal', dilationRate: 2, useBias: false, activation: 'gelu' }),
      new MaxPooling2D({ poolSize: [3, 2], strides: 1, padding: 'same' }),
      new AveragePooling2D({ poolSize: 2 }),
      new MaxPooling1D({ poolSize: 3, strides: 2 }),
      new AveragePooling1D({ poolSize: 2, padding: 'same' }),
      new GlobalAveragePooling2D(), new GlobalMaxPooling2D(), new GlobalAveragePooling1D(), new GlobalMaxPooling1D(),
    ];
    for (const layer of layers) {
      const rank = /1D$/.test(layer.className) ? 3 : 4;
      const x = randomInput(rng, rank === 4 ? [2, 6, 5, 2] : [2, 7, 2]);
      const y = layer.apply(x);
      const json = JSON.parse(JSON.stringify(layer.serialize()));
      const copy = layerFromConfig(json) as AnyLayer;
      expect(copy.className).toBe(layer.className);
      expect(copy.getConfig()).toEqual(layer.getConfig());
      copy.build([null, ...x.shape.slice(1)]);
      if (layer.weights.length > 0) copy.setWeights(layer.getWeights());
      expect(Array.from(copy.apply(x).data)).toEqual(Array.from(y.data));
    }
    const cfg = layers[0]!.getConfig();
    expect(cfg).toMatchObject({
      name: 'my_conv', filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', dilationRate: [1, 1],
      activation: 'tanh', useBias: true, dataFormat: 'channelsLast', kernelInitializer: 'he_normal',
    });
    expect((layers[0] as Conv2D).weights[1]!.data[0]).toBe(0.5);
    // Keras alias class names load too.
    expect(layerFromConfig({ className: 'MaxPool2D', config: { poolSize: [2, 2] } })).toBeInstanceOf(MaxPooling2D);
    expect(MaxPool2D).toBe(MaxPooling2D);
    expect(new AvgPool2D()).toBeInstanceOf(AveragePooling2D);
  });

  test('argument and input errors name the layer and shapes', () => {
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' }), ArgumentError,
      /^dendrite\.Conv2D: dataFormat 'channelsFirst' is not supported/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channels_first' as 'channelsLast' }), ArgumentError,
      /channels_first/);
    expectThrows(() => maxPooling2d({ dataFormat: 'channelsFirst' as 'channelsLast' }), ArgumentError, /^dendrite\.MaxPooling2D:/);
    expectThrows(() => conv2d({ filters: 0, kernelSize: 3 }), ArgumentError, /^dendrite\.Conv2D: filters/);
    expectThrows(() => conv2d({ filters: 2 } as never), ArgumentError, /kernelSize is required/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: [3, 3, 3] as never }), ArgumentError, /kernelSize/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, padding: 'causal' as 'same' }), ArgumentError, /padding/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, strides: 0 }), ArgumentError, /strides/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, activation: 'bogus' }), ArgumentError, /^dendrite\.Conv2D: unknown activation/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3, kernelInitializer: 'bogus' }), ArgumentError, /bogus/);
    expectThrows(() => conv1d({ filters: 2, kernelSize: [3, 3] as never }), ArgumentError, /^dendrite\.Conv1D: kernelSize/);
    expectThrows(() => maxPooling1d({ poolSize: 0 }), ArgumentError, /^dendrite\.MaxPooling1D: poolSize/);

    const layer = conv2d({ filters: 2, kernelSize: 3 });
    expectThrows(() => layer.apply(t(new Float32Array(12), [2, 6, 1])), ShapeError, /^dendrite\.Conv2D: .*4-D.*\[null, 6, 1\]/);
    layer.apply(t(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3]));
    expectThrows(() => layer.apply(t(new Float32Array(2 * 5 * 5 * 2), [2, 5, 5, 2])), ShapeError,
      /^dendrite\.Conv2D: .*3 channels, got \[2, 5, 5, 2\]/);
    // Too small for a 'valid' window.
    expectThrows(() => layer.apply(t(new Float32Array(2 * 2 * 5 * 3), [2, 2, 5, 3])), ShapeError, /^dendrite\.conv2d: .*window/);
    expectThrows(() => layer.computeOutputShape([null, 2, 5, 3]), ShapeError, /^dendrite\.Conv2D: .*window/);
    expectThrows(() => conv2d({ filters: 2, kernelSize: 3 }).build([null, 5, 5, null]), ShapeError, /channel count/);
    expectThrows(() => globalMaxPooling1d().apply(t(new Float32Array(8), [2, 2, 2, 1])), ShapeError,
      /^dendrite\.GlobalMaxPooling1D: .*3-D/);
    expectThrows(() => maxPooling2d({ poolSize: 4 }).computeOutputShape([null, 3, 8, 1]), ShapeError, /^dendrite\.MaxPooling2D:/);
  });
});

describe('pooling layers', () => {
  test('output shapes and values', () => {
    const x = t(Array.from({ length: 32 }, (_, i) => i), [1, 4, 4, 2]);
    const cases: Array<[AnyLayer, number[]]> = [
      [maxPooling2d(), [1, 2, 2, 2]],
      [maxPooling2d({ poolSize: 3, strides: 1 }), [1, 2, 2, 2]],
      [maxPooling2d({ poolSize: 3, padding: 'same' }), [1, 2, 2, 2]],
      [averagePooling2d({ poolSize: [1, 3], strides: [1, 2], padding: 'same' }), [1, 4, 2, 2]],
      [averagePooling2d({ poolSize: 3, strides: 2 }), [1, 1, 1, 2]],
      [globalAveragePooling2d(), [1, 2]],
    ];
    for (const [layer, shape] of cases) {
      expect(layer.computeOutputShape([null, 4, 4, 2])).toEqual([null, ...shape.slice(1)]);
      expect(layer.apply(x).shape).toEqual(shape);
    }
    // Channel 0 holds 0, 2, 4, ... (row-major 4×4 of even numbers), channel 1 the odd ones.
    expect(Array.from(maxPooling2d().apply(x).data)).toEqual([10, 11, 14, 15, 26, 27, 30, 31]);
    expect(Array.from(averagePooling2d().apply(x).data)).toEqual([5, 6, 9, 10, 21, 22, 25, 26]);
    expect(Array.from(globalAveragePooling2d().apply(x).data)).toEqual([15, 16]);
    expect(Array.from(new GlobalMaxPooling2D().apply(x).data)).toEqual([30, 31]);

    const s = t([3, 1, 4, 1, 5, 9, 2, 6], [1, 8, 1]);
    expect(Array.from(maxPooling1d().apply(s).data)).toEqual([3, 4, 9, 6]);
    expect(Array.from(maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }).apply(s).data)).toEqual([4, 5, 9, 6]);
    expect(maxPooling1d({ poolSize: 3 }).computeOutputShape([null, 8, 1])).toEqual([null, 2, 1]);
    expect(Array.from(new AveragePooling1D({ poolSize: 4 }).apply(s).data)).toEqual([2.25, 5.5]);
    expect(Array.from(new GlobalAveragePooling1D().apply(s).data)).toEqual([31 / 8]);
    expect(Array.from(globalMaxPooling1d().apply(s).data)).toEqual([9]);
    expect(new GlobalMaxPooling1D().computeOutputShape([null, null, 7])).toEqual([null, 7]);
    // Default names follow Keras.
    expect(new MaxPooling2D().name).toMatch(/^max_pooling2d(_\d+)?$/);
    expect(new GlobalAveragePooling2D().name).toMatch(/^global_average_pooling2d(_\d+)?$/);
  });
});

describe('in a Sequential model', () => {
  test('builds from inputShape, infers shapes, counts parameters and rebuilds from its config', () => {
    manualSeed(8);
    const model = sequential([
      conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1] }),
      maxPooling2d({ poolSize: 2 }),
      secondConv(),
      flatten(),
      denseLayer({ units: 2, activation: 'softmax' }),
    ]);
    expect(model.built).toBe(true);
    const text = model.summary(null);
    expect(text).toMatch(/\(None, 8, 8, 4\)\s+40\b/);
    expect(text).toMatch(/\(None, 4, 4, 4\)\s+0\b/);
    expect(text).toMatch(/\(None, 2, 2, 3\)\s+111\b/);
    expect(model.countParams()).toBe(40 + 111 + 12 * 2 + 2);
    const x = randomInput(new Random(4), [3, 8, 8, 1]);
    const y = model.forward(x);
    expect(y.shape).toEqual([3, 2]);
    const copy = new Sequential(JSON.parse(JSON.stringify({ layers: model.getConfig().layers })));
    copy.loadStateDict(model.stateDict());
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(y.data));
  });
});

/** A second Conv2D ('same', stride 2) to chain shape inference through two convolutions. */
function secondConv(): Conv2D {
  return new Conv2D({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: 'heUniform' });
}

describe('a small CNN', () => {
  /**
   * 8×8 images with background noise in [0, 0.3) and a bright 3×3 blob (value 1) wholly in the
   * left or the right half; label 1 for right.
   */
  function blobs(rng: Random, n: number): { x: Tensor; y: Tensor } {
    const x = new Float32Array(n * 64);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.3 * rng.uniform();
      const right = rng.uniform() < 0.5;
      const top = rng.int(6);
      const left = (right ? 4 : 0) + rng.int(2);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) x[i * 64 + (top + r) * 8 + left + c] = 1;
      y[i] = right ? 1 : 0;
    }
    return { x: new Tensor(x, [n, 8, 8, 1]), y: new Tensor(y, [n, 1]) };
  }

  test('conv → max pool → flatten → dense learns left-versus-right to ≥ 95% within 150 steps', () => {
    manualSeed(2024);
    const rng = new Random(77);
    const conv = conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' });
    const pool = maxPooling2d({ poolSize: 2 });
    conv.build([null, 8, 8, 1]);
    // Dense head 64 → 1 kept by hand (small uniform init).
    const w = new Tensor(Float32Array.from({ length: 64 }, () => rng.uniformRange(-0.1, 0.1)), [64, 1]).requiresGrad_();
    const b = new Tensor(new Float32Array(1), [1]).requiresGrad_();
    const logits = (x: Tensor): Tensor => dense(pool.apply(conv.apply(x)).reshape([x.shape[0]!, 64]), w, b);
    const params = [...conv.parameters(), w, b];
    const accuracy = (x: Tensor, y: Tensor): number => noGrad(() => {
      const z = logits(x);
      let hits = 0;
      for (let i = 0; i < y.size; i++) if ((z.data[i]! > 0 ? 1 : 0) === y.data[i]) hits++;
      return hits / y.size;
    });
    const test = blobs(new Random(5), 400);
    const before = accuracy(test.x, test.y);
    const lr = 0.5;
    let steps = 0;
    for (; steps < 150; steps++) {
      const batch = blobs(rng, 32);
      const z = logits(batch.x);
      // Binary cross-entropy from logits: mean(softplus(z) − y·z).
      const loss = softplus(z).sub(batch.y.mul(z)).mean();
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          const g = p.grad!.data;
          for (let i = 0; i < p.size; i++) p.data[i]! -= lr * g[i]!;
          p.grad = null;
        }
      });
      if (steps % 25 === 24 && accuracy(test.x, test.y) >= 0.98) break;
    }
    const after = accuracy(test.x, test.y);
    expect(before).toBeLessThan(0.8);
    expect(after).toBeGreaterThanOrEqual(0.95);
  });
});
