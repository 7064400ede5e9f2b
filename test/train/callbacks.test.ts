import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import {
  CallbackList, EarlyStopping, HistoryCallback, LambdaCallback, ModelCheckpoint, ReduceLROnPlateau, callbacks,
  formatFilepath,
} from '../../src/train/callbacks.js';
import type { Callback, Logs } from '../../src/train/model.js';
import { blobs, compiledMlp, snapshot } from './tiny.js';

/** Overwrites logs[key] with a scripted sequence (so monitors see known values) and snapshots weights. */
function scripted(key: string, values: number[], snaps: Float32Array[][] = []): Callback {
  let model: ReturnType<typeof compiledMlp> | null = null;
  return {
    setModel: (m) => void (model = m as ReturnType<typeof compiledMlp>),
    onEpochEnd: (epoch, logs) => {
      logs![key] = values[epoch]!;
      snaps.push(snapshot(model!));
    },
  };
}

const data = blobs(24);

describe('callback order, logs and async hooks', () => {
  it('calls every hook in Keras order with the loss, metric and validation keys', async () => {
    const model = compiledMlp();
    const events: string[] = [];
    const fmt = (logs?: Logs) => Object.keys(logs ?? {}).sort().join(',');
    let modelSeen: unknown = null;
    await model.fit(data.x.reshape([24, 2]), data.y, {
      epochs: 2, batchSize: 8, verbose: 0, validationSplit: 1 / 3,
      callbacks: [{
        setModel: (m) => void (modelSeen = m),
        onTrainBegin: (l) => void events.push(`trainBegin ${fmt(l)}`),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchBegin: (b, l) => void events.push(`batchBegin ${b} ${fmt(l)}`),
        onBatchEnd: (b, l) => void events.push(`batchEnd ${b} ${fmt(l)}`),
        onEpochEnd: (e, l) => void events.push(`epochEnd ${e} ${fmt(l)}`),
        onTrainEnd: (l) => void events.push(`trainEnd ${fmt(l)}`),
      }],
    });
    expect(modelSeen).toBe(model);
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      'batchBegin 0 batch,size', 'batchEnd 0 accuracy,batch,loss,size',
      'batchBegin 1 batch,size', 'batchEnd 1 accuracy,batch,loss,size',
      `epochEnd ${e} accuracy,loss,val_accuracy,val_loss`,
    ];
    expect(events).toEqual([
      'trainBegin ', ...epoch(0), ...epoch(1), 'trainEnd accuracy,loss,val_accuracy,val_loss',
    ]);
  });

  it('awaits async hooks before going on, in list order', async () => {
    const model = compiledMlp();
    const events: string[] = [];
    const slow: Callback = {
      onEpochEnd: async (e) => {
        await new Promise((r) => setTimeout(r, 15));
        events.push(`slow end ${e}`);
      },
      onBatchEnd: async (b) => {
        await Promise.resolve();
        events.push(`slow batch ${b}`);
      },
    };
    const fast: Callback = {
      onEpochBegin: (e) => void events.push(`fast begin ${e}`),
      onEpochEnd: (e) => void events.push(`fast end ${e}`),
      onBatchEnd: (b) => void events.push(`fast batch ${b}`),
    };
    await model.fit(data.x, data.y, { epochs: 2, batchSize: 24, verbose: 0, callbacks: [slow, fast] });
    expect(events).toEqual([
      'fast begin 0', 'slow batch 0', 'fast batch 0', 'slow end 0', 'fast end 0',
      'fast begin 1', 'slow batch 0', 'fast batch 0', 'slow end 1', 'fast end 1',
    ]);
  });

  it('CallbackList stays synchronous for synchronous hooks and rejects non-callbacks', async () => {
    const seen: number[] = [];
    const list = new CallbackList([{ onEpochEnd: (e) => void seen.push(e) }, callbacks.lambda({ onEpochEnd: (e) => void seen.push(e * 10) })]);
    expect(list.epochEnd(3, {})).toBeUndefined();
    expect(seen).toEqual([3, 30]);
    expect(list.hasBatchEnd).toBe(false);
    expect(() => new CallbackList([{ onEpochEnd: 5 } as unknown as Callback])).toThrow(/callbacks\[0\]\.onEpochEnd must be a function/);
    const model = compiledMlp();
    await expect(model.fit(data.x, data.y, { verbose: 0, callbacks: [null as unknown as Callback] })).rejects.toThrow(ArgumentError);
    expect(() => callbacks.lambda({ onBatchEnd: 'x' as never })).toThrow(ArgumentError);
  });

  it('a thrown hook rejects fit and leaves the model usable', async () => {
    const model = compiledMlp();
    await expect(model.fit(data.x, data.y, {
      epochs: 3, verbose: 0, callbacks: { onEpochEnd: () => { throw new Error('boom'); } },
    })).rejects.toThrow('boom');
    expect(model.fitting).toBe(false);
    const h = await model.fit(data.x, data.y, { epochs: 1, verbose: 0 });
    expect(h.epoch).toEqual([0]);
  });
});

