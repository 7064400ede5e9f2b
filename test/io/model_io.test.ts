import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { noGrad } from '../../src/autograd.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { loadModel, loadWeights, saveModel, saveWeights } from '../../src/io/model_io.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import * as L from '../../src/losses.js';
import type { Layer } from '../../src/nn/layer.js';
import { batchNormalization } from '../../src/nn/layers/normalization.js';
import { dense } from '../../src/nn/layers/core.js';
import { Sequential, sequential } from '../../src/nn/sequential.js';
import { manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import type { Model } from '../../src/train/model.js';

const root = mkdtempSync(path.join(tmpdir(), 'dendrite-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `case-${n++}`);

function input(rows: number, cols: number, seed = 1): Tensor {
  const d = new Float32Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = Math.sin(seed * 12.9898 + i * 78.233) * 2;
  return new Tensor(d, [rows, cols]);
}

const predict = (m: Layer<unknown, unknown>, x: Tensor): number[] => noGrad(() => [...(m.eval().forward(x as never) as Tensor).data]);

function mlp(): Sequential {
  return sequential([
    dense({ units: 5, activation: 'relu', inputShape: [3], name: 'hidden' }),
    batchNormalization({ name: 'bn' }),
    dense({ units: 4, activation: 'softmax', name: 'out' }),
  ]);
}

/** Moves BatchNorm's running statistics away from their initial values. */
function trainBatchNormOnce(m: Sequential): void {
  m.train();
  noGrad(() => m.forward(input(8, 3, 7)));
}

describe('saveModel / loadModel', () => {
  test('writes model.json and weights.safetensors; the loaded model predicts identically', async () => {
    manualSeed(3);
    const model = mlp();
    trainBatchNormOnce(model);
    const dir = fresh();
    await saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.safetensors']);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('dendrite');
    expect(json.version).toBe(1);
    expect(json.weightsFile).toBe('weights.safetensors');
    expect(json.modelConfig.className).toBe('Sequential');
    expect(json.trainingConfig).toBeUndefined();
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path.join(dir, 'weights.safetensors'))));
    expect([...tensors.keys()].sort()).toEqual([...model.stateDict().keys()].sort());
    expect(tensors.has('bn.moving_mean')).toBe(true);
    expect([...tensors.get('bn.moving_mean')!.data].some((v) => v !== 0)).toBe(true);

    const loaded = await loadModel<Sequential>(dir);
    expect(loaded).toBeInstanceOf(Sequential);
    expect(loaded.layers.map((l) => l.name)).toEqual(['hidden', 'bn', 'out']);
    const x = input(6, 3);
    expect(predict(loaded, x)).toEqual(predict(model, x));
    for (const [name, t] of model.stateDict()) expect([...loaded.stateDict().get(name)!.data], name).toEqual([...t.data]);
  });

  test('a compiled model is compiled again with the same optimiser, loss (with its options) and metrics', async () => {
    manualSeed(4);
    const model = sequential([dense({ units: 3, inputShape: [2], name: 'logits' })]);
    model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.005 } }, loss: L.sparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy', 'precision'] });
    const dir = fresh();
    await model.save(dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.trainingConfig.loss).toEqual({ name: 'sparseCategoricalCrossentropy', config: { fromLogits: true } });
    expect(json.trainingConfig.metrics).toEqual(['accuracy', 'precision']);
    expect(json.trainingConfig.optimizer.className).toBe('Adam');
    const loaded = await loadModel(dir);
    expect(loaded.optimizer?.className).toBe('Adam');
    expect(loaded.optimizer?.learningRate).toBeCloseTo(0.005, 10);
    expect(loaded.compiled?.lossName).toBe('sparseCategoricalCrossentropy');
    expect(loaded.compiled?.metrics.map((m) => m.name)).toEqual(['accuracy', 'precision']);
    // The loss kept fromLogits: on logits [0, 0, 0] it is log 3, not the probability path's value.
    const logits = new Tensor(new Float32Array(3), [1, 3]);
    expect(loaded.compiled!.loss(Int32Array.of(1), logits).data[0]).toBeCloseTo(Math.log(3), 5);
    const uncompiled = await loadModel(dir, { compile: false });
    expect(uncompiled.compiled).toBeNull();
  });

  test('saving over a saved model replaces it and leaves no temporary files', async () => {
    const dir = fresh();
    manualSeed(5);
    const a = mlp();
    await saveModel(a, dir);
    const b = sequential([dense({ units: 2, inputShape: [3], name: 'only' })]);
    await saveModel(b, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.safetensors']);
    const loaded = await loadModel<Sequential>(dir);
    expect(loaded.layers.map((l) => l.name)).toEqual(['only']);
    expect(predict(loaded, input(2, 3))).toEqual(predict(b, input(2, 3)));
  });

  test('an unbuilt model is refused; a hostile or broken model.json is a ValueError', async () => {
    await expect(saveModel(sequential([dense({ units: 2 })]), fresh())).rejects.toThrow(/is not built yet/);
    manualSeed(6);
    const dir = fresh();
    await saveModel(sequential([dense({ units: 2, inputShape: [3] })]), dir);
    const file = path.join(dir, 'model.json');
    const good = JSON.parse(readFileSync(file, 'utf8'));
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, weightsFile: '../../etc/passwd' }, /weightsFile must be a file name in the model's folder/],
      [{ ...good, weightsFile: '/tmp/w.safetensors' }, /weightsFile must be a file name/],
      [{ ...good, format: 'keras' }, /format is the string 'keras', not 'dendrite'/],
      [{ ...good, version: 2 }, /version 2 is newer than this library reads/],
      [{ ...good, modelConfig: { className: 'NoSuchLayer', config: {} } }, /cannot rebuild the model: .*unknown layer class 'NoSuchLayer'/],
      [{ ...good, trainingConfig: { loss: 3 } }, /trainingConfig must be/],
      [[1, 2], /not a JSON object/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(file, JSON.stringify(content));
      await expect(loadModel(dir), String(message)).rejects.toThrow(message);
      await expect(loadModel(dir)).rejects.toBeInstanceOf(ValueError);
    }
    writeFileSync(file, '{"format": "dendrite",');
    await expect(loadModel(dir)).rejects.toThrow(/not valid JSON/);
    // Weights that do not fit the topology.
    writeFileSync(file, JSON.stringify(good));
    writeFileSync(path.join(dir, 'weights.safetensors'), encodeSafetensors({ 'dense_x.kernel': new Tensor(new Float32Array(6), [3, 2]) }));
    await expect(loadModel(dir)).rejects.toThrow(/weight names do not match the model/);
  });
});

