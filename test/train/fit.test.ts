import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { loadModel } from '../../src/io/model_io.js';
import { getLoss } from '../../src/losses.js';
import * as layers from '../../src/nn/layers/index.js';
import { sequential } from '../../src/nn/sequential.js';
import { getOptimizer } from '../../src/optim/index.js';
import { callbacks } from '../../src/train/callbacks.js';
import { SGD } from '../../src/optim/sgd.js';
import { ArgumentError, ShapeError, ValueError } from '../../src/errors.js';
import { manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import type { Batch, Logs } from '../../src/train/model.js';
import {
  Accuracy, FakeStream, TinyMlp, blobs, compiledMlp, snapshot, sparseCE,
} from './tiny.js';

function rows(x: Tensor, start: number, end: number): Tensor {
  const r = x.size / x.shape[0]!;
  return new Tensor(x.data.slice(start * r, end * r), [end - start, ...x.shape.slice(1)]);
}

describe('fit on in-memory tensors', () => {
  it('learns the blobs: loss falls, history has the Keras keys, one value per epoch', async () => {
    manualSeed(3);
    const { x, y } = blobs(120);
    const model = compiledMlp();
    const history = await model.fit(x, y, { epochs: 6, batchSize: 16, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    for (const v of Object.values(history.history)) expect(v).toHaveLength(6);
    const loss = history.history.loss!;
    expect(loss[5]!).toBeLessThan(loss[0]! * 0.5);
    expect(history.history.accuracy![5]!).toBeGreaterThan(0.9);
    expect(history.history.val_accuracy![5]!).toBeGreaterThan(0.9);
    expect(model.history).toBe(history);
    expect(model.training).toBe(true);
  });

  it('validationSplit holds out the last samples before shuffling; the last partial batch is used', async () => {
    manualSeed(3);
    const { x, y } = blobs(100);
    const model = compiledMlp();
    const sizes: number[] = [];
    const seen = new Set<number>();
    // Watch which rows reach the model: tag each row's first feature with its index.
    const tagged = new Float32Array(x.data);
    for (let i = 0; i < 100; i++) tagged[i * 2] = i;
    const xt = new Tensor(tagged, [100, 2]);
    const orig = model.trainBatch.bind(model);
    model.trainBatch = (xs, ys, sw) => {
      for (let k = 0; k < xs.shape[0]!; k++) seen.add(xs.data[k * 2]!);
      return orig(xs, ys, sw);
    };
    const h = await model.fit(xt, y, {
      epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0,
      callbacks: { onBatchEnd: (_b, logs) => void sizes.push(logs!.size!) },
    });
    expect(sizes).toEqual([32, 32, 16]);
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(80).keys()]);
    // val_loss is the loss on rows 80..99 after the epoch.
    const ev = await model.evaluate(rows(xt, 80, 100), y.slice(80), { batchSize: 7 });
    expect(h.history.val_loss![0]!).toBeCloseTo(ev.loss!, 5);
    expect(h.history.val_accuracy![0]!).toBeCloseTo(ev.accuracy!, 6);
  });

  it('validationData is evaluated at each epoch end and wins over validationSplit', async () => {
    const { x, y } = blobs(60);
    const v = blobs(30, 11);
    const model = compiledMlp();
    let count = 0;
    const h = await model.fit(x, y, {
      epochs: 2, batchSize: 20, validationSplit: 0.5, validationData: [v.x, v.y], verbose: 0,
      callbacks: { onBatchEnd: () => void count++ },
    });
    expect(count).toBe(6); // all 60 samples trained: the split is ignored
    const ev = await model.evaluate(v.x, v.y);
    expect(h.history.val_loss![1]!).toBeCloseTo(ev.loss!, 5);
  });

  it('seeded shuffling is reproducible and differs between seeds', async () => {
    const { x, y } = blobs(64);
    const run = async (seed: number) => {
      manualSeed(seed);
      const model = compiledMlp();
      const h = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      return { w: snapshot(model), loss: h.history.loss! };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b.loss).toEqual(a.loss);
    b.w.forEach((w, i) => expect(w).toEqual(a.w[i]));
    expect(c.w[0]).not.toEqual(a.w[0]);
  });

  it('without shuffling, fit equals a loop of trainStep over the batches in order', async () => {
    const { x, y } = blobs(50);
    const a = compiledMlp();
    const h = await a.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    const b = compiledMlp();
    let lossSum = 0;
    for (let s = 0; s < 50; s += 16) {
      const e = Math.min(50, s + 16);
      lossSum += b.trainStep(rows(x, s, e), y.slice(s, e)).loss! * (e - s);
    }
    snapshot(b).forEach((w, i) => expect(w).toEqual(snapshot(a)[i]));
    expect(h.history.loss![0]!).toBeCloseTo(lossSum / 50, 5);
  });

  it('trainStep equals a PyTorch-style step on the same parameters', () => {
    const { x, y } = blobs(12);
    const a = compiledMlp(2, 0.05);
    const logs = a.trainStep(x, y);
    const b = new TinyMlp(2, 8, 3, 2);
    const opt = new SGD(b.parameters(), { learningRate: 0.05 });
    const out = b.forward(x);
    const loss = sparseCE(y, out);
    const lossValue = loss.item();
    loss.backward();
    opt.step();
    opt.zeroGrad();
    expect(logs.loss).toBeCloseTo(lossValue, 6);
    const acc = new Accuracy();
    acc.update(y, out);
    expect(logs.accuracy).toBe(acc.result());
    snapshot(a).forEach((w, i) => expect(w).toEqual(snapshot(b)[i]));
    for (const p of a.parameters()) expect(p.grad).toBeNull();
  });

  it('trainStep runs in training mode and puts an eval-mode model back in eval mode', () => {
    const { x, y } = blobs(6);
    const model = compiledMlp();
    model.eval();
    const seen: boolean[] = [];
    const orig = model.forward.bind(model);
    model.forward = (input, args) => {
      seen.push(args?.training ?? model.training);
      return orig(input, args);
    };
    model.trainStep(x, y);
    expect(seen).toEqual([true]);
    expect(model.training).toBe(false);
  });

  it('sampleWeight and classWeight scale each sample; zero weights leave the model unchanged', async () => {
    const { x, y } = blobs(30);
    const zero = compiledMlp();
    const before = snapshot(zero);
    await zero.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, sampleWeight: new Float32Array(30) });
    snapshot(zero).forEach((w, i) => expect(w).toEqual(before[i]));

    const byClass = compiledMlp();
    manualSeed(9);
    await byClass.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, classWeight: { 0: 2, 2: 0.5 } });
    const bySample = compiledMlp();
    const sw = new Float32Array(30).map((_, i) => [2, 1, 0.5][y[i]!]!);
    manualSeed(9);
    await bySample.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, sampleWeight: sw });
    snapshot(byClass).forEach((w, i) => expect(w).toEqual(snapshot(bySample)[i]));
    const plain = compiledMlp();
    manualSeed(9);
    await plain.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0 });
    expect(snapshot(plain)[0]).not.toEqual(snapshot(bySample)[0]);
  });

  it('initialEpoch resumes the epoch count', async () => {
    const { x, y } = blobs(20);
    const model = compiledMlp();
    const epochs: number[] = [];
    const h = await model.fit(x, y, { epochs: 4, initialEpoch: 2, verbose: 0, callbacks: { onEpochBegin: (e) => void epochs.push(e) } });
    expect(epochs).toEqual([2, 3]);
    expect(h.epoch).toEqual([2, 3]);
  });

  it('keeps the event loop responsive: a timer set as fit starts fires long before the epoch ends', async () => {
    const { x, y } = blobs(60000);
    const model = new TinyMlp(2, 64, 3);
    model.compile({ optimizer: new SGD({ learningRate: 0.01 }), loss: sparseCE });
    // Warm up first, so compiling the loop does not count as unresponsiveness.
    await model.fit(rows(x, 0, 2000), y.slice(0, 2000), { epochs: 1, batchSize: 8, verbose: 0 });
    const t0 = performance.now();
    let firedAt = -1;
    let epochEnd = -1;
    const done = model.fit(x, y, {
      epochs: 1, batchSize: 8, verbose: 0, callbacks: { onEpochEnd: () => void (epochEnd = performance.now() - t0) },
    });
    setTimeout(() => {
      firedAt = performance.now() - t0;
    }, 10);
    await done;
    // The epoch (7,500 batches) takes hundreds of ms; the timer must not wait for it.
    expect(epochEnd).toBeGreaterThan(150);
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(Math.min(60, epochEnd / 3));
  });

  it('an AbortSignal stops after the current batch and resolves with the completed epochs', async () => {
    const { x, y } = blobs(40);
    const model = compiledMlp();
    const ctrl = new AbortController();
    const batches: string[] = [];
    let ended = false;
    const h = await model.fit(x, y, {
      epochs: 5, batchSize: 10, verbose: 0, signal: ctrl.signal,
      callbacks: {
        onBatchEnd: (b) => {
          batches.push(`${h0.epoch}:${b}`);
          if (h0.epoch === 1 && b === 1) ctrl.abort();
        },
        onEpochBegin: (e) => void (h0.epoch = e),
        onTrainEnd: () => void (ended = true),
      },
    });
    expect(batches).toEqual(['0:0', '0:1', '0:2', '0:3', '1:0', '1:1']);
    expect(h.epoch).toEqual([0]);
    expect(h.history.loss).toHaveLength(1);
    expect(ended).toBe(true);
    expect(model.fitting).toBe(false);
    // An already aborted signal trains nothing.
    const before = snapshot(model);
    const h2 = await model.fit(x, y, { epochs: 2, verbose: 0, signal: ctrl.signal });
    expect(h2.epoch).toEqual([]);
    snapshot(model).forEach((w, i) => expect(w).toEqual(before[i]));
  });
  const h0 = { epoch: -1 };

  it('stopTraining set by a callback ends fit after that epoch', async () => {
    const { x, y } = blobs(20);
    const model = compiledMlp();
    const h = await model.fit(x, y, {
      epochs: 10, batchSize: 5, verbose: 0,
      callbacks: { onEpochEnd: (e) => void (e === 2 && (model.stopTraining = true)) },
    });
    expect(h.epoch).toEqual([0, 1, 2]);
  });
});

