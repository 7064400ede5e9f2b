// The local back end: collectives between worker threads over shared memory, and failures that
// end every rank with a DistributedError in bounded time.
import { describe, expect, it } from 'vitest';
import { DistributedError } from '../../src/distributed/communicator.js';
import { launchLocal } from '../../src/distributed/local.js';
import { backendInfo, setNumThreads } from '../../src/backend/index.js';

const fixture = new URL('./fixtures/collectives.ts', import.meta.url);

function values(rank: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(Math.fround((rank + 1) * 0.5 + i * 0.25) - (i % 3)));
}

type Collected = Record<string, number[][]>;

describe('local back end collectives', () => {
  // chunkSize 5: lengths 7 and 23 need several rounds; 0 and 1 give ranks empty segments.
  for (const workers of [2, 3]) {
    it(`${workers} ranks: allreduce sum/mean, broadcast from the last rank, allgather, barrier on lengths 0, 1, 7, 23`, async () => {
      const lengths = [0, 1, 7, 23];
      const results = await launchLocal<Collected>({ workers, module: fixture, data: { lengths }, chunkSize: 5, timeoutMs: 20_000 });
      expect(results).toHaveLength(workers);
      lengths.forEach((n, li) => {
        const per = Array.from({ length: workers }, (_, r) => values(r, n));
        const sum = per[0]!.map((_, i) => per.reduce((a, v) => a + v[i]!, 0));
        for (let r = 0; r < workers; r++) {
          const got = results[r]!;
          expect(got.sum![li]).toHaveLength(n);
          got.sum![li]!.forEach((v, i) => expect(v).toBeCloseTo(sum[i]!, 5));
          got.mean![li]!.forEach((v, i) => expect(v).toBeCloseTo(sum[i]! / workers, 5));
          expect(got.broadcast![li]).toEqual(per[workers - 1]);
          expect(got.allgather![li]).toEqual(per.flat());
          // Every rank ends with bit-identical reductions.
          expect(got.sum![li]).toEqual(results[0]!.sum![li]);
          expect(got.mean![li]).toEqual(results[0]!.mean![li]);
        }
      });
    });
  }

  it('one rank: collectives are identities; ranks see their rank and a one-thread native pool', async () => {
    const [one] = await launchLocal<Collected>({ workers: 1, module: fixture, data: { lengths: [3] } });
    expect(one!.sum![0]).toEqual(values(0, 3));
    expect(one!.allgather![0]).toEqual(values(0, 3));
    const info = await launchLocal<{ rank: number; worldSize: number; threads: number; backend: string }>({ workers: 2, module: fixture, exportName: 'info' });
    expect(info).toEqual([
      { rank: 0, worldSize: 2, threads: 1, backend: 'local' },
      { rank: 1, worldSize: 2, threads: 1, backend: 'local' },
    ]);
  });

  it('the process-wide native pool is restored after the ranks end, also after overlapping launches', async () => {
    const before = backendInfo().threads;
    setNumThreads(3);
    try {
      const slow = launchLocal({ workers: 2, module: fixture, exportName: 'sleepy', data: { ms: 400 } });
      const fast = launchLocal<{ threads: number }>({ workers: 2, module: fixture, exportName: 'info', numThreads: 2 });
      expect((await fast).map((r) => r.threads)).toEqual([2, 2]);
      await slow;
      expect(backendInfo().threads).toBe(3);
    } finally {
      setNumThreads(before);
    }
  });
});

