/**
 * Datasets for data that does not fit in memory (or is produced on the fly): a Dataset is a
 * re-iterable async stream. Every `for await` starts over from its source, which is what fit()
 * needs to run several epochs. Build one from tensors, an iterable or a generator function;
 * chain `map`, `filter`, `shuffle`, `batch` and `take`; pass it to `model.fit(dataset, args)`.
 *
 * Samples are `{ xs, ys }` with one sample's tensor (no batch dimension) and a label (a class
 * index or a tensor); `batch(n)` stacks them into the `{ xs, ys }` batches fit() takes.
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import type { Labels } from '../losses.js';
import { type Random, globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Batch } from '../train/model.js';

/** One sample: inputs without the batch dimension, and a class index or a label tensor. */
export interface Sample {
  readonly xs: Tensor;
  readonly ys: Tensor | number;
}

type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`dendrite.Dataset.${op}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/**
 * A re-iterable async sequence of elements. Each iteration calls the source factory again, so a
 * dataset built from a generator function or from tensors yields its elements every epoch.
 */
export class Dataset<T> implements AsyncIterable<T> {
  /** `open` starts a fresh pass over the data. */
  constructor(private readonly open: () => AnyIterator<T>) {
    if (typeof open !== 'function') throw new ArgumentError(`dendrite.Dataset: expected a function that opens an iterator, got ${describe(open)}`);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this.open();
    try {
      for (;;) {
        let r = it.next();
        if (isThenable(r)) r = await r;
        if (r.done === true) return;
        yield r.value;
      }
    } finally {
      // Let a generator source run its own cleanup when a consumer stops early (take, break).
      const ret = it.return?.();
      if (isThenable(ret)) await ret;
    }
  }

  /** Applies `fn` to every element (fn may be async). */
  map<U>(fn: (value: T, index: number) => U | Promise<U>): Dataset<U> {
    if (typeof fn !== 'function') throw new ArgumentError(`dendrite.Dataset.map: expected a function, got ${describe(fn)}`);
    const self = this;
    return new Dataset<U>(async function* () {
      let i = 0;
      for await (const v of self) yield await fn(v, i++);
    });
  }

  /** Keeps the elements for which `fn` is true. */
  filter(fn: (value: T, index: number) => boolean | Promise<boolean>): Dataset<T> {
    if (typeof fn !== 'function') throw new ArgumentError(`dendrite.Dataset.filter: expected a function, got ${describe(fn)}`);
    const self = this;
    return new Dataset<T>(async function* () {
      let i = 0;
      for await (const v of self) if (await fn(v, i++)) yield v;
    });
  }

  /** The first `n` elements of each pass. */
  take(n: number): Dataset<T> {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ArgumentError(`dendrite.Dataset.take: n must be a non-negative integer, got ${describe(n)}`);
    }
    const self = this;
    return new Dataset<T>(async function* () {
      if (n === 0) return;
      let i = 0;
      for await (const v of self) {
        yield v;
        if (++i >= n) return;
      }
    });
  }

  /** Skips the first `n` elements of each pass. */
  skip(n: number): Dataset<T> {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ArgumentError(`dendrite.Dataset.skip: n must be a non-negative integer, got ${describe(n)}`);
    }
    const self = this;
    return new Dataset<T>(async function* () {
      let i = 0;
      for await (const v of self) if (i++ >= n) yield v;
    });
  }

  /**
   * Shuffles within a window of `bufferSize` elements (tf.data's shuffle): each pass draws a
   * different order from `rng` (default the global generator, so manualSeed fixes it). A
   * buffer as large as the dataset gives a uniform shuffle.
   */
  shuffle(bufferSize: number, rng: Random = globalRandom): Dataset<T> {
    const size = positiveInt('shuffle', 'bufferSize', bufferSize);
    const self = this;
    return new Dataset<T>(async function* () {
      const buf: T[] = [];
      for await (const v of self) {
        if (buf.length < size) {
          buf.push(v);
          continue;
        }
        const j = rng.int(size);
        const out = buf[j]!;
        buf[j] = v;
        yield out;
      }
      rng.shuffle(buf);
      yield* buf;
    });
  }

  /**
   * Groups samples into batches of `size` ({ xs: [size, ...], ys }); the last batch is smaller
   * unless `dropRemainder`. Labels that are numbers become an Int32Array of class indices;
   * label tensors are stacked.
   */
  batch(this: Dataset<Sample>, size: number, options: { dropRemainder?: boolean } = {}): Dataset<Batch> {
    const n = positiveInt('batch', 'size', size);
    const self = this;
    return new Dataset<Batch>(async function* () {
      let pending: Sample[] = [];
      for await (const s of self) {
        pending.push(s);
        if (pending.length === n) {
          yield stackSamples(pending);
          pending = [];
        }
      }
      if (pending.length > 0 && options.dropRemainder !== true) yield stackSamples(pending);
    });
  }

  /** Every element of one pass, in order. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const v of this) out.push(v);
    return out;
  }

  /**
   * Batches of in-memory tensors: rows of x and y (a tensor or Int32Array of class indices),
   * `batchSize` at a time (default 32), reshuffled on every pass when `shuffle` is set. Each
   * batch is a fresh copy, so batches may be kept.
   */
  static fromTensors(
    x: Tensor, y: Labels, options: { batchSize?: number; shuffle?: boolean; rng?: Random } = {},
  ): Dataset<Batch> {
    if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.Dataset.fromTensors: x must be a Tensor, got ${describe(x)}`);
    if (!(y instanceof Tensor) && !(y instanceof Int32Array)) {
      throw new ArgumentError(`dendrite.Dataset.fromTensors: y must be a Tensor or an Int32Array, got ${describe(y)}`);
    }
    if (x.rank === 0) throw new ShapeError(`dendrite.Dataset.fromTensors: x needs a batch dimension, got ${fmtShape(x.shape)}`);
    const n = x.shape[0]!;
    const yRows = y instanceof Int32Array ? y.length : y.rank === 0 ? -1 : y.shape[0]!;
    if (yRows !== n) {
      throw new ShapeError(
        `dendrite.Dataset.fromTensors: x has ${n} samples (${fmtShape(x.shape)}) but y has ${y instanceof Int32Array ? `${y.length} (Int32Array)` : `shape ${fmtShape(y.shape)}`}`,
      );
    }
    const batchSize = options.batchSize === undefined ? 32 : positiveInt('fromTensors', 'batchSize', options.batchSize);
    const shuffle = options.shuffle === true;
    const rng = options.rng ?? globalRandom;
    const xRow = n === 0 ? 0 : x.size / n;
    const yRow = y instanceof Int32Array || n === 0 ? 1 : y.size / n;
    return new Dataset<Batch>(function* () {
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      if (shuffle) rng.shuffle(order);
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        const xs = new Float32Array(count * xRow);
        for (let k = 0; k < count; k++) {
          const i = order[start + k]!;
          xs.set(x.data.subarray(i * xRow, (i + 1) * xRow), k * xRow);
        }
        let ys: Labels;
        if (y instanceof Int32Array) {
          const yb = new Int32Array(count);
          for (let k = 0; k < count; k++) yb[k] = y[order[start + k]!]!;
          ys = yb;
        } else {
          const yb = new Float32Array(count * yRow);
          for (let k = 0; k < count; k++) {
            const i = order[start + k]!;
            yb.set(y.data.subarray(i * yRow, (i + 1) * yRow), k * yRow);
          }
          ys = new Tensor(yb, [count, ...y.shape.slice(1)]);
        }
        yield { xs: new Tensor(xs, [count, ...x.shape.slice(1)]), ys };
      }
    });
  }

  /**
   * A dataset over an iterable or async iterable. Each pass asks it for a new iterator: arrays,
   * Sets and objects with their own [Symbol.asyncIterator]() start over; a generator object
   * yields only once (use fromGenerator with the generator function instead).
   */
  static fromIterable<T>(iterable: Iterable<T> | AsyncIterable<T>): Dataset<T> {
    const s = iterable as Partial<Iterable<T> & AsyncIterable<T>> | null;
    if (s !== null && typeof s === 'object' && typeof s[Symbol.asyncIterator] === 'function') {
      return new Dataset<T>(() => s[Symbol.asyncIterator]!());
    }
    if (s !== null && (typeof s === 'object' || typeof s === 'string') && typeof s[Symbol.iterator] === 'function') {
      return new Dataset<T>(() => s[Symbol.iterator]!());
    }
    throw new ArgumentError(`dendrite.Dataset.fromIterable: expected an iterable or async iterable, got ${describe(iterable)}`);
  }

  /** A dataset from a (sync or async) generator function, called anew for every pass. */
  static fromGenerator<T>(generator: () => Iterator<T> | AsyncIterator<T>): Dataset<T> {
    if (typeof generator !== 'function') {
      throw new ArgumentError(`dendrite.Dataset.fromGenerator: expected a generator function, got ${describe(generator)}`);
    }
    return new Dataset<T>(() => {
      const it = generator();
      if (it === null || typeof it !== 'object' || typeof (it as Iterator<T>).next !== 'function') {
        throw new ArgumentError(`dendrite.Dataset.fromGenerator: the function must return an iterator, got ${describe(it)}`);
      }
      return it;
    });
  }
}

