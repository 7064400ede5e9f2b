// Partitions of MNIST's training labels among clients: every index exactly once, seeded, IID
// near-equal, Dirichlet skew that grows as α shrinks, McMahan's shards of two digits per client.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/index.js';
import {
  dirichletPartition, iidPartition, labelCounts, sampleDirichlet, sampleGamma, shardPartition,
} from '../../src/federated/index.js';
import { Random } from '../../src/random.js';

let labels: Int32Array;
beforeAll(async () => {
  labels = (await loadMnist(undefined, { trainLimit: 6000, testLimit: 1 })).train.labels;
});

function expectExactCover(parts: readonly Int32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) {
    expect(seen[i]).toBe(0);
    seen[i] = 1;
  }
  expect(seen.every((v) => v === 1)).toBe(true);
}

/** Mean over clients of the share of its examples in its most common class. */
function meanTopShare(parts: readonly Int32Array[]): number {
  const counts = labelCounts(labels, parts, 10);
  return counts.reduce((s, row) => s + Math.max(...row) / row.reduce((a, b) => a + b, 0), 0) / counts.length;
}

describe('gamma and Dirichlet sampling', () => {
  it('Gamma(k) has mean k and variance k, also for k < 1', () => {
    const rng = new Random(5);
    for (const k of [0.3, 1, 4.5]) {
      const n = 40_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const g = sampleGamma(k, rng);
        expect(g).toBeGreaterThanOrEqual(0);
        s += g;
        s2 += g * g;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      expect(Math.abs(mean - k) / k).toBeLessThan(0.03);
      expect(Math.abs(variance - k) / k).toBeLessThan(0.08);
    }
  });

  it('Dirichlet draws lie on the simplex; small α concentrates the mass', () => {
    const rng = new Random(1);
    let topSmall = 0;
    let topLarge = 0;
    for (let t = 0; t < 200; t++) {
      const a = sampleDirichlet(0.1, 10, rng);
      const b = sampleDirichlet(100, 10, rng);
      expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      expect(b.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      topSmall += Math.max(...a) / 200;
      topLarge += Math.max(...b) / 200;
    }
    expect(topSmall).toBeGreaterThan(0.6);
    expect(topLarge).toBeLessThan(0.15);
  });
});

describe('IID partition', () => {
  it('near-equal sizes, exact cover, seeded, roughly the global label mix', () => {
    const parts = iidPartition(labels.length, 7, 3);
    expectExactCover(parts, labels.length);
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(iidPartition(labels.length, 7, 3)).toEqual(parts);
    expect(iidPartition(labels.length, 7, 4)).not.toEqual(parts);
    expect(meanTopShare(parts)).toBeLessThan(0.15);
  });
});

describe('Dirichlet partition', () => {
  it('covers every index once, is seeded, and skews more as α shrinks', () => {
    const shares: number[] = [];
    for (const alpha of [0.1, 0.5, 100]) {
      const parts = dirichletPartition(labels, 10, { alpha, seed: 2 });
      expectExactCover(parts, labels.length);
      expect(parts.every((p) => p.length >= 10)).toBe(true);
      expect(dirichletPartition(labels, 10, { alpha, seed: 2 })).toEqual(parts);
      shares.push(meanTopShare(parts));
    }
    // α = 0.1: most of a client's data is one digit; α = 100: close to IID (about 11% per digit).
    expect(shares[0]).toBeGreaterThan(0.5);
    expect(shares[0]).toBeGreaterThan(shares[1]!);
    expect(shares[1]).toBeGreaterThan(shares[2]!);
    expect(shares[2]).toBeLessThan(0.2);
  });

  it('honours minSize or says why it cannot', () => {
    const parts = dirichletPartition(labels, 20, { alpha: 0.3, minSize: 50, seed: 9 });
    expect(Math.min(...parts.map((p) => p.length))).toBeGreaterThanOrEqual(50);
    expect(() => dirichletPartition(labels, 50, { alpha: 0.01, minSize: 100, maxTries: 3, seed: 1 })).toThrow(/no draw in 3 gave every one of 50 clients 100 examples/);
    expect(() => dirichletPartition(labels, 10, { alpha: 0 })).toThrow(/alpha must be a positive finite number/);
  });
});

describe('shard partition (McMahan et al.)', () => {
  it('2 shards of 300 sorted examples per client: exact cover, at most 2 digits each, seeded', () => {
    const parts = shardPartition(labels, 10, { seed: 4 });
    expectExactCover(parts, labels.length);
    expect(parts.every((p) => p.length === 600)).toBe(true);
    const digits = labelCounts(labels, parts, 10).map((row) => row.filter((c) => c > 0).length);
    // A shard of sorted labels can straddle a class boundary, so a client sees 1–4 digits, mostly ≤ 2.
    expect(digits.every((d) => d >= 1 && d <= 4)).toBe(true);
    expect(digits.reduce((a, b) => a + b, 0) / digits.length).toBeLessThanOrEqual(3);
    expect(shardPartition(labels, 10, { seed: 4 })).toEqual(parts);
    expect(shardPartition(labels, 10, { seed: 5 })).not.toEqual(parts);
  });

  it('with shards aligned to classes, exactly 2 labels per client', () => {
    // 10 classes × 60 examples, 5 clients × 2 shards of 60: each shard is one class.
    const aligned = Int32Array.from({ length: 600 }, (_, i) => i % 10);
    const parts = shardPartition(aligned, 5, { seed: 1 });
    const digits = labelCounts(aligned, parts, 10).map((row) => row.filter((c) => c > 0).length);
    expect(digits).toEqual([2, 2, 2, 2, 2]);
    expectExactCover(parts, 600);
  });
});