describe('evaluate and predict', () => {
  it('predict in batches equals one forward pass; evaluate equals the loss and accuracy of that pass', async () => {
    const { x, y } = blobs(23);
    const model = compiledMlp();
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const full = model.forward(x);
    const pred = model.predict(x, { batchSize: 5 });
    expect(pred.shape).toEqual([23, 3]);
    expect(pred.requiresGrad).toBe(false);
    for (let i = 0; i < full.size; i++) expect(pred.data[i]).toBeCloseTo(full.data[i]!, 5);
    const ev = await model.evaluate(x, y, { batchSize: 6 });
    expect(Object.keys(ev).sort()).toEqual(['accuracy', 'loss']);
    expect(ev.loss!).toBeCloseTo(sparseCE(y, full).item(), 5);
    const acc = new Accuracy();
    acc.update(y, full);
    expect(ev.accuracy).toBeCloseTo(acc.result(), 6);
  });

  it('run in evaluation mode without a graph and restore the previous mode', async () => {
    const { x, y } = blobs(9);
    const model = compiledMlp();
    const modes: boolean[] = [];
    const orig = model.forward.bind(model);
    model.forward = (input, args) => {
      const out = orig(input, args);
      modes.push(args?.training ?? model.training);
      expect(out.requiresGrad).toBe(false);
      return out;
    };
    model.predict(x, { batchSize: 4 });
    await model.evaluate(x, y, { batchSize: 4 });
    expect(modes).toEqual([false, false, false, false, false, false]);
    expect(model.training).toBe(true);
    model.eval();
    model.predict(x);
    expect(model.training).toBe(false);
  });

  it('evaluate takes a batch source too', async () => {
    const { x, y } = blobs(12);
    const model = compiledMlp();
    const a = await model.evaluate(x, y);
    const b = await model.evaluate(Dataset.fromTensors(x, y, { batchSize: 5 }));
    expect(b.loss!).toBeCloseTo(a.loss!, 5);
    expect(b.accuracy).toBeCloseTo(a.accuracy!, 6);
  });
});