describe('saveWeights / loadWeights', () => {
  test('round trip into a freshly initialised model of the same architecture', async () => {
    manualSeed(7);
    const a = mlp();
    trainBatchNormOnce(a);
    manualSeed(8);
    const b = mlp();
    const x = input(5, 3);
    expect(predict(b, x)).not.toEqual(predict(a, x));
    const file = path.join(fresh() + '.safetensors');
    await a.saveWeights(file);
    const kernel = b.stateDict().get('hidden.kernel')!;
    await loadWeights(b, file);
    expect(b.stateDict().get('hidden.kernel')).toBe(kernel);
    expect(predict(b, x)).toEqual(predict(a, x));
    expect(readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('names and shapes are checked, all problems listed at once; nothing changes on error', async () => {
    manualSeed(9);
    const model = sequential([dense({ units: 2, inputShape: [3], name: 'd' })]);
    const before = [...model.stateDict().get('d.kernel')!.data];
    const file = fresh() + '.safetensors';
    const z = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((p, q) => p * q, 1)), shape);
    writeFileSync(file, encodeSafetensors({ 'd.kernel': z([3, 2]), 'x.extra': z([1]) }));
    await expect(loadWeights(model, file)).rejects.toThrow(/missing from the file: d\.bias; not in the model: x\.extra/);
    writeFileSync(file, encodeSafetensors({ 'd.kernel': z([2, 3]), 'd.bias': z([2]) }));
    await expect(loadWeights(model, file)).rejects.toBeInstanceOf(ShapeError);
    await expect(loadWeights(model, file)).rejects.toThrow(/'d\.kernel' is \[2, 3\] in the file, \[3, 2\] in the model/);
    expect([...model.stateDict().get('d.kernel')!.data]).toEqual(before);
    // Non-strict: extra names ignored, missing ones kept.
    writeFileSync(file, encodeSafetensors({ 'd.bias': new Tensor(Float32Array.of(1, 2), [2]), other: z([4]) }));
    await loadWeights(model, file, { strict: false });
    expect([...model.stateDict().get('d.bias')!.data]).toEqual([1, 2]);
    expect([...model.stateDict().get('d.kernel')!.data]).toEqual(before);
    // A corrupt file.
    writeFileSync(file, Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 123));
    await expect(loadWeights(model, file)).rejects.toThrow(ValueError);
    await expect(saveWeights(model, path.join(fresh(), 'no', 'such', 'dir', 'w.safetensors'))).rejects.toThrow();
  });

  test('a file laid out by hand by another tool (F64 and F16, unsorted, metadata) loads into a model', async () => {
    const model: Model = sequential([dense({ units: 1, inputShape: [2], name: 'dense' })]);
    // kernel [[2], [3]] as F64, bias [1] as F16 (0x3c00), data in the opposite order of the keys.
    const header = JSON.stringify({
      'dense.kernel': { dtype: 'F64', shape: [2, 1], data_offsets: [2, 18] },
      __metadata__: { format: 'pt' },
      'dense.bias': { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
    });
    const text = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + text.length + 18);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    const d = 8 + text.length;
    v.setUint16(d, 0x3c00, true);
    v.setFloat64(d + 2, 2, true);
    v.setFloat64(d + 10, 3, true);
    const file = fresh() + '.safetensors';
    writeFileSync(file, bytes);
    await model.loadWeights(file);
    expect(predict(model, new Tensor(Float32Array.of(1, 1, 2, -1), [2, 2]))).toEqual([6, 2]);
  });
});
