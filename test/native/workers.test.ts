// The addon loads in several worker_threads at once and computes correctly while they all use
// the shared thread pool concurrently.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { findAddonPath } from '../../src/backend/addon.js';
import { native, randomArray, reference } from '../support/kernels.js';
import { Random } from '../../src/random.js';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
const { m, n, k, a, b, rounds } = workerData;
let c;
for (let r = 0; r < rounds; r++) {
  c = new Float32Array(m * n);
  addon.gemm(false, false, m, n, k, 1, a, b, 0, c);
}
parentPort.postMessage({ isa: addon.isa(), c });
`;

describe('worker_threads', () => {
  it('four workers and the main thread multiply concurrently with correct results', async () => {
    const addonPath = findAddonPath();
    expect(addonPath).toBeDefined();
    const rng = new Random(7);
    const m = 96, n = 80, k = 200;
    const a = randomArray(rng, m * k);
    const b = randomArray(rng, k * n);
    const expected = new Float32Array(m * n);
    reference.gemm(false, false, m, n, k, 1, a, b, 0, expected);

    const workers = Array.from({ length: 4 }, () =>
      new Promise<{ isa: string; c: Float32Array }>((resolve, reject) => {
        const w = new Worker(workerSource, { eval: true, workerData: { addonPath, m, n, k, a, b, rounds: 40 } });
        w.once('message', resolve);
        w.once('error', reject);
      }));
    // The main thread keeps using the pool meanwhile.
    for (let r = 0; r < 40; r++) {
      const c = new Float32Array(m * n);
      native.gemm(false, false, m, n, k, 1, a, b, 0, c);
      for (let i = 0; i < c.length; i++) expect(Math.abs(c[i]! - expected[i]!)).toBeLessThan(1e-3);
    }
    for (const { isa, c } of await Promise.all(workers)) {
      expect(isa).toBe(native.isa());
      for (let i = 0; i < c.length; i++) expect(Math.abs(c[i]! - expected[i]!)).toBeLessThan(1e-3);
    }
  });
});
