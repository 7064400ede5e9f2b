// DistributedSampler: PyTorch's padding, disjoint shards covering every sample, epoch reseeding.
import { describe, expect, it } from 'vitest';
import { DistributedSampler } from '../../src/distributed/sampler.js';

const shards = (n: number, W: number, opts: { shuffle?: boolean; dropLast?: boolean; seed?: number } = {}, epoch = 0): number[][] =>
  Array.from({ length: W }, (_, rank) => {
    const s = new DistributedSampler(n, { worldSize: W, rank, ...opts });
    s.setEpoch(epoch);
    return [...s.indices()];
  });

describe('DistributedSampler', () => {
  it('without shuffling, rank r takes r, r+W, …, and the tail is padded from the start', () => {
    expect(shards(10, 4, { shuffle: false })).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]);
    expect(shards(2, 5, { shuffle: false })).toEqual([[0], [1], [0], [1], [0]]);
    expect(shards(8, 4, { shuffle: false })).toEqual([[0, 4], [1, 5], [2, 6], [3, 7]]);
  });

  it('dropLast cuts the tail instead', () => {
    expect(shards(10, 4, { shuffle: false, dropLast: true })).toEqual([[0, 4], [1, 5], [2, 6], [3, 7]]);
    expect(new DistributedSampler(3, { worldSize: 4, rank: 0, dropLast: true }).numSamples).toBe(0);
  });

  it('shuffled shards are equally long, disjoint apart from the padding, and cover every sample', () => {
    for (const [n, W] of [[97, 4], [100, 3], [5, 2], [1, 3]] as const) {
      const s = shards(n, W, { seed: 7 }, 2);
      const len = Math.ceil(n / W);
      for (const shard of s) expect(shard).toHaveLength(len);
      const all = s.flat();
      expect(new Set(all).size).toBe(n);
      const counts = new Map<number, number>();
      for (const i of all) counts.set(i, (counts.get(i) ?? 0) + 1);
      const repeated = [...counts.values()].reduce((a, c) => a + c - 1, 0);
      expect(repeated).toBe(len * W - n);
    }
  });

  it('each epoch reshuffles with seed + epoch, identically on every rank', () => {
    const a = new DistributedSampler(50, { worldSize: 2, rank: 0, seed: 3 });
    const b = new DistributedSampler(50, { worldSize: 2, rank: 1, seed: 3 });
    const e0 = [...a.epochOrder()];
    a.setEpoch(1);
    const e1 = [...a.epochOrder()];
    expect(e1).not.toEqual(e0);
    expect([...e0].sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    b.setEpoch(1);
    expect([...b.epochOrder()]).toEqual(e1);
    // seed + epoch: (seed 4, epoch 0) orders like (seed 3, epoch 1).
    expect([...new DistributedSampler(50, { worldSize: 2, rank: 0, seed: 4 }).epochOrder()]).toEqual(e1);
    a.setEpoch(0);
    expect([...a.epochOrder()]).toEqual(e0);
  });

  it('rejects bad arguments', () => {
    expect(() => new DistributedSampler(10, { worldSize: 2, rank: 2 })).toThrow(/rank must be an integer in \[0, 1\]/);
    expect(() => new DistributedSampler(-1, { worldSize: 2, rank: 0 })).toThrow(/size/);
    expect(() => new DistributedSampler(10, { worldSize: 0, rank: 0 })).toThrow(/worldSize/);
  });
});