describe('HistoryCallback', () => {
  it('keeps every key aligned with the epochs (NaN where a key was missing)', () => {
    const h = new HistoryCallback();
    h.onTrainBegin();
    h.onEpochEnd(0, { loss: 1 });
    h.onEpochEnd(1, { loss: 0.5, lr: 0.1 });
    h.onEpochEnd(2, { lr: 0.05 });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.history.loss).toEqual([1, 0.5, Number.NaN]);
    expect(h.history.lr).toEqual([Number.NaN, 0.1, 0.05]);
  });
});

describe('EarlyStopping', () => {
  it('stops once the monitored value has not improved for `patience` epochs', async () => {
    const model = compiledMlp();
    const es = callbacks.earlyStopping({ patience: 2 });
    const h = await model.fit(data.x, data.y, {
      epochs: 10, verbose: 0, callbacks: [scripted('val_loss', [1, 0.8, 0.9, 0.85, 0.7, 0.6]), es],
    });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.best).toBe(0.8);
    expect(es.bestEpoch).toBe(1);
  });

  it('restoreBestWeights puts back the weights of the best epoch when training ends', async () => {
    const model = compiledMlp();
    const snaps: Float32Array[][] = [];
    await model.fit(data.x, data.y, {
      epochs: 10, batchSize: 6, verbose: 0,
      callbacks: [scripted('val_loss', [1, 0.5, 0.9, 0.8, 0.7], snaps), callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })],
    });
    expect(snaps).toHaveLength(5);
    snapshot(model).forEach((w, i) => expect(w).toEqual(snaps[1]![i]));
    expect(snapshot(model)[0]).not.toEqual(snaps[4]![0]);
  });

  it('minDelta, mode and baseline follow Keras', async () => {
    const run = async (values: number[], es: EarlyStopping, key = 'val_loss') => {
      const model = compiledMlp();
      return (await model.fit(data.x, data.y, { epochs: values.length, verbose: 0, callbacks: [scripted(key, values), es] })).epoch.length;
    };
    expect(await run([1, 0.99, 0.98, 0.97], new EarlyStopping({ patience: 1 }))).toBe(4);
    expect(await run([1, 0.99, 0.98, 0.97], new EarlyStopping({ patience: 1, minDelta: 0.05 }))).toBe(2);
    expect(await run([1, 0.99, 0.98, 0.97], new EarlyStopping({ patience: 1, minDelta: -0.05 }))).toBe(2);
    expect(new EarlyStopping({ monitor: 'val_accuracy' }).mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'loss' }).mode).toBe('min');
    expect(await run([0.5, 0.6, 0.7, 0.8], new EarlyStopping({ monitor: 'val_accuracy', patience: 1 }), 'val_accuracy')).toBe(4);
    expect(await run([0.5, 0.6, 0.7, 0.8], new EarlyStopping({ monitor: 'val_accuracy', mode: 'min', patience: 1 }), 'val_accuracy')).toBe(2);
    // A baseline not beaten: improvements do not reset the count.
    expect(await run([0.9, 0.95, 0.97, 0.99], new EarlyStopping({ patience: 2 }))).toBe(3);
    expect(await run([0.9, 0.95, 0.97, 0.99], new EarlyStopping({ patience: 2, baseline: 0.5 }))).toBe(2);
  });

  it('does not stop on a missing key, and checks its options', async () => {
    const model = compiledMlp();
    const h = await model.fit(data.x, data.y, {
      epochs: 3, verbose: 0, callbacks: [callbacks.earlyStopping({ monitor: 'val_nothing', patience: 0 })],
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(ArgumentError);
    expect(() => new EarlyStopping({ mode: 'up' as 'min' })).toThrow(/mode/);
    expect(() => new EarlyStopping({ monitor: '' })).toThrow(ArgumentError);
  });
});