/** Stacks samples into one batch; all inputs (and label tensors) must share a shape. */
function stackSamples(samples: readonly Sample[]): Batch {
  const first = samples[0]!;
  if (first === null || typeof first !== 'object' || !(first.xs instanceof Tensor)) {
    throw new ArgumentError(`dendrite.Dataset.batch: elements must be { xs: Tensor, ys: Tensor | number }, got ${describe(first)}`);
  }
  const n = samples.length;
  const xShape = first.xs.shape;
  const xRow = first.xs.size;
  const xs = new Float32Array(n * xRow);
  const numeric = typeof first.ys === 'number';
  const yShape = first.ys instanceof Tensor ? first.ys.shape : [];
  const yRow = first.ys instanceof Tensor ? first.ys.size : 1;
  const ysIdx = numeric ? new Int32Array(n) : null;
  const ysT = numeric ? null : new Float32Array(n * yRow);
  samples.forEach((s, k) => {
    if (s === null || typeof s !== 'object' || !(s.xs instanceof Tensor)) {
      throw new ArgumentError(`dendrite.Dataset.batch: elements must be { xs: Tensor, ys: Tensor | number }, got ${describe(s)}`);
    }
    if (s.xs.rank !== xShape.length || s.xs.shape.some((d, i) => d !== xShape[i])) {
      throw new ShapeError(`dendrite.Dataset.batch: sample ${k} has xs of shape ${fmtShape(s.xs.shape)}, the first has ${fmtShape(xShape)}`);
    }
    xs.set(s.xs.data, k * xRow);
    if (ysIdx !== null) {
      if (typeof s.ys !== 'number' || !Number.isInteger(s.ys)) {
        throw new ArgumentError(`dendrite.Dataset.batch: sample ${k} has label ${describe(s.ys)}; the first was a class index, so all must be integers`);
      }
      ysIdx[k] = s.ys;
    } else {
      if (!(s.ys instanceof Tensor)) throw new ArgumentError(`dendrite.Dataset.batch: sample ${k} has label ${describe(s.ys)}; expected a Tensor like the first`);
      if (s.ys.rank !== yShape.length || s.ys.shape.some((d, i) => d !== yShape[i])) {
        throw new ShapeError(`dendrite.Dataset.batch: sample ${k} has ys of shape ${fmtShape(s.ys.shape)}, the first has ${fmtShape(yShape)}`);
      }
      ysT!.set(s.ys.data, k * yRow);
    }
  });
  return {
    xs: new Tensor(xs, [n, ...xShape]),
    ys: ysIdx ?? new Tensor(ysT!, [n, ...yShape]),
  };
}

/** Batches of in-memory tensors (Dataset.fromTensors). */
export function fromTensors(x: Tensor, y: Labels, options?: { batchSize?: number; shuffle?: boolean; rng?: Random }): Dataset<Batch> {
  return Dataset.fromTensors(x, y, options);
}

/** A dataset over an async (or sync) iterable (Dataset.fromIterable). */
export function fromAsyncIterable<T>(iterable: AsyncIterable<T> | Iterable<T>): Dataset<T> {
  return Dataset.fromIterable(iterable);
}

/** A dataset from a generator function, restarted every pass (Dataset.fromGenerator). */
export function fromGenerator<T>(generator: () => Iterator<T> | AsyncIterator<T>): Dataset<T> {
  return Dataset.fromGenerator(generator);
}
