import { describe, expect, it } from 'vitest';
import { Dataset, type Sample, fromAsyncIterable, fromGenerator, fromTensors } from '../../src/data/dataset.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { Random, manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

/** x row i is [i, 10 + i]; y is i % 3. */
function table(n: number): { x: Tensor; y: Int32Array } {
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 2] = i;
    x[i * 2 + 1] = 10 + i;
    y[i] = i % 3;
  }
  return { x: new Tensor(x, [n, 2]), y };
}

const ids = (b: { xs: Tensor }) => Array.from({ length: b.xs.shape[0]! }, (_, k) => b.xs.data[k * 2]!);

describe('Dataset.fromTensors', () => {
  it('yields batches of rows in order with a smaller last batch', async () => {
    const { x, y } = table(7);
    const batches = await fromTensors(x, y, { batchSize: 3 }).toArray();
    expect(batches.map((b) => b.xs.shape)).toEqual([[3, 2], [3, 2], [1, 2]]);
    expect(batches.map(ids)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(Array.from(batches[1]!.xs.data)).toEqual([3, 13, 4, 14, 5, 15]);
    expect(batches.map((b) => Array.from(b.ys as Int32Array))).toEqual([[0, 1, 2], [0, 1, 2], [0]]);
  });

  it('shuffles on every pass, reproducibly from the seed, keeping rows and labels together', async () => {
    const { x, y } = table(20);
    const yt = new Tensor(Float32Array.from(y, (v, i) => v + i * 100), [20, 1]);
    manualSeed(4);
    const ds = Dataset.fromTensors(x, yt, { batchSize: 6, shuffle: true });
    const pass1 = (await ds.toArray()).flatMap(ids);
    const pass2 = (await ds.toArray()).flatMap(ids);
    expect([...pass1].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(pass2).not.toEqual(pass1);
    manualSeed(4);
    expect((await ds.toArray()).flatMap(ids)).toEqual(pass1);
    for (const b of await ds.toArray()) {
      const labels = b.ys as Tensor;
      expect(labels.shape).toEqual([b.xs.shape[0], 1]);
      ids(b).forEach((id, k) => expect(labels.data[k]).toBe((id % 3) + id * 100));
    }
  });

  it('checks its arguments', () => {
    const { x, y } = table(4);
    expect(() => fromTensors(x, y.subarray(0, 3))).toThrow(ShapeError);
    expect(() => fromTensors(x, y, { batchSize: 0 })).toThrow(ArgumentError);
    expect(() => fromTensors([1, 2] as unknown as Tensor, y)).toThrow(ArgumentError);
  });
});

describe('sources and transformations', () => {
  it('fromGenerator restarts the generator on every pass; map, filter, skip and take compose', async () => {
    let calls = 0;
    const ds = fromGenerator(function* () {
      calls++;
      for (let i = 0; i < 10; i++) yield i;
    });
    const piped = ds.filter((v) => v % 2 === 0).map(async (v, i) => v * 10 + i).skip(1).take(3);
    expect(await piped.toArray()).toEqual([21, 42, 63]);
    expect(await piped.toArray()).toEqual([21, 42, 63]);
    expect(calls).toBe(2);
    expect(await ds.take(0).toArray()).toEqual([]);
  });

  it('take stops the source early and lets it clean up', async () => {
    let closed = 0;
    let produced = 0;
    const ds = fromGenerator(async function* () {
      try {
        for (let i = 0; ; i++) {
          produced++;
          yield i;
        }
      } finally {
        closed++;
      }
    });
    expect(await ds.take(3).toArray()).toEqual([0, 1, 2]);
    expect(produced).toBe(3);
    expect(closed).toBe(1);
  });

  it('fromAsyncIterable re-iterates iterables, while a generator object is one-shot', async () => {
    expect(await fromAsyncIterable([1, 2, 3]).toArray()).toEqual([1, 2, 3]);
    const source = { async *[Symbol.asyncIterator]() { yield 'a'; yield 'b'; } };
    const ds = fromAsyncIterable(source);
    expect(await ds.toArray()).toEqual(['a', 'b']);
    expect(await ds.toArray()).toEqual(['a', 'b']);
    const once = fromAsyncIterable((async function* () { yield 1; })());
    expect(await once.toArray()).toEqual([1]);
    expect(await once.toArray()).toEqual([]);
    expect(() => fromAsyncIterable(5 as unknown as number[])).toThrow(ArgumentError);
    expect(() => fromGenerator(5 as unknown as () => Iterator<number>)).toThrow(ArgumentError);
  });

  it('shuffle with a buffer as large as the data permutes all of it, differently per pass', async () => {
    const ds = Dataset.fromIterable([...Array(30).keys()]).shuffle(30, new Random(1));
    const a = await ds.toArray();
    const b = await ds.toArray();
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(30).keys()]);
    expect(a).not.toEqual([...Array(30).keys()]);
    expect(b).not.toEqual(a);
    const small = await Dataset.fromIterable([...Array(30).keys()]).shuffle(3, new Random(2)).toArray();
    expect([...small].sort((p, q) => p - q)).toEqual([...Array(30).keys()]);
    // A window of 3 moves an element at most a few places earlier.
    small.forEach((v, i) => expect(v).toBeLessThanOrEqual(i + 2));
    expect(() => Dataset.fromIterable([1]).shuffle(0)).toThrow(ArgumentError);
  });
});

describe('Dataset.batch', () => {
  const sample = (i: number, label: number | Tensor): Sample => ({ xs: new Tensor(Float32Array.of(i, -i), [2]), ys: label });

  it('stacks samples; class-index labels become an Int32Array', async () => {
    const ds = Dataset.fromIterable([0, 1, 2, 3, 4].map((i) => sample(i, i % 2))).batch(2);
    const batches = await ds.toArray();
    expect(batches.map((b) => b.xs.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(Array.from(batches[1]!.xs.data)).toEqual([2, -2, 3, -3]);
    expect(batches[1]!.ys).toBeInstanceOf(Int32Array);
    expect(Array.from(batches[1]!.ys as Int32Array)).toEqual([0, 1]);
    const dropped = await Dataset.fromIterable([0, 1, 2, 3, 4].map((i) => sample(i, i))).batch(2, { dropRemainder: true }).toArray();
    expect(dropped).toHaveLength(2);
  });

  it('stacks label tensors', async () => {
    const [b] = await Dataset.fromIterable([0, 1, 2].map((i) => sample(i, new Tensor(Float32Array.of(i, 1 - i), [2])))).batch(3).toArray();
    expect((b!.ys as Tensor).shape).toEqual([3, 2]);
    expect(Array.from((b!.ys as Tensor).data)).toEqual([0, 1, 1, 0, 2, -1]);
  });

  it('rejects samples of mixed shapes or label kinds', async () => {
    const mixed = Dataset.fromIterable([sample(0, 0), { xs: new Tensor(new Float32Array(3), [3]), ys: 1 }]).batch(2);
    await expect(mixed.toArray()).rejects.toThrow(ShapeError);
    const labels = Dataset.fromIterable([sample(0, 0), sample(1, new Tensor(new Float32Array(1), [1]))]).batch(2);
    await expect(labels.toArray()).rejects.toThrow(ArgumentError);
    const fractional = Dataset.fromIterable([sample(0, 0.5)]).batch(1);
    await expect(fractional.toArray()).rejects.toThrow(/integers/);
    expect(() => Dataset.fromIterable([sample(0, 0)]).batch(0)).toThrow(ArgumentError);
  });
});