describe('local back end failures', () => {
  it('a rank that throws aborts the group: launchLocal rejects with a DistributedError naming it, fast', async () => {
    const t0 = performance.now();
    const err = await launchLocal({ workers: 3, module: fixture, exportName: 'throwing', data: { rank: 1 }, timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as Error).message).toMatch(/rank 1 of 3 failed: rank 1 gives up/);
    expect((err as Error).message).toMatch(/2 other rank\(s\) stopped/);
    expect(((err as Error).cause as Error).name).toBe('RangeError');
    expect(performance.now() - t0).toBeLessThan(15_000); // far below the 30 s collective timeout
  });

  it('a collective times out with a DistributedError naming the op, the rank and what it waited for', async () => {
    const err = await launchLocal({ workers: 2, module: fixture, exportName: 'sleepy', data: { ms: 800 }, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    // Normally rank 0, at the second barrier; rank 1 if it started more than 300 ms before rank 0.
    expect((err as Error).message).toMatch(/rank (\d) of 2 failed: dendrite\.barrier: rank \1 timed out after 300 ms waiting for the other ranks \(1 of 2 ranks arrived\)/);
  });

  it('a rank that returned without calling a collective its peers wait in fails them at once', async () => {
    const err = await launchLocal({ workers: 2, module: fixture, exportName: 'early', timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as Error).message).toMatch(/rank 0 of 2 failed: .*already returned from main\(\) without calling barrier\(\)/);
  });

  it('mismatched lengths fail on every rank', async () => {
    const err = await launchLocal({ workers: 2, module: fixture, exportName: 'mismatch' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as Error).message).toMatch(/called allreduce\(length \d, 'sum'\) but rank \d called allreduce\(length \d, 'sum'\)/);
  });

  it('a rank whose thread exits fails the group', async () => {
    const err = await launchLocal({ workers: 2, module: fixture, exportName: 'exiting', timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as Error).message).toMatch(/rank 0 of 2 failed: its thread exited \(code 3\)/);
  });

  it('bad options and a missing export are clear errors', async () => {
    await expect(launchLocal({ workers: 0, module: fixture })).rejects.toThrow(/workers must be an integer ≥ 1/);
    await expect(launchLocal({ workers: 1, module: fixture, exportName: 'nope' })).rejects.toThrow(/does not export a function 'nope'/);
  });
});

describe('timeouts', () => {
  it('resolveTimeoutMs: the option, else DENDRITE_DIST_TIMEOUT_MS, else 60 s; bad values throw', async () => {
    const { resolveTimeoutMs, withTimeout } = await import('../../src/distributed/communicator.js');
    const saved = process.env.DENDRITE_DIST_TIMEOUT_MS;
    try {
      delete process.env.DENDRITE_DIST_TIMEOUT_MS;
      expect(resolveTimeoutMs()).toBe(60_000);
      process.env.DENDRITE_DIST_TIMEOUT_MS = '1500';
      expect(resolveTimeoutMs()).toBe(1500);
      expect(resolveTimeoutMs(20)).toBe(20);
      process.env.DENDRITE_DIST_TIMEOUT_MS = 'soon';
      expect(() => resolveTimeoutMs()).toThrow(DistributedError);
      expect(() => resolveTimeoutMs(-1)).toThrow(/timeoutMs must be a positive number/);
    } finally {
      if (saved === undefined) delete process.env.DENDRITE_DIST_TIMEOUT_MS;
      else process.env.DENDRITE_DIST_TIMEOUT_MS = saved;
    }
    await expect(withTimeout(new Promise(() => {}), 30, 'allreduce', 3, 'rank 0')).rejects.toThrow(
      /^dendrite\.allreduce: rank 3 timed out after 30 ms waiting for rank 0$/,
    );
    await expect(withTimeout(Promise.resolve(7), 30, 'barrier', 0, 'x')).resolves.toBe(7);
  });

  it('the environment variable sets the local back end\'s timeout', async () => {
    const saved = process.env.DENDRITE_DIST_TIMEOUT_MS;
    process.env.DENDRITE_DIST_TIMEOUT_MS = '250';
    try {
      const err = await launchLocal({ workers: 2, module: fixture, exportName: 'sleepy', data: { ms: 700 } }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/timed out after 250 ms/);
    } finally {
      if (saved === undefined) delete process.env.DENDRITE_DIST_TIMEOUT_MS;
      else process.env.DENDRITE_DIST_TIMEOUT_MS = saved;
    }
  });
});

describe('LocalCommunicator', () => {
  it('refuses to be a rank of a larger group on the main thread; a group of one works anywhere', async () => {
    const { LocalCommunicator, createLocalGroup } = await import('../../src/distributed/local.js');
    expect(() => new LocalCommunicator(0, createLocalGroup(2))).toThrow(/run in worker threads/);
    const one = new LocalCommunicator(0, createLocalGroup(1, 4));
    const b = new Float32Array([1, 2, 3]);
    await one.allreduce(b, 'mean');
    expect([...b]).toEqual([1, 2, 3]);
    await one.close();
    await expect(one.barrier()).rejects.toThrow(/communicator is closed/);
  });
});
