import { describe, expect, test } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import { type Layer, layerFromConfig } from '../../src/nn/layer.js';
import * as layers from '../../src/nn/layers/index.js';
import { embeddingLookup } from '../../src/nn/layers/embedding.js';
import { Random, manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { gradcheck, randTensor } from '../support/gradcheck.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

describe('Embedding', () => {
  test('looks up rows: output [..., outputDim]', () => {
    const e = layers.embedding({ inputDim: 4, outputDim: 3 });
    const idx = t([3, 0, 1, 1, 2, 3], [2, 3]);
    e.build([null, 3]);
    e.setWeights([t([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32], [4, 3])]);
    const y = e.apply(idx);
    expect(y.shape).toEqual([2, 3, 3]);
    expect([...y.data]).toEqual([30, 31, 32, 0, 1, 2, 10, 11, 12, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    expect(e.computeOutputShape([null, 3])).toEqual([null, 3, 3]);
    expect(e.apply(t([2], [1])).shape).toEqual([1, 3]);
    expect([...e.stateDict().keys()]).toEqual(['embeddings']);
  });

  test('default initialiser is uniform in ±0.05; inputLength shorthand', () => {
    manualSeed(2);
    const e = layers.embedding({ inputDim: 100, outputDim: 20, inputLength: 5 });
    expect(e.batchInputShape).toEqual([null, 5]);
    e.apply(t([0, 1, 2, 3, 4], [1, 5]));
    const w = e.embeddings!.data;
    expect(Math.max(...w)).toBeLessThan(0.05);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...w)).toBeGreaterThan(0.04);
  });

  test('gradient scatter-adds rows (repeats add up) and checks by finite differences', () => {
    const e = layers.embedding({ inputDim: 5, outputDim: 2 });
    const idx = t([1, 3, 1, 1], [2, 2]);
    const y = e.apply(idx);
    y.backward(t([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]));
    // Row 1 is read at positions 0, 2, 3: [1 + 5 + 7, 2 + 6 + 8]; row 3 at position 1.
    expect([...e.embeddings!.grad!.data]).toEqual([0, 0, 13, 16, 0, 0, 3, 4, 0, 0]);
    // A second backward accumulates.
    e.apply(t([4], [1, 1])).backward(t([1, 1], [1, 1, 2]));
    expect([...e.embeddings!.grad!.data]).toEqual([0, 0, 13, 16, 0, 0, 3, 4, 1, 1]);
    const table = randTensor(new Random(3), [6, 3]).requiresGrad_();
    gradcheck((w) => embeddingLookup(w, t([5, 0, 2, 5, 5, 1], [3, 2])), [table]);
    // Through a sum with a non-leaf table the gradient is returned, not sunk.
    const base = randTensor(new Random(4), [6, 3]).requiresGrad_();
    gradcheck((b) => embeddingLookup(b.mul(2), t([1, 1, 4], [3])), [base]);
  });

  test('bad indices are a ValueError naming the layer and position', () => {
    const e = layers.embedding({ inputDim: 3, outputDim: 2, name: 'words' });
    expect(() => e.apply(t([0, 3], [1, 2]))).toThrow(ValueError);
    expect(() => e.apply(t([0, 3], [1, 2]))).toThrow(/dendrite.Embedding: layer 'words': index 3 at position 1 .*\[0, 3\)/);
    expect(() => e.apply(t([-1], [1, 1]))).toThrow(ValueError);
    expect(() => e.apply(t([0.5], [1, 1]))).toThrow(ValueError);
    expect(() => e.apply(t([NaN], [1, 1]))).toThrow(ValueError);
    expect(() => layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(ArgumentError);
    expect(() => layers.embedding({ inputDim: 3 } as never)).toThrow(/outputDim/);
  });

  test('config round trip', () => {
    const e = layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 2, embeddingsInitializer: 'glorotUniform' });
    const cfg = e.getConfig();
    expect(cfg).toMatchObject({ inputDim: 7, outputDim: 3, inputLength: 2, embeddingsInitializer: { className: 'GlorotUniform' } });
    const again = layerFromConfig(e.serialize()) as Layer<Tensor, Tensor>;
    expect(again.getConfig()).toEqual(cfg);
    const idx = t([6, 1], [1, 2]);
    const y = e.apply(idx);
    again.apply(idx);
    again.setWeights(e.getWeights());
    expect([...again.apply(idx).data]).toEqual([...y.data]);
  });
});
