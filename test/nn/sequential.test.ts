import { describe, expect, test } from 'vitest';
import { noGrad } from '../../src/autograd.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { ones } from '../../src/ops/creation.js';
import { layerFromConfig } from '../../src/nn/layer.js';
import * as layers from '../../src/nn/layers/index.js';
import { Sequential, sequential } from '../../src/nn/sequential.js';
import { Random, manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { randTensor } from '../support/gradcheck.js';

describe('sequential', () => {
  test('with an inputShape it builds at once; default names and namedParameters', () => {
    const model = sequential([
      layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    expect(model.built).toBe(true);
    expect(model.layers.every((l) => l.built)).toBe(true);
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1']);
    expect(model.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['dense.kernel', [784, 32]], ['dense.bias', [32]], ['dense_1.kernel', [32, 10]], ['dense_1.bias', [10]],
    ]);
    expect(model.countParams()).toBe(25_450);
    const y = model.apply(randTensor(new Random(1), [3, 784]));
    expect(y.shape).toEqual([3, 10]);
    for (let r = 0; r < 3; r++) expect(y.data.subarray(r * 10, r * 10 + 10).reduce((p, v) => p + v, 0)).toBeCloseTo(1, 5);
  });

  test('summary: layers, output shapes and parameter counts like Keras', () => {
    const model = sequential({
      name: 'mlp',
      layers: [
        layers.dense({ units: 32, activation: 'relu', inputShape: [784], name: 'hidden' }),
        layers.dropout({ rate: 0.2, name: 'drop' }),
        layers.dense({ units: 10, activation: 'softmax', name: 'out' }),
      ],
    });
    const lines: string[] = [];
    const text = model.summary((l) => lines.push(l));
    expect(lines.join('\n')).toBe(text);
    expect(text).toContain('Model: "mlp"');
    expect(text).toMatch(/hidden \(Dense\)\s+\(None, 32\)\s+25,120/);
    expect(text).toMatch(/drop \(Dropout\)\s+\(None, 32\)\s+0/);
    expect(text).toMatch(/out \(Dense\)\s+\(None, 10\)\s+330/);
    expect(text).toContain('Total params: 25,450');
    expect(text).toContain('Trainable params: 25,450');
    expect(text).toContain('Non-trainable params: 0');
    // BatchNorm's moving statistics count as non-trainable.
    const bn = sequential([layers.dense({ units: 4, inputShape: [3], name: 'd' }), layers.batchNormalization({ name: 'bn' })]);
    const s = bn.summary(null);
    expect(s).toMatch(/bn \(BatchNormalization\)\s+\(None, 4\)\s+16/);
    expect(s).toContain('Total params: 32');
    expect(s).toContain('Trainable params: 24');
    expect(s).toContain('Non-trainable params: 8');
    expect(() => sequential([layers.dense({ units: 2 })]).summary(null)).toThrow(ArgumentError);
  });

  test('without an inputShape it builds on the first call; a different width then is a ShapeError', () => {
    const model = sequential([layers.dense({ units: 4, activation: 'tanh' }), layers.dense({ units: 1 })]);
    expect(model.built).toBe(false);
    expect(model.apply(ones([2, 3])).shape).toEqual([2, 1]);
    expect(model.built).toBe(true);
    expect(model.summary(null)).toContain('(None, 4)');
    expect(() => model.apply(ones([2, 5]))).toThrow(ShapeError);
    expect(() => model.apply(ones([2, 5]))).toThrow(/\[2, 5\]/);
    const fixed = sequential([layers.dense({ units: 2, inputShape: [3] })]);
    expect(() => fixed.apply(ones([4, 2]))).toThrow(ShapeError);
  });

  test('add and pop', () => {
    const model = new Sequential();
    model.add(layers.flatten({ inputShape: [2, 3] }));
    model.add(layers.dense({ units: 5, name: 'a' }));
    expect(model.built).toBe(true);
    expect(model.layers[1]!.built).toBe(true);
    model.add(layers.dense({ units: 2, name: 'b' }));
    expect(model.layers[2]!.built).toBe(true);
    expect((model.layers[2] as layers.Dense).kernel!.shape).toEqual([5, 2]);
    expect(model.apply(ones([4, 2, 3])).shape).toEqual([4, 2]);
    const popped = model.pop();
    expect(popped.name).toBe('b');
    expect(model.layers.length).toBe(2);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['a.kernel', 'a.bias']);
    expect(model.apply(ones([4, 2, 3])).shape).toEqual([4, 5]);
    expect(() => model.add(layers.dense({ units: 1, name: 'a' }))).toThrow(ArgumentError);
  });

  test('train() and eval() reach every layer (dropout and batch norm follow them)', () => {
    const model = sequential([
      layers.dense({ units: 64, inputShape: [8], name: 'd' }),
      layers.dropout({ rate: 0.5, name: 'drop' }),
      layers.batchNormalization({ name: 'bn' }),
    ]);
    const x = randTensor(new Random(3), [16, 8]);
    model.eval();
    expect(model.layers.every((l) => !l.training)).toBe(true);
    const a = noGrad(() => model.apply(x));
    const b = noGrad(() => model.apply(x));
    expect(b.data).toEqual(a.data);
    expect([...(model.layers[2] as layers.BatchNormalization).movingMean!.data].every((v) => v === 0)).toBe(true);
    model.train();
    expect(model.layers.every((l) => l.training)).toBe(true);
    const c = model.apply(x);
    expect(c.data).not.toEqual(a.data);
    expect([...(model.layers[2] as layers.BatchNormalization).movingMean!.data].some((v) => v !== 0)).toBe(true);
  });

  test('config round trip rebuilds a model that predicts identically', () => {
    const model = sequential([
      layers.dense({ units: 6, activation: 'gelu', inputShape: [4], name: 'x1' }),
      layers.layerNormalization({ name: 'ln' }),
      layers.reshape({ targetShape: [2, 3], name: 'r' }),
      layers.flatten({ name: 'f' }),
      layers.dense({ units: 3, activation: 'softmax', name: 'x2' }),
    ]);
    const copy = layerFromConfig(JSON.parse(JSON.stringify(model.serialize()))) as Sequential;
    expect(copy).toBeInstanceOf(Sequential);
    expect(copy.built).toBe(true);
    copy.loadStateDict(model.stateDict());
    const x = randTensor(new Random(5), [2, 4]);
    expect([...copy.apply(x).data]).toEqual([...model.apply(x).data]);
  });

  test('learns XOR with a 2-8-1 tanh/sigmoid MLP, plain autograd and hand-written SGD', () => {
    manualSeed(42);
    const model = sequential([
      layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    const x = new Tensor(Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), [4, 2]);
    const target = new Tensor(Float32Array.from([0, 1, 1, 0]), [4, 1]);
    const notTarget = new Tensor(Float32Array.from([1, 0, 0, 1]), [4, 1]);
    const lr = 0.5;
    let steps = 0;
    let loss = Infinity;
    const correct = (): number => {
      const p = noGrad(() => model.apply(x));
      return [0, 1, 2, 3].filter((i) => (p.data[i]! > 0.5 ? 1 : 0) === target.data[i]).length;
    };
    for (; steps < 1000; steps++) {
      const p = model.apply(x).clamp(1e-6, 1 - 1e-6);
      // Binary cross-entropy: −mean(t·log p + (1 − t)·log(1 − p)).
      const l = target.mul(p.log()).add(notTarget.mul(p.neg().add(1).log())).mean().neg();
      loss = l.item();
      if (loss < 0.05) break;
      model.zeroGrad();
      l.backward();
      noGrad(() => {
        for (const param of model.parameters()) {
          const g = param.grad!.data;
          for (let i = 0; i < g.length; i++) param.data[i]! -= lr * g[i]!;
        }
      });
    }
    expect(correct()).toBe(4);
    expect(loss).toBeLessThan(0.05);
    expect(steps).toBeLessThan(1000);
  });
});
