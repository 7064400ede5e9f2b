/**
 * The training loop behind Model.fit, evaluate and predict.
 *
 * In-memory data is fed through preallocated batch buffers: each epoch shuffles an index
 * permutation (global RNG, so manualSeed makes runs reproducible) and gathers the rows of x, the
 * labels and the sample weights into the same buffers every step; the batch tensors are made
 * once. A batch source (any iterable or async iterable of { xs, ys }) is pulled batch by batch.
 * The loop yields to the event loop every few milliseconds (each batch when batches are slow),
 * so timers and I/O keep running while a model trains.
 */
import { noGrad } from '../autograd.js';
import {
  type DistributedFit, anyRankStops, averageLogs, readDistributedOption, shardRange, startDistributedFit,
} from '../distributed/fit.js';
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import type { Labels } from '../losses.js';
import { globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import { CallbackList, ModelCheckpoint } from './callbacks.js';
import { HistoryCallback } from './history.js';
import type { Metric } from './metrics.js';
import type {
  Batch, BatchSource, Callback, CompiledState, EvaluateArgs, FitArgs, History, Logs, Model, PredictArgs,
} from './model.js';
import { ProgressLogger } from './progress.js';

/** Longest stretch of training between two yields to the event loop. */
const YIELD_INTERVAL_MS = 2;

/** Resolves on the event loop's check phase: due timers and I/O callbacks run first. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---- Checks ----------------------------------------------------------------------------------

/** @internal Labels: a tensor, or class indices as an Int32Array. */
export function isLabels(y: unknown): y is Labels {
  return y instanceof Tensor || y instanceof Int32Array;
}

/** @internal Number of samples in labels. */
export function labelRows(y: Labels): number {
  return y instanceof Int32Array ? y.length : y.shape[0]!;
}

function labelShape(y: Labels): string {
  return y instanceof Int32Array ? `Int32Array(${y.length})` : fmtShape(y.shape);
}

/** @internal Inputs and labels of one batch (or a data set) agree on the number of samples. */
export function checkBatch(who: string, x: unknown, y: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${who}: x must be a Tensor, got ${describe(x)}`);
  if (!isLabels(y)) throw new ArgumentError(`dendrite.${who}: labels must be a Tensor or an Int32Array, got ${describe(y)}`);
  if (x.rank === 0) throw new ShapeError(`dendrite.${who}: x must have a batch dimension, got shape ${fmtShape(x.shape)}`);
  if (y instanceof Tensor && y.rank === 0) throw new ShapeError(`dendrite.${who}: labels must have a batch dimension, got shape []`);
  if (labelRows(y) !== x.shape[0]) {
    throw new ShapeError(
      `dendrite.${who}: x has ${x.shape[0]} samples (shape ${fmtShape(x.shape)}) but the labels have ${labelRows(y)} (${labelShape(y)})`,
    );
  }
}

/** @internal Sample weights: one per sample. */
export function checkSampleWeight(who: string, sw: unknown, rows: number): void {
  if (!(sw instanceof Tensor) && !(sw instanceof Float32Array)) {
    throw new ArgumentError(`dendrite.${who}: sampleWeight must be a Tensor or a Float32Array, got ${describe(sw)}`);
  }
  const n = sw instanceof Tensor ? sw.size : sw.length;
  if (n !== rows || (sw instanceof Tensor && sw.rank !== 1)) {
    throw new ShapeError(
      `dendrite.${who}: sampleWeight must hold one weight per sample [${rows}], got ${sw instanceof Tensor ? fmtShape(sw.shape) : `Float32Array(${n})`}`,
    );
  }
}

function intArg(who: string, name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ArgumentError(`dendrite.${who}: ${name} must be an integer ≥ ${min}, got ${describe(v)}`);
  }
  return v;
}

function checkClassWeight(cw: unknown): ReadonlyMap<number, number> | null {
  if (cw === undefined || cw === null) return null;
  if (typeof cw !== 'object') throw new ArgumentError(`dendrite.fit: classWeight must be an object { classIndex: weight }, got ${describe(cw)}`);
  const out = new Map<number, number>();
  for (const [k, w] of Object.entries(cw)) {
    const c = Number(k);
    if (!Number.isInteger(c) || c < 0) throw new ArgumentError(`dendrite.fit: classWeight keys must be class indices, got '${k}'`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new ArgumentError(`dendrite.fit: classWeight[${k}] must be a finite non-negative number, got ${describe(w)}`);
    }
    out.set(c, w);
  }
  return out;
}

/** The class of sample i: the index itself, a scalar label, or the argmax of a one-hot row. */
function classOf(y: Labels, i: number, row: number): number {
  if (y instanceof Int32Array) return y[i]!;
  const d = y.data;
  if (row === 1) return Math.round(d[i]!);
  let best = 0;
  let bestV = d[i * row]!;
  for (let k = 1; k < row; k++) {
    const v = d[i * row + k]!;
    if (v > bestV) {
      bestV = v;
      best = k;
    }
  }
  return best;
}

/**
 * Per-sample loss weights from sampleWeight × classWeight (a class missing from classWeight
 * weighs 1), or null when neither is given.
 */
function combineWeights(y: Labels, rows: number, sw: Tensor | Float32Array | null, cw: ReadonlyMap<number, number> | null): Float32Array | null {
  if (sw === null && cw === null) return null;
  const out = new Float32Array(rows);
  if (sw !== null) out.set(sw instanceof Tensor ? sw.data : sw);
  else out.fill(1);
  if (cw !== null && rows > 0) {
    const row = y instanceof Int32Array ? 1 : y.size / rows;
    for (let i = 0; i < rows; i++) out[i]! *= cw.get(classOf(y, i, row)) ?? 1;
  }
  return out;
}

/** Rows [start, start + count) of a tensor, sharing its buffer. */
function rowsView(t: Tensor, start: number, count: number): Tensor {
  const n = t.shape[0]!;
  const row = n === 0 ? 0 : t.size / n;
  return new Tensor(t.data.subarray(start * row, (start + count) * row), [count, ...t.shape.slice(1)]);
}

function labelsView(y: Labels, start: number, count: number): Labels {
  return y instanceof Int32Array ? y.subarray(start, start + count) : rowsView(y, start, count);
}

// ---- Modes -----------------------------------------------------------------------------------

/**
 * @internal Puts the model and every submodule in training (or evaluation) mode and returns a function
 * that restores each module's own previous mode. Nothing changes when the model is already in
 * the wanted mode, so a user who froze a submodule in eval mode keeps it that way.
 */
export function enterMode(model: Model, training: boolean): () => void {
  if (model.training === training) return () => {};
  const modules = model.namedModules();
  const saved = modules.map(([, m]) => m.training);
  model.train(training);
  return () => modules.forEach(([, m], i) => {
    m.training = saved[i]!;
  });
}

/** @internal Runs fn with the model in training or evaluation mode, restoring the mode after. */
export function withMode<T>(model: Model, training: boolean, fn: () => T): T {
  if (model.training === training) return fn();
  const restore = enterMode(model, training);
  try {
    return fn();
  } finally {
    restore();
  }
}

// ---- Feeds: where batches come from ----------------------------------------------------------

/** One epoch's batches: next() loads the following batch into xs/ys/sw, false at the end. */
interface Feed {
  /** Batches per epoch when known. */
  readonly steps: number | null;
  xs: Tensor;
  ys: Labels;
  sw: Float32Array | null;
  size: number;
  startEpoch(shuffle: boolean, epoch: number): void;
  next(): boolean | Promise<boolean>;
}

/** An epoch's sample order chosen outside the feed (a DistributedSampler's shard). */
type EpochOrder = (epoch: number) => Int32Array;

/** In-memory rows gathered into reused buffers. */
class TensorFeed implements Feed {
  readonly steps: number;
  xs: Tensor;
  ys: Labels;
  sw: Float32Array | null;
  size = 0;
  private readonly perm: Int32Array;
  private step = 0;
  private shuffled = false;
  private readonly xRow: number;
  private readonly yRow: number;
  private readonly xFull: Tensor;
  private readonly xLast: Tensor;
  private readonly yFull: Labels;
  private readonly yLast: Labels;
  private readonly swFull: Float32Array | null;
  private readonly swLast: Float32Array | null;
  private readonly yBuf: Float32Array | Int32Array;

  /**
   * Trains on the first `rows` samples of x/y, or, given `order`, on the `rows` samples it
   * picks each epoch.
   */
  constructor(
    private readonly x: Tensor, private readonly y: Labels, private readonly rows: number,
    private readonly batchSize: number, private readonly weights: Float32Array | null,
    private readonly order: EpochOrder | null = null,
  ) {
    const n = x.shape[0]!;
    this.steps = Math.ceil(rows / batchSize);
    this.perm = new Int32Array(rows);
    for (let i = 0; i < rows; i++) this.perm[i] = i;
    this.xRow = n === 0 ? 0 : x.size / n;
    const full = Math.min(batchSize, rows);
    const last = rows % full || full;
    const xBuf = new Float32Array(full * this.xRow);
    const xRest = x.shape.slice(1);
    this.xFull = new Tensor(xBuf, [full, ...xRest]);
    this.xLast = new Tensor(xBuf.subarray(0, last * this.xRow), [last, ...xRest]);
    if (y instanceof Int32Array) {
      this.yRow = 1;
      const yBuf = new Int32Array(full);
      this.yBuf = yBuf;
      this.yFull = yBuf;
      this.yLast = yBuf.subarray(0, last);
    } else {
      this.yRow = n === 0 ? 0 : y.size / n;
      const yBuf = new Float32Array(full * this.yRow);
      this.yBuf = yBuf;
      const yRest = y.shape.slice(1);
      this.yFull = new Tensor(yBuf, [full, ...yRest]);
      this.yLast = new Tensor(yBuf.subarray(0, last * this.yRow), [last, ...yRest]);
    }
    this.swFull = weights === null ? null : new Float32Array(full);
    this.swLast = this.swFull === null ? null : this.swFull.subarray(0, last);
    this.xs = this.xFull;
    this.ys = this.yFull;
    this.sw = this.swFull;
  }

  startEpoch(shuffle: boolean, epoch: number): void {
    this.step = 0;
    if (this.order !== null) {
      this.perm.set(this.order(epoch));
      this.shuffled = true;
    } else if (shuffle) {
      globalRandom.shuffle(this.perm);
      this.shuffled = true;
    }
  }

  next(): boolean {
    const start = this.step * this.batchSize;
    if (start >= this.rows) return false;
    this.step++;
    const count = Math.min(this.batchSize, this.rows - start);
    const isFull = count === this.xFull.shape[0];
    this.xs = isFull ? this.xFull : this.xLast;
    this.ys = isFull ? this.yFull : this.yLast;
    this.sw = isFull ? this.swFull : this.swLast;
    this.size = count;
    const perm = this.perm;
    if (this.shuffled) {
      gatherRows(this.x.data, this.xRow, perm, start, count, this.xs.data);
      const ySrc = this.y instanceof Int32Array ? this.y : this.y.data;
      if (this.yRow === 1) {
        const yb = this.yBuf;
        for (let k = 0; k < count; k++) yb[k] = ySrc[perm[start + k]!]!;
      } else {
        gatherRows(ySrc as Float32Array, this.yRow, perm, start, count, this.yBuf as Float32Array);
      }
      const w = this.weights;
      const swb = this.sw;
      if (w !== null && swb !== null) for (let k = 0; k < count; k++) swb[k] = w[perm[start + k]!]!;
    } else {
      // In order: the batch is a view of consecutive rows, no copy.
      this.xs = rowsView(this.x, start, count);
      this.ys = labelsView(this.y, start, count);
      if (this.weights !== null) this.sw = this.weights.subarray(start, start + count);
    }
    return true;
  }
}

/** Copies rows perm[start..start+count) of src (row floats each) into dst, in order. */
function gatherRows(src: Float32Array, row: number, perm: Int32Array, start: number, count: number, dst: Float32Array): void {
  if (row >= 16) {
    for (let k = 0; k < count; k++) {
      const i = perm[start + k]! * row;
      dst.set(src.subarray(i, i + row), k * row);
    }
  } else {
    for (let k = 0; k < count; k++) {
      const i = perm[start + k]! * row;
      const o = k * row;
      for (let j = 0; j < row; j++) dst[o + j] = src[i + j]!;
    }
  }
}

type AnyIterator = Iterator<Batch> | AsyncIterator<Batch>;

function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<T>).then === 'function';
}

/** @internal Whether v can be iterated for batches. */
export function isBatchSource(v: unknown): v is BatchSource {
  return v !== null && typeof v === 'object' && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

/**
 * Batches pulled from an iterable. Without stepsPerEpoch each epoch iterates the source afresh
 * until it ends; with it, epochs take that many batches from one iterator, which is started
 * again once it runs out (the epoch that sees the end is shorter).
 */
class SourceFeed implements Feed {
  xs!: Tensor;
  ys!: Labels;
  sw: Float32Array | null = null;
  size = 0;
  private it: AnyIterator | null = null;
  private count = 0;
  private epochIndex = 0;

  constructor(
    private readonly who: string, private readonly source: BatchSource, readonly steps: number | null,
    private readonly classWeight: ReadonlyMap<number, number> | null,
  ) {}

  startEpoch(): void {
    this.count = 0;
    this.epochIndex++;
    if (this.steps === null || this.it === null) this.it = openIterator(this.source);
  }

  next(): boolean | Promise<boolean> {
    if (this.it === null || (this.steps !== null && this.count >= this.steps)) return false;
    const r = this.it.next();
    return isThenable<IteratorResult<Batch>>(r) ? Promise.resolve(r).then((res) => this.accept(res)) : this.accept(r);
  }

  private accept(r: IteratorResult<Batch>): boolean {
    if (r.done === true) {
      this.it = null;
      if (this.count === 0) {
        throw new ValueError(
          `dendrite.${this.who}: the batch source gave no batches in pass ${this.epochIndex}; a generator object can be iterated only once, so pass an iterable that starts over (e.g. a Dataset or an object with [Symbol.asyncIterator]())`,
        );
      }
      return false;
    }
    const b: unknown = r.value;
    if (b === null || typeof b !== 'object') {
      throw new ArgumentError(`dendrite.${this.who}: each batch must be { xs, ys }, got ${describe(b)}`);
    }
    const { xs, ys } = b as Batch;
    checkBatch(`${this.who} (batch ${this.count})`, xs, ys);
    this.xs = xs;
    this.ys = ys;
    this.size = xs.shape[0]!;
    this.sw = combineWeights(ys, this.size, null, this.classWeight);
    this.count++;
    return true;
  }
}

function openIterator(source: BatchSource): AnyIterator {
  const s = source as Partial<AsyncIterable<Batch> & Iterable<Batch>>;
  if (typeof s[Symbol.asyncIterator] === 'function') return s[Symbol.asyncIterator]!();
  return s[Symbol.iterator]!();
}

// ---- Logs ------------------------------------------------------------------------------------

/** Running sums of an epoch: loss weighted by batch size, as Keras averages it. */
class EpochAccumulator {
  lossSum = 0;
  seen = 0;

  constructor(private readonly metrics: readonly Metric[]) {}

  reset(): void {
    this.lossSum = 0;
    this.seen = 0;
    for (const m of this.metrics) m.reset();
  }

  add(loss: number, size: number): void {
    this.lossSum += loss * size;
    this.seen += size;
  }

  /** { loss, metric... } (keys prefixed, e.g. 'val_'), written into `into`. */
  logs(prefix = '', into: Logs = {}): Logs {
    into[`${prefix}loss`] = this.seen === 0 ? Number.NaN : this.lossSum / this.seen;
    for (const m of this.metrics) into[prefix + m.name] = m.result();
    return into;
  }
}

// ---- fit -------------------------------------------------------------------------------------

type Data = { x: Tensor; y: Labels } | { source: BatchSource };

/** Validation data as prepared once per fit. */
type Validation = { x: Tensor; y: Labels; sw: Float32Array | Tensor | null } | { source: BatchSource } | null;

function parseValidation(v: FitArgs['validationData']): Validation {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) {
    const [vx, vy, vsw] = v as unknown[];
    checkBatch('fit (validationData)', vx, vy);
    if (vsw !== undefined) checkSampleWeight('fit (validationData)', vsw, vx.shape[0]!);
    return { x: vx, y: vy as Labels, sw: (vsw as Float32Array | Tensor | undefined) ?? null };
  }
  if (isBatchSource(v)) return { source: v };
  throw new ArgumentError(`dendrite.fit: validationData must be [x, y] or an iterable of { xs, ys }, got ${describe(v)}`);
}

/** @internal Model.fit. */
export async function runFit(model: Model, data: Data, args: FitArgs): Promise<History> {
  if (args === null || typeof args !== 'object') throw new ArgumentError(`dendrite.fit: args must be an object, got ${describe(args)}`);
  const compiled = model.requireCompiled('fit');
  if (model.fitting) throw new ArgumentError('dendrite.fit: this model is already training (an earlier fit() has not finished)');
  const epochs = intArg('fit', 'epochs', args.epochs, 1, 0);
  const batchSize = intArg('fit', 'batchSize', args.batchSize, 32, 1);
  const initialEpoch = intArg('fit', 'initialEpoch', args.initialEpoch, 0, 0);
  const stepsPerEpoch = args.stepsPerEpoch === undefined ? null : intArg('fit', 'stepsPerEpoch', args.stepsPerEpoch, 0, 1);
  const shuffle = args.shuffle !== false;
  const verbose = args.verbose ?? 1;
  const classWeight = checkClassWeight(args.classWeight);
  const signal = args.signal ?? null;
  if (signal !== null && !(signal instanceof AbortSignal)) throw new ArgumentError(`dendrite.fit: signal must be an AbortSignal, got ${describe(signal)}`);
  const aborted = (): boolean => signal !== null && signal.aborted;
  const validationBatchSize = intArg('fit', 'validationBatchSize', args.validationBatchSize, batchSize, 1);
  const distributedOptions = readDistributedOption(args.distributed);
  let dist: DistributedFit | null = null;

  let feed: Feed;
  let validation = parseValidation(args.validationData);
  if ('x' in data) {
    const { x, y } = data;
    checkBatch('fit', x, y);
    const n = x.shape[0]!;
    const sw = args.sampleWeight ?? null;
    if (sw !== null) checkSampleWeight('fit', sw, n);
    const split = args.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) {
      throw new ArgumentError(`dendrite.fit: validationSplit must be a number in [0, 1), got ${describe(split)}`);
    }
    // Keras: the last samples, before shuffling; validationData wins when both are given.
    const trainRows = validation === null && split > 0 ? Math.floor(n * (1 - split)) : n;
    if (trainRows === 0) {
      throw new ValueError(`dendrite.fit: no training samples (x has shape ${fmtShape(x.shape)}${split > 0 ? `, validationSplit ${split}` : ''})`);
    }
    if (validation === null && trainRows < n) {
      const swAll = sw instanceof Tensor ? sw.data : sw;
      validation = {
        x: rowsView(x, trainRows, n - trainRows),
        y: labelsView(y, trainRows, n - trainRows),
        sw: swAll === null ? null : swAll.subarray(trainRows, n),
      };
    }
    const weights = combineWeights(y, n, sw, classWeight);
    if (distributedOptions !== null) {
      // Weights exist before rank 0's are broadcast.
      if (!model.built) withMode(model, false, () => noGrad(() => model.forward(rowsView(x, 0, 1), { training: false })));
      dist = await startDistributedFit(model, distributedOptions, trainRows, shuffle);
      const sampler = dist.sampler;
      feed = new TensorFeed(x, y, sampler.numSamples, batchSize, weights, (e) => {
        sampler.setEpoch(e);
        return sampler.indices();
      });
      if (validation !== null && 'x' in validation) validation = validationShard(validation, dist);
    } else {
      feed = new TensorFeed(x, y, trainRows, batchSize, weights);
    }
  } else {
    if (distributedOptions !== null) {
      throw new ArgumentError('dendrite.fit: distributed training needs in-memory x/y (each rank trains on its shard); a batch source cannot be sharded, give fit(x, y, { distributed })');
    }
    if (!isBatchSource(data.source)) {
      throw new ArgumentError(`dendrite.fit: expected fit(x, y, args) or fit(source, args) with an iterable of { xs, ys }, got ${describe(data.source)}`);
    }
    if (args.sampleWeight !== undefined) throw new ArgumentError('dendrite.fit: sampleWeight applies to in-memory x/y, not to a batch source');
    if (args.validationSplit !== undefined && args.validationSplit !== 0) {
      throw new ArgumentError('dendrite.fit: validationSplit needs in-memory x/y; give a batch source validationData instead');
    }
    feed = new SourceFeed('fit', data.source, stepsPerEpoch, classWeight);
  }

  let user: readonly Callback[] = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks as Callback];
  // Distributed: rank 0 alone reports progress and writes checkpoints.
  if (dist !== null && dist.rank !== 0) user = user.filter((c) => !(c instanceof ModelCheckpoint));
  const progress = verbose === 0 || (dist !== null && dist.rank !== 0) ? null : new ProgressLogger({ verbose, epochs, steps: feed.steps, stream: args.progressStream });
  const history = new HistoryCallback();
  // Keras' order: progress first, History last (so it records what other callbacks add).
  const list = new CallbackList([...(progress === null ? [] : [progress]), ...user, history]);

  const acc = new EpochAccumulator(compiled.metrics);
  const runningLogs = (): Logs => acc.logs();
  model.history = history;
  model.stopTraining = false;
  model.fitting = true;
  const restoreMode = enterMode(model, true);
  let lastYield = performance.now();
  try {
    list.setModel(model);
    await list.trainBegin();
    let lastLogs: Logs = {};
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      if (aborted()) break;
      acc.reset();
      let r = list.epochBegin(epoch);
      if (r !== undefined) await r;
      feed.startEpoch(shuffle, epoch);
      let interrupted = false;
      for (let step = 0; ; step++) {
        if (aborted()) {
          interrupted = true;
          break;
        }
        let more = feed.next();
        if (typeof more !== 'boolean') more = await more;
        if (!more) break;
        const size = feed.size;
        if (list.hasBatchBegin) {
          r = list.batchBegin(step, { batch: step, size });
          if (r !== undefined) await r;
        }
        if (dist === null) {
          acc.add(model.trainBatch(feed.xs, feed.ys, feed.sw), size);
        } else {
          const out = model.backwardBatch(feed.xs, feed.ys, feed.sw);
          await dist.ddp.syncGradients();
          model.applyBatch(feed.ys, out);
          acc.add(model.lastLoss, size);
        }
        if (list.hasBatchEnd) {
          r = list.batchEnd(step, acc.logs('', { batch: step, size }));
          if (r !== undefined) await r;
        }
        if (progress !== null) progress.batch(step + 1, acc.seen, runningLogs);
        const now = performance.now();
        if (now - lastYield >= YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      if (interrupted) break;
      const logs = acc.logs();
      if (dist !== null) await averageLogs(dist.comm, logs, Object.keys(logs), acc.seen);
      if (validation !== null) {
        const restore = enterMode(model, false);
        try {
          const val = await evaluateCore(model, compiled, validation, validationBatchSize, 'fit (validation)');
          if (dist !== null) await averageLogs(dist.comm, val, Object.keys(val), validationRows(validation));
          for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
        } finally {
          restore();
        }
        lastYield = performance.now();
      }
      r = list.epochEnd(epoch, logs);
      if (r !== undefined) await r;
      lastLogs = logs;
      if (dist !== null) model.stopTraining = await anyRankStops(dist.comm, model.stopTraining);
      if (model.stopTraining) break;
    }
    const r = list.trainEnd(lastLogs);
    if (r !== undefined) await r;
  } finally {
    progress?.closeBar();
    restoreMode();
    model.fitting = false;
  }
  return history;
}

/** This rank's contiguous slice of in-memory validation data. */
function validationShard(v: { x: Tensor; y: Labels; sw: Float32Array | Tensor | null }, dist: DistributedFit): Validation {
  const { start, count } = shardRange(v.x.shape[0]!, dist.rank, dist.worldSize);
  const sw = v.sw instanceof Tensor ? v.sw.data : v.sw;
  return { x: rowsView(v.x, start, count), y: labelsView(v.y, start, count), sw: sw === null ? null : sw.subarray(start, start + count) };
}

/** Samples of validation data (a batch source counts 1: every rank evaluates all of it). */
function validationRows(v: NonNullable<Validation>): number {
  return 'x' in v ? v.x.shape[0]! : 1;
}

// ---- evaluate --------------------------------------------------------------------------------

/** Loss and metrics over `data` in the current mode; forward passes run without recording. */
async function evaluateCore(model: Model, compiled: CompiledState, data: NonNullable<Validation>, batchSize: number, who: string): Promise<Logs> {
  const acc = new EpochAccumulator(compiled.metrics);
  acc.reset();
  const options = { sampleWeight: null as Float32Array | Tensor | null };
  let xb: Tensor | null = null;
  const forward = (): Tensor => model.forward(xb!, { training: false });
  const step = (xs: Tensor, ys: Labels, sw: Float32Array | Tensor | null): void => {
    xb = xs;
    const out = noGrad(forward);
    options.sampleWeight = sw;
    const loss = noGrad(() => compiled.loss(ys, out, options));
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      throw new ShapeError(`dendrite.${who}: the loss must return one number, got ${loss instanceof Tensor ? fmtShape(loss.shape) : describe(loss)}`);
    }
    acc.add(loss.data[0]!, xs.shape[0]!);
    for (const m of compiled.metrics) m.update(ys, out);
  };
  let lastYield = performance.now();
  const maybeYield = async (): Promise<void> => {
    const now = performance.now();
    if (now - lastYield >= YIELD_INTERVAL_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  };
  if ('x' in data) {
    const { x, y, sw } = data;
    const n = x.shape[0]!;
    const swData = sw instanceof Tensor ? sw.data : sw;
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      step(rowsView(x, start, count), labelsView(y, start, count), swData === null ? null : swData.subarray(start, start + count));
      await maybeYield();
    }
  } else {
    const feed = new SourceFeed(who, data.source, null, null);
    feed.startEpoch();
    for (;;) {
      let more = feed.next();
      if (typeof more !== 'boolean') more = await more;
      if (!more) break;
      step(feed.xs, feed.ys, null);
      await maybeYield();
    }
  }
  return acc.logs();
}

/** @internal Model.evaluate. */
export async function runEvaluate(model: Model, data: Data, args: EvaluateArgs): Promise<Logs> {
  if (args === null || typeof args !== 'object') throw new ArgumentError(`dendrite.evaluate: args must be an object, got ${describe(args)}`);
  const compiled = model.requireCompiled('evaluate');
  const batchSize = intArg('evaluate', 'batchSize', args.batchSize, 32, 1);
  let prepared: NonNullable<Validation>;
  if ('x' in data) {
    checkBatch('evaluate', data.x, data.y);
    const sw = args.sampleWeight ?? null;
    if (sw !== null) checkSampleWeight('evaluate', sw, data.x.shape[0]!);
    prepared = { x: data.x, y: data.y, sw };
  } else {
    if (!isBatchSource(data.source)) {
      throw new ArgumentError(`dendrite.evaluate: expected evaluate(x, y, args) or evaluate(source, args), got ${describe(data.source)}`);
    }
    prepared = { source: data.source };
  }
  const restore = enterMode(model, false);
  try {
    return await evaluateCore(model, compiled, prepared, batchSize, 'evaluate');
  } finally {
    restore();
  }
}

// ---- predict ---------------------------------------------------------------------------------

/** @internal Model.predict: batches in evaluation mode, copied into one preallocated output. */
export function runPredict(model: Model, x: Tensor, args: PredictArgs): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.predict: x must be a Tensor, got ${describe(x)}`);
  if (x.rank === 0) throw new ShapeError(`dendrite.predict: x must have a batch dimension, got shape ${fmtShape(x.shape)}`);
  if (args === null || typeof args !== 'object') throw new ArgumentError(`dendrite.predict: args must be an object, got ${describe(args)}`);
  const batchSize = intArg('predict', 'batchSize', args.batchSize, 32, 1);
  const n = x.shape[0]!;
  return withMode(model, false, () => noGrad(() => {
    if (n <= batchSize) return model.forward(x, { training: false });
    let out: Float32Array | null = null;
    let outRest: readonly number[] = [];
    let row = 0;
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const y = model.forward(rowsView(x, start, count), { training: false });
      if (!(y instanceof Tensor) || y.rank === 0 || y.shape[0] !== count) {
        throw new ShapeError(
          `dendrite.predict: the model returned ${y instanceof Tensor ? fmtShape(y.shape) : describe(y)} for a batch of ${count}; expected a first dimension of ${count}`,
        );
      }
      if (out === null) {
        outRest = y.shape.slice(1);
        row = y.size / count;
        out = new Float32Array(n * row);
      } else if (y.size !== count * row || y.shape.slice(1).some((d, i) => d !== outRest[i])) {
        throw new ShapeError(`dendrite.predict: batch outputs differ in shape (${fmtShape(y.shape)} after [${count0(outRest)}])`);
      }
      out.set(y.data, start * row);
    }
    return new Tensor(out!, [n, ...outRest]);
  }));
}

function count0(rest: readonly number[]): string {
  return ['batch', ...rest].join(', ');
}