describe('learning-rate callbacks', () => {
  it('LearningRateScheduler sets the rate before each epoch and logs it', async () => {
    const model = compiledMlp(1, 0.1);
    const during: number[] = [];
    const h = await model.fit(data.x, data.y, {
      epochs: 3, batchSize: 12, verbose: 0,
      callbacks: [
        callbacks.learningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr * 0.5)),
        { onBatchEnd: () => void during.push(model.optimizer!.learningRate) },
      ],
    });
    expect(during.map((v) => +v.toFixed(6))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(h.history.lr!.map((v) => +v.toFixed(6))).toEqual([0.1, 0.05, 0.025]);
    await expect(model.fit(data.x, data.y, { verbose: 0, callbacks: [callbacks.learningRateScheduler(() => Number.NaN)] }))
      .rejects.toThrow(ValueError);
  });

  it('ReduceLROnPlateau multiplies the rate after `patience` flat epochs, with cooldown and minLr', async () => {
    const model = compiledMlp(1, 0.1);
    const rlr = new ReduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLr: 0.03 });
    const h = await model.fit(data.x, data.y, {
      epochs: 6, verbose: 0, callbacks: [scripted('val_loss', [1, 1, 1, 1, 1, 1]), rlr],
    });
    expect(h.history.lr!.map((v) => +v.toFixed(6))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.03]);
    expect(model.optimizer!.learningRate).toBeCloseTo(0.03, 7);
    expect(new ReduceLROnPlateau({ monitor: 'val_accuracy' }).mode).toBe('max');
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor/);
  });
});

describe('ModelCheckpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dendrite-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('formats Keras filepath templates', () => {
    expect(formatFilepath('w-{epoch:03d}-{val_loss:.2f}.safetensors', 4, { val_loss: 0.12345 })).toBe('w-005-0.12.safetensors');
    expect(formatFilepath('m{epoch}', 0, {})).toBe('m1');
    expect(formatFilepath('{loss:8.3f}|', 0, { loss: 1.5 })).toBe('   1.500|');
    expect(() => formatFilepath('{nope}', 0, { loss: 1 })).toThrow(/nope/);
  });

  it('saveBestOnly saves only when the monitored value improves; files are written', async () => {
    const model = compiledMlp();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, 'best-{epoch}.safetensors'), saveBestOnly: true, saveWeightsOnly: true });
    const snaps: Float32Array[][] = [];
    await model.fit(data.x, data.y, {
      epochs: 5, verbose: 0, callbacks: [scripted('val_loss', [1, 0.5, 0.7, 0.4, 0.45], snaps), ckpt],
    });
    expect(ckpt.saved).toEqual([1, 2, 4].map((e) => join(dir, `best-${e}.safetensors`)));
    for (const path of ckpt.saved) expect(existsSync(path)).toBe(true);
    expect(existsSync(join(dir, 'best-3.safetensors'))).toBe(false);
    // The last checkpoint holds the weights after the fourth epoch, the last improvement.
    const copy = compiledMlp(99);
    await copy.loadWeights(ckpt.saved[2]!);
    snapshot(copy).forEach((w, i) => expect(w).toEqual(snaps[3]![i]));
    expect(snapshot(copy)[0]).not.toEqual(snapshot(model)[0]);
  });

  it('saves every saveFreq epochs, and the whole model unless saveWeightsOnly', async () => {
    const model = compiledMlp();
    const paths: string[] = [];
    model.save = async (p: string) => void paths.push(`save ${p}`);
    const ckpt = callbacks.modelCheckpoint({ filepath: join(dir, 'm-{epoch:02d}'), saveFreq: 2 });
    await model.fit(data.x, data.y, { epochs: 5, verbose: 0, callbacks: ckpt });
    expect(paths).toEqual([`save ${join(dir, 'm-02')}`, `save ${join(dir, 'm-04')}`]);
    expect(() => new ModelCheckpoint({ filepath: '' })).toThrow(ArgumentError);
    expect(() => new ModelCheckpoint({ filepath: 'x', saveFreq: 0 })).toThrow(ArgumentError);
  });
});

describe('LambdaCallback', () => {
  it('runs the given hooks', async () => {
    const model = compiledMlp();
    const ends: number[] = [];
    const cb = new LambdaCallback({ onEpochEnd: (e, logs) => void ends.push(e + (logs!.loss! > 0 ? 100 : 0)) });
    await model.fit(data.x, data.y, { epochs: 2, verbose: 0, callbacks: cb });
    expect(ends).toEqual([100, 101]);
  });
});