describe('fit on a batch source', () => {
  it('trains from an async generator, re-iterated every epoch', async () => {
    const { x, y } = blobs(90);
    const model = compiledMlp();
    let passes = 0;
    const source = {
      async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
        passes++;
        for (let s = 0; s < 90; s += 15) {
          await new Promise((r) => setTimeout(r, 0));
          yield { xs: rows(x, s, s + 15), ys: y.slice(s, s + 15) };
        }
      },
    };
    const h = await model.fit(source, { epochs: 4, verbose: 0 });
    expect(passes).toBe(4);
    expect(h.history.loss![3]!).toBeLessThan(h.history.loss![0]!);
    expect(h.history.accuracy).toHaveLength(4);
  });

  it('stepsPerEpoch continues one iterator across epochs; validationData may be a source', async () => {
    const { x, y } = blobs(40);
    const model = compiledMlp();
    const starts: number[] = [];
    const ds = Dataset.fromTensors(x, y, { batchSize: 10 });
    const seen: number[] = [];
    const h = await model.fit(
      Dataset.fromGenerator(async function* () {
        let i = 0;
        for await (const b of ds) yield { ...b, n: i++ };
      }).map((b) => {
        seen.push(b.n);
        return b;
      }),
      {
        epochs: 3, stepsPerEpoch: 3, verbose: 0, validationData: Dataset.fromTensors(x, y, { batchSize: 8 }),
        callbacks: { onEpochBegin: (e) => void starts.push(e) },
      },
    );
    // Epoch 0: batches 0-2; epoch 1: batch 3 then the source ends; epoch 2 starts over: 0-2.
    expect(seen).toEqual([0, 1, 2, 3, 0, 1, 2]);
    expect(starts).toEqual([0, 1, 2]);
    expect(h.history.val_loss).toHaveLength(3);
  });

  it('a one-shot generator object fails clearly on the second epoch', async () => {
    const { x, y } = blobs(10);
    const model = compiledMlp();
    async function* once(): AsyncGenerator<Batch> {
      yield { xs: x, ys: y };
    }
    await expect(model.fit(once(), { epochs: 2, verbose: 0 })).rejects.toThrow(ValueError);
    expect(model.fitting).toBe(false);
  });

  it('bad batches are rejected with the batch index', async () => {
    const { x, y } = blobs(10);
    const model = compiledMlp();
    await expect(model.fit([{ xs: x, ys: y.slice(0, 9) }], { verbose: 0 })).rejects.toThrow(/batch 0.*10 samples.*9/);
    await expect(model.fit([{ xs: x }] as unknown as Batch[], { verbose: 0 })).rejects.toThrow(ArgumentError);
  });
});

