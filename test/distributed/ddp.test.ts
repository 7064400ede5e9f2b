// Data-parallel training on the local back end equals one process training on the whole
// batches: the manual DDP loop and fit({ distributed }).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DistributedSampler } from '../../src/distributed/sampler.js';
import { launchLocal } from '../../src/distributed/local.js';
import { SGD } from '../../src/optim/sgd.js';
import { Tensor } from '../../src/tensor.js';
import type { Batch } from '../../src/train/model.js';
import { FEATURES, dataset, fitRank, mlp, singleLoop, weights, type FitData, type LoopData } from './fixtures/training.js';

const fixture = new URL('./fixtures/training.ts', import.meta.url);

function expectClose(got: number[][], want: number[][], rel = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    expect(g.length).toBe(w.length);
    const scale = Math.max(...w.map(Math.abs), 1e-3);
    for (let j = 0; j < g.length; j++) expect(Math.abs(g[j]! - w[j]!)).toBeLessThanOrEqual(rel * scale + 1e-7);
  });
}

describe('DistributedDataParallel', () => {
  it('2 ranks, each on half of every global batch, end with identical weights equal to one process on the whole batches', async () => {
    const { x, y } = dataset(6 * 16);
    const d: LoopData = { x, y, globalBatch: 16, steps: 6, lr: 0.3 };
    const [r0, r1] = await launchLocal<{ weights: number[][]; buckets: number }>({ workers: 2, module: fixture, exportName: 'ddpLoop', data: d, timeoutMs: 20_000 });
    expect(r0!.buckets).toBeGreaterThan(1);
    expect(r1!.weights).toEqual(r0!.weights); // bit-identical replicas
    const single = singleLoop(d);
    expectClose(r0!.weights, single);
    // Training moved the weights (the comparison is not between two untouched copies).
    const init = weights(mlp(100));
    expect(Math.max(...init.flatMap((w, i) => w.map((v, j) => Math.abs(v - single[i]![j]!))))).toBeGreaterThan(1e-2);
  });
});

describe('DistributedDataParallel edge cases', () => {
  it('a parameter only one rank used is averaged with zeros on the others; one no rank used keeps grad null', async () => {
    const [r0, r1] = await launchLocal<{ w: number[]; v: number[] | null; unused: boolean; localV: number[] | null }>({ workers: 2, module: fixture, exportName: 'unusedParameter' });
    expect(r1!.localV).toBeNull();
    expect(r0!.localV).not.toBeNull();
    expect(r1!.v).toEqual(r0!.v);
    r0!.v!.forEach((g, i) => expect(g).toBeCloseTo(r0!.localV![i]! / 2, 6));
    expect(r1!.w).toEqual(r0!.w);
    expect(r0!.unused && r1!.unused).toBe(true);
  });

  it('syncBatchNorm averages the moving statistics; without it each rank keeps its own', async () => {
    const { x, y } = dataset(64);
    const [off, on] = await Promise.all([false, true].map((syncBatchNorm) =>
      launchLocal<number[][]>({ workers: 2, module: fixture, exportName: 'batchNormStats', data: { syncBatchNorm, x, y } })));
    expect(off![0]!.length).toBe(2); // moving mean, moving variance
    expect(off![1]).not.toEqual(off![0]);
    expect(on![1]).toEqual(on![0]);
  });
});

describe('fit({ distributed })', () => {
  it('2 ranks on their sampler shards equal one process fed the same global batches in the same order', async () => {
    const n = 64;
    const { x, y } = dataset(n);
    const checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'dendrite-ddp-'));
    const d: FitData = { x, y, args: { epochs: 3, batchSize: 8, shuffle: true }, seed: 11, checkpointDir };
    const [r0, r1] = await launchLocal<Awaited<ReturnType<typeof fitRank>>>({ workers: 2, module: fixture, exportName: 'fitRank', data: d, timeoutMs: 20_000 });
    expect(r1!.weights).toEqual(r0!.weights);
    expect(r1!.history).toEqual(r0!.history); // averaged logs: the same on every rank
    expect(r1!.seen).toEqual(r0!.seen);
    // ModelCheckpoint runs on rank 0 only.
    expect(existsSync(path.join(checkpointDir, 'rank0.safetensors'))).toBe(true);
    expect(existsSync(path.join(checkpointDir, 'rank1.safetensors'))).toBe(false);
    rmSync(checkpointDir, { recursive: true, force: true });

    // The reference: epoch e visits the sampler's epoch order in global batches of 8 × 2.
    const order = new DistributedSampler(n, { worldSize: 1, rank: 0, seed: d.seed });
    let epoch = 0;
    const source: Iterable<Batch> = {
      *[Symbol.iterator]() {
        order.setEpoch(epoch++);
        const perm = order.epochOrder();
        for (let b = 0; b < n; b += 16) {
          const xs = new Float32Array(16 * FEATURES);
          const ys = new Int32Array(16);
          for (let k = 0; k < 16; k++) {
            xs.set(x.subarray(perm[b + k]! * FEATURES, (perm[b + k]! + 1) * FEATURES), k * FEATURES);
            ys[k] = y[perm[b + k]!]!;
          }
          yield { xs: new Tensor(xs, [16, FEATURES]), ys };
        }
      },
    };
    const model = mlp(100);
    model.compile({ optimizer: new SGD({ learningRate: 0.2 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const h = await model.fit(source, { epochs: 3, verbose: 0 });
    expectClose(r0!.weights, weights(model));
    h.history.loss!.forEach((l, i) => expect(r0!.history.loss![i]!).toBeCloseTo(l, 5));
    h.history.accuracy!.forEach((a, i) => expect(r0!.history.accuracy![i]!).toBeCloseTo(a, 6));
  });

  it('validation is split between the ranks and its logs averaged', async () => {
    const { x, y } = dataset(50);
    const d: FitData = { x, y, args: { epochs: 2, batchSize: 5, shuffle: false, validationSplit: 0.2 }, seed: 3 };
    const [r0, r1] = await launchLocal<Awaited<ReturnType<typeof fitRank>>>({ workers: 2, module: fixture, exportName: 'fitRank', data: d, timeoutMs: 20_000 });
    expect(r1!.history).toEqual(r0!.history);
    // The final model evaluated on all 10 validation samples in one process gives the last val_loss.
    const model = mlp(1);
    model.loadStateDict(new Map([...model.stateDict().keys()].map((k, i) => [k, new Tensor(Float32Array.from(r0!.weights[i]!), model.stateDict().get(k)!.shape)])));
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const ev = await model.evaluate(new Tensor(x.subarray(40 * FEATURES), [10, FEATURES]), y.subarray(40));
    expect(r0!.history.val_loss![1]!).toBeCloseTo(ev.loss!, 5);
    expect(r0!.history.val_accuracy![1]!).toBeCloseTo(ev.accuracy!, 6);
  });

  it('rejects a batch source', async () => {
    const model = mlp(1);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const comm = { rank: 0, worldSize: 1, backend: 'local' as const, allreduce: async () => {}, broadcast: async () => {}, allgather: async (b: Float32Array) => b, barrier: async () => {}, close: async () => {} };
    await expect(model.fit([], { distributed: comm })).rejects.toThrow(/distributed training needs in-memory x\/y/);
  });
});
