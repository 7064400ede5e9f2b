import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictCommand } from '../../src/cli/commands/predict.js';
import { UsageError, type CommandIo } from '../../src/cli/command.js';
import { loadMnist } from '../../src/data/mnist.js';
import * as layers from '../../src/nn/layers/index.js';
import { sequential } from '../../src/nn/sequential.js';
import { imageGridPng } from '../../src/plot/index.js';
import { lightOnDark, predictImage, resizeGray, stripFrame } from '../../src/programs/predict.js';
import { manualSeed } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';

let dir = '';
let modelDir = '';
let image0 = new Float32Array(0);
let ownPrediction = -1;

function argmax(t: Tensor): number {
  const d = t.data;
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i]! > d[best]!) best = i;
  return best;
}

function sink(): CommandIo & { text: () => string } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  return { stdout: stream, stderr: stream, text: () => text };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dendrite-predict-'));
  modelDir = path.join(dir, 'mnist-mlp');
  manualSeed(3);
  const { train, test } = await loadMnist(undefined, { trainLimit: 5000, testLimit: 1 });
  const model = sequential([
    layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.images, train.labels, { epochs: 1, batchSize: 32, verbose: 0 });
  await model.save(modelDir);
  image0 = test.images.data.slice(0, 784);
  ownPrediction = argmax(model.predict(test.images));
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('predict', () => {
  it('classifies test image 0 as the model itself does and reports its true label 7', async () => {
    const lines: string[] = [];
    const r = await predictImage({ model: modelDir, image: 0, log: (l) => lines.push(l) });
    expect(r.predicted).toBe(ownPrediction);
    expect(r.trueLabel).toBe(7);
    expect(r.top).toHaveLength(3);
    expect(r.top[0]!.label).toBe(r.predicted);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const text = lines.join('\n');
    expect(text).toContain(`predicted class: ${ownPrediction}`);
    expect(text).toContain('true label: 7');
  });

  it('gives the same class for a PNG of test image 0, and for the same digit drawn dark on light and twice as large', async () => {
    const png = path.join(dir, 'digit.png');
    await imageGridPng({ file: png, images: [image0], width: 28, height: 28, columns: 1, scale: 1 });
    const fromIndex = await predictImage({ model: modelDir, image: 0, log: () => {} });
    const fromPng = await predictImage({ model: modelDir, image: png, log: () => {} });
    expect(fromPng.predicted).toBe(fromIndex.predicted);
    const big = path.join(dir, 'paper.png');
    await imageGridPng({ file: big, images: [image0.map((v) => 1 - v)], width: 28, height: 28, columns: 1, scale: 2 });
    const fromPaper = await predictImage({ model: modelDir, image: big, log: () => {} });
    expect(fromPaper.predicted).toBe(fromIndex.predicted);
  });

  it('resizes by averaging and inverts light backgrounds', () => {
    const big = new Float32Array(56 * 56).fill(1);
    const small = lightOnDark(resizeGray(big, 56, 56));
    expect(small).toHaveLength(784);
    expect(Math.max(...small)).toBe(0);
  });

  it('fails clearly on a missing model folder or a file that is not a PNG; usage errors for missing flags', async () => {
    await expect(predictImage({ model: path.join(dir, 'nothing'), image: 0, log: () => {} })).rejects.toThrow(/no saved model in .*nothing/);
    const bad = path.join(dir, 'bad.png');
    await writeFile(bad, 'not a png');
    await expect(predictImage({ model: modelDir, image: bad, log: () => {} })).rejects.toThrow(/cannot read .*bad\.png as a PNG/);
    await expect(predictImage({ model: modelDir, image: 10_000, log: () => {} })).rejects.toThrow(/out of range/);
    await expect(predictCommand.run({ image: '0' }, [], sink())).rejects.toThrow(UsageError);
    await expect(predictCommand.run({ model: modelDir }, [], sink())).rejects.toThrow(/--image/);
    const io = sink();
    expect(await predictCommand.run({ model: modelDir, image: '0' }, [], io)).toBe(0);
    expect(io.text()).toContain('true label: 7');
  });
});

describe('stripFrame', () => {
  it('removes a grey margin but keeps a background that runs into the picture', () => {
    const framed = new Float32Array(8 * 8).fill(0.5);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) framed[y * 8 + x] = y === 3 && x === 3 ? 1 : 0;
    const s = stripFrame(framed, 8, 8);
    expect([s.width, s.height]).toEqual([4, 4]);
    expect(s.gray[1 * 4 + 1]).toBe(1);
    const plain = new Float32Array(8 * 8);
    plain[3 * 8 + 4] = 1;
    expect(stripFrame(plain, 8, 8).width).toBe(8);
  });
});