describe('progress output', () => {
  const run = async (verbose: 0 | 1 | 2, stream: FakeStream, epochs = 3) => {
    const { x, y } = blobs(30);
    const model = compiledMlp();
    await model.fit(x, y, { epochs, batchSize: 10, verbose, validationSplit: 0.2, progressStream: stream });
  };

  it('one line per epoch without a TTY (verbose 1) and with verbose 2', async () => {
    for (const [verbose, tty] of [[1, false], [2, false], [2, true]] as const) {
      const s = new FakeStream(tty);
      await run(verbose, s);
      const lines = s.text.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      lines.forEach((line, i) => {
        expect(line).toMatch(
          new RegExp(`^Epoch ${i + 1}/3 - \\d+(ms|\\.\\ds) - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}$`),
        );
      });
    }
  });

  it('nothing at verbose 0', async () => {
    const s = new FakeStream(true);
    await run(0, s);
    expect(s.text).toBe('');
  });

  it('a bar per epoch on a TTY, ending with the epoch figures', async () => {
    const s = new FakeStream(true);
    await run(1, s, 2);
    // Drop the cursor-control sequences the bar writes between redraws.
    // eslint-disable-next-line no-control-regex
    const plain = s.text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    const finals = plain.split('\n').filter((l) => l.trim() !== '');
    expect(finals).toHaveLength(2);
    finals.forEach((line, i) => {
      expect(line).toContain(`Epoch ${i + 1}/2 [`);
      expect(line).toMatch(/\] 3\/3 - ETA \d+s - \d+ samples\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/);
    });
  });
});

describe('argument errors', () => {
  it('are typed and name the problem', async () => {
    const { x, y } = blobs(10);
    const raw = new TinyMlp(2, 4, 3);
    await expect(raw.fit(x, y, { verbose: 0 })).rejects.toThrow(/not compiled/);
    expect(() => raw.trainStep(x, y)).toThrow(ArgumentError);
    const model = compiledMlp();
    await expect(model.fit(x, y.slice(0, 8), { verbose: 0 })).rejects.toThrow(ShapeError);
    await expect(model.fit(x, y.slice(0, 8), { verbose: 0 })).rejects.toThrow(/x has 10 samples \(shape \[10, 2\]\) but the labels have 8/);
    await expect(model.fit(x, y, { batchSize: 0, verbose: 0 })).rejects.toThrow(ArgumentError);
    await expect(model.fit(x, y, { validationSplit: 1, verbose: 0 })).rejects.toThrow(/validationSplit/);
    await expect(model.fit(x, y, { sampleWeight: new Float32Array(3), verbose: 0 })).rejects.toThrow(ShapeError);
    await expect(model.fit(x, y, { classWeight: { 0: -1 }, verbose: 0 })).rejects.toThrow(ArgumentError);
    await expect(model.fit(x, y, { verbose: 3 as 1 })).rejects.toThrow(/verbose/);
    await expect(model.fit(x, [1, 2] as unknown as Int32Array, { verbose: 0 })).rejects.toThrow(ArgumentError);
    expect(() => model.trainStep(x, y, new Float32Array(2))).toThrow(ShapeError);
    expect(() => model.predict(new Tensor(new Float32Array(1), []))).toThrow(ShapeError);
    const first = model.fit(x, y, { epochs: 2, verbose: 0 });
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow(/already training/);
    await first;
  });

  it('the loss must return one number', async () => {
    const { x, y } = blobs(4);
    const model = new TinyMlp(2, 4, 3);
    model.compile({ optimizer: new SGD(), loss: (_t: unknown, p: Tensor) => p.mul(1) });
    expect(() => model.trainStep(x, y)).toThrow(/one number/);
  });

  it('logs passed to onBatchEnd are running epoch averages', async () => {
    const { x, y } = blobs(30);
    const model = compiledMlp();
    const batchLogs: Logs[] = [];
    const h = await model.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, callbacks: { onBatchEnd: (_b, l) => void batchLogs.push(l!) } });
    expect(batchLogs.map((l) => l.batch)).toEqual([0, 1, 2]);
    expect(batchLogs[2]!.loss).toBeCloseTo(h.history.loss![0]!, 6);
    expect(batchLogs[2]!.accuracy).toBeCloseTo(h.history.accuracy![0]!, 6);
  });
});

describe('with the library layers, losses, optimisers and metrics', () => {
  const build = () => {
    manualSeed(21);
    return sequential([
      layers.dense({ units: 16, activation: 'relu', inputShape: [2] }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ]);
  };

  it('a Sequential compiled with strings learns the blobs', async () => {
    const { x, y } = blobs(150);
    const model = build();
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    manualSeed(1);
    const h = await model.fit(x, y, { epochs: 15, batchSize: 16, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(h.history.loss![14]!).toBeLessThan(h.history.loss![0]! * 0.5);
    expect(h.history.val_accuracy![14]!).toBeGreaterThan(0.9);
    const ev = await model.evaluate(x, y);
    expect(ev.accuracy!).toBeGreaterThan(0.9);
  });

  it('trainStep equals loss.backward(); opt.step() on an identical model', () => {
    const { x, y } = blobs(32);
    const a = build();
    a.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const b = build();
    b.setWeights(a.getWeights());
    const opt = getOptimizer('adam');
    opt.setParameters(b.parameters());
    const lossFn = getLoss('sparseCategoricalCrossentropy');
    for (let step = 0; step < 3; step++) {
      const logs = a.trainStep(x, y);
      const loss = lossFn(y, b.forward(x));
      expect(logs.loss).toBeCloseTo(loss.item(), 6);
      loss.backward();
      opt.step();
      opt.zeroGrad();
    }
    a.weights.forEach((w, i) => expect(w.data).toEqual(b.weights[i]!.data));
  });

  it('ModelCheckpoint writes a model that loads and predicts identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dendrite-fit-'));
    try {
      const { x, y } = blobs(40);
      const model = build();
      model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.modelCheckpoint({ filepath: join(dir, 'epoch-{epoch}') })] });
      const loaded = await loadModel(join(dir, 'epoch-2'));
      expect(loaded.predict(x).data).toEqual(model.predict(x).data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
