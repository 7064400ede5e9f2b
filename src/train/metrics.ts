/**
 * Metrics: stateful accumulators over an epoch (update per batch, result at the end), Keras
 * named: accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy,
 * topKCategoricalAccuracy, precision, recall, f1, mse, mae; and confusionMatrix.
 *
 * Metrics read the tensors' data directly (no graph, no tensor ops): an update costs a pass over
 * the batch's numbers and keeps only counts, so a result over many batches equals the result over
 * one batch holding them all.
 */
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { type Labels, canonicalLossName } from '../losses.js';
import { Tensor } from '../tensor.js';

export interface Metric {
  /** Key in logs and history ('accuracy', 'precision', ...). */
  readonly name: string;
  /** Adds one batch. */
  update(yTrue: Labels, yPred: Tensor): void;
  /** Value over everything since reset(). */
  result(): number;
  reset(): void;
}

export type MetricSpec = string | Metric;

/** Options of the thresholded metrics (binary accuracy, precision, recall, F1). */
export interface ThresholdOptions {
  /** Key in logs (default the metric's Keras name). */
  name?: string;
  /** A prediction above it counts as positive (default 0.5). */
  threshold?: number;
}

/** Precision, recall and F1: binary (thresholded) or, with `classes`, macro over classes. */
export interface ClassMetricOptions extends ThresholdOptions {
  /**
   * Number of classes of a multiclass problem: predictions are the argmax of yPred [batch,
   * classes], labels class indices or one-hot rows, and the result is the macro average over
   * the classes seen so far (in labels or predictions; sklearn's default). Without it, yPred is
   * thresholded element-wise, unless the labels are class indices for a yPred with several
   * columns, which selects the multiclass form too.
   */
  classes?: number;
}

// ---------------------------------------------------------------------------------------------
// Reading labels and predictions

function predOf(name: string, yPred: unknown): Tensor {
  if (!(yPred instanceof Tensor)) throw new ArgumentError(`dendrite.metrics.${name}: yPred must be a Tensor, got ${describe(yPred)}`);
  return yPred;
}

/** Rows and columns of yPred: the last axis is the class axis; rank ≤ 1 is one column. */
function rowsCols(p: Tensor): [number, number] {
  if (p.rank <= 1) return [p.size, 1];
  const cols = p.shape[p.rank - 1]!;
  return [cols === 0 ? 0 : p.size / cols, cols];
}

function labelsData(name: string, yTrue: unknown): Float32Array | Int32Array {
  if (yTrue instanceof Tensor) return yTrue.data;
  if (yTrue instanceof Int32Array) return yTrue;
  throw new ArgumentError(`dendrite.metrics.${name}: yTrue must be a Tensor or an Int32Array, got ${describe(yTrue)}`);
}

function shapeOf(y: Labels): readonly number[] {
  return y instanceof Tensor ? y.shape : [y.length];
}

/** Whether yTrue holds one class index per row of yPred. */
function isSparse(yTrue: Labels, rows: number, cols: number): boolean {
  const n = yTrue instanceof Tensor ? yTrue.size : yTrue.length;
  return n === rows && (cols > 1 || yTrue instanceof Int32Array);
}

/**
 * Index of the largest value in row r (the first on ties). Kept monomorphic on Float32Array (the
 * hot path over predictions); labels go through argmaxLabelRow.
 */
function argmaxRow(d: Float32Array, r: number, cols: number): number {
  const o = r * cols;
  let best = 0;
  let bv = d[o]!;
  for (let c = 1; c < cols; c++) {
    const v = d[o + c]!;
    if (v > bv) {
      bv = v;
      best = c;
    }
  }
  return best;
}

function argmaxLabelRow(d: Float32Array | Int32Array, r: number, cols: number): number {
  const o = r * cols;
  let best = 0;
  let bv = d[o]!;
  for (let c = 1; c < cols; c++) {
    const v = d[o + c]!;
    if (v > bv) {
      bv = v;
      best = c;
    }
  }
  return best;
}

/**
 * True classes, one per row: from class indices (Int32Array, or a tensor of integers) or from
 * one-hot rows (argmax). Checked against [0, cols).
 */
function trueClasses(name: string, yTrue: Labels, yPred: Tensor, rows: number, cols: number): Int32Array {
  const d = labelsData(name, yTrue);
  const out = new Int32Array(rows);
  if (d.length === rows) {
    for (let r = 0; r < rows; r++) {
      const v = d[r]!;
      if (!Number.isInteger(v) || v < 0 || v >= cols) {
        throw new ValueError(`dendrite.metrics.${name}: label ${v} at index ${r} is not a class index in [0, ${cols}) for yPred of shape ${fmtShape(yPred.shape)}`);
      }
      out[r] = v;
    }
  } else if (d.length === rows * cols) {
    for (let r = 0; r < rows; r++) out[r] = argmaxLabelRow(d, r, cols);
  } else {
    throw new ShapeError(
      `dendrite.metrics.${name}: yTrue of shape ${fmtShape(shapeOf(yTrue))} matches neither class indices nor one-hot rows for yPred of shape ${fmtShape(yPred.shape)}`,
    );
  }
  return out;
}

/**
 * yTrue's data with one value per element of yPred ([batch] and [batch, 1] are interchangeable);
 * `oneHot` only words the error for labels that must be one-hot rows.
 */
function elementwiseLabels(name: string, yTrue: Labels, yPred: Tensor, oneHot = false): Float32Array | Int32Array {
  const d = labelsData(name, yTrue);
  if (d.length !== yPred.size) {
    throw new ShapeError(`dendrite.metrics.${name}: ${oneHot ? 'one-hot ' : ''}yTrue of shape ${fmtShape(shapeOf(yTrue))} does not match yPred of shape ${fmtShape(yPred.shape)}`);
  }
  return d;
}

/** yTrue's data with one label per row of yPred. */
function rowLabels(name: string, yTrue: Labels, yPred: Tensor, rows: number): Float32Array | Int32Array {
  const d = labelsData(name, yTrue);
  if (d.length !== rows) {
    throw new ShapeError(`dendrite.metrics.${name}: ${d.length} labels for yPred of shape ${fmtShape(yPred.shape)} (${rows} rows)`);
  }
  return d;
}

function checkThreshold(name: string, t: unknown): number {
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new ArgumentError(`dendrite.metrics.${name}: threshold must be a finite number, got ${describe(t)}`);
  return t;
}

function checkCount(name: string, what: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ArgumentError(`dendrite.metrics.${name}: ${what} must be an integer ≥ ${min}, got ${describe(v)}`);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Accuracies

/** Fraction of correct counts; subclasses add to `correct` and `total`. */
abstract class CountMetric implements Metric {
  protected correct = 0;
  protected total = 0;
  constructor(readonly name: string) {}
  abstract update(yTrue: Labels, yPred: Tensor): void;
  result(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }
  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/** Element-wise: (yPred > threshold) equals yTrue (0/1). Keras' binary_accuracy. */
export class BinaryAccuracy extends CountMetric {
  readonly threshold: number;
  constructor(options: ThresholdOptions = {}) {
    super(options.name ?? 'binary_accuracy');
    this.threshold = checkThreshold('binaryAccuracy', options.threshold ?? 0.5);
  }
  update(yTrue: Labels, yPred: Tensor): void {
    const p = predOf(this.name, yPred).data;
    const t = elementwiseLabels(this.name, yTrue, yPred);
    const thr = this.threshold;
    let ok = 0;
    for (let i = 0; i < p.length; i++) if ((p[i]! > thr ? 1 : 0) === t[i]) ok++;
    this.correct += ok;
    this.total += p.length;
  }
}

/** argmax(yPred) equals argmax(yTrue) per row (one-hot labels). */
export class CategoricalAccuracy extends CountMetric {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'categorical_accuracy');
  }
  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    const t = elementwiseLabels(this.name, yTrue, yPred, true);
    const p = yPred.data;
    let ok = 0;
    for (let r = 0; r < rows; r++) if (argmaxRow(p, r, cols) === argmaxLabelRow(t, r, cols)) ok++;
    this.correct += ok;
    this.total += rows;
  }
}

/** argmax(yPred) equals the class index per row. */
export class SparseCategoricalAccuracy extends CountMetric {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'sparse_categorical_accuracy');
  }
  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    const t = rowLabels(this.name, yTrue, yPred, rows);
    const p = yPred.data;
    let ok = 0;
    // argmax(row) === label (first index on ties) without a full argmax: nothing before the
    // label may reach its score, nothing after may beat it. Mostly predictable branches.
    for (let r = 0; r < rows; r++) {
      const lab = t[r]!;
      if (!(lab >= 0 && lab < cols) || (lab | 0) !== lab) continue;
      const o = r * cols;
      const v = p[o + lab]!;
      if (v !== v) continue;
      let hit = true;
      for (let c = 0; c < lab; c++) if (p[o + c]! >= v) { hit = false; break; }
      if (hit) for (let c = lab + 1; c < cols; c++) if (p[o + c]! > v) { hit = false; break; }
      if (hit) ok++;
    }
    this.correct += ok;
    this.total += rows;
  }
}

/**
 * Whether the true class is among the k highest scores (ties at the boundary count as in, as
 * TensorFlow's in_top_k). Labels are class indices (sparse) or one-hot rows.
 */
abstract class TopK extends CountMetric {
  readonly k: number;
  constructor(name: string, k: number | undefined) {
    super(name);
    this.k = checkCount(name, 'k', k ?? 5, 1);
  }
  protected count(classes: Int32Array, yPred: Tensor, rows: number, cols: number): void {
    const p = yPred.data;
    let ok = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const v = p[o + classes[r]!]!;
      let above = 0;
      for (let c = 0; c < cols && above < this.k; c++) if (p[o + c]! > v) above++;
      if (above < this.k && !Number.isNaN(v)) ok++;
    }
    this.correct += ok;
    this.total += rows;
  }
}

/** Top-k accuracy with one-hot labels (k default 5). */
export class TopKCategoricalAccuracy extends TopK {
  constructor(options: { name?: string; k?: number } = {}) {
    super(options.name ?? 'top_k_categorical_accuracy', options.k);
  }
  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    const t = elementwiseLabels(this.name, yTrue, yPred, true);
    const cls = new Int32Array(rows);
    for (let r = 0; r < rows; r++) cls[r] = argmaxLabelRow(t, r, cols);
    this.count(cls, yPred, rows, cols);
  }
}

/** Top-k accuracy with class-index labels (k default 5). */
export class SparseTopKCategoricalAccuracy extends TopK {
  constructor(options: { name?: string; k?: number } = {}) {
    super(options.name ?? 'sparse_top_k_categorical_accuracy', options.k);
  }
  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    rowLabels(this.name, yTrue, yPred, rows);
    this.count(trueClasses(this.name, yTrue, yPred, rows, cols), yPred, rows, cols);
  }
}

/**
 * Keras' 'accuracy' when the loss does not say which one: binary for one output column, sparse
 * when the labels are class indices, categorical for one-hot labels; decided per batch.
 */
class Accuracy extends CountMetric {
  private readonly binary = new BinaryAccuracy();
  private readonly sparse = new SparseCategoricalAccuracy();
  private readonly categorical = new CategoricalAccuracy();
  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    const m = cols === 1 ? this.binary : isSparse(yTrue, rows, cols) ? this.sparse : this.categorical;
    m.reset();
    m.update(yTrue, yPred);
    const n = cols === 1 ? yPred.size : rows;
    this.correct += Math.round(m.result() * n);
    this.total += n;
  }
}

// ---------------------------------------------------------------------------------------------
// Precision, recall, F1

type Score = 'precision' | 'recall' | 'f1';

function score(kind: Score, tp: number, fp: number, fn: number): number {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  if (kind === 'precision') return p;
  if (kind === 'recall') return r;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/** Counts true/false positives and false negatives, binary or per class. */
abstract class ClassScore implements Metric {
  readonly name: string;
  readonly threshold: number;
  private classes: number | undefined;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  private perClass: Float64Array | null = null;

  constructor(private readonly kind: Score, options: ClassMetricOptions) {
    if (options === null || typeof options !== 'object') throw new ArgumentError(`dendrite.metrics.${kind}: options must be an object, got ${describe(options)}`);
    this.name = options.name ?? kind;
    this.threshold = checkThreshold(kind, options.threshold ?? 0.5);
    this.classes = options.classes === undefined ? undefined : checkCount(kind, 'classes', options.classes, 2);
  }

  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    if (this.classes !== undefined || (cols > 1 && isSparse(yTrue, rows, cols))) {
      this.updateMulticlass(yTrue, yPred, rows, cols);
      return;
    }
    const p = yPred.data;
    const t = elementwiseLabels(this.name, yTrue, yPred);
    const thr = this.threshold;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < p.length; i++) {
      const pos = p[i]! > thr;
      const real = t[i] !== 0;
      if (pos && real) tp++;
      else if (pos) fp++;
      else if (real) fn++;
    }
    this.tp += tp;
    this.fp += fp;
    this.fn += fn;
  }

  private updateMulticlass(yTrue: Labels, yPred: Tensor, rows: number, cols: number): void {
    const k = this.classes ?? cols;
    if (cols !== k) {
      throw new ShapeError(`dendrite.metrics.${this.name}: yPred of shape ${fmtShape(yPred.shape)} does not have ${k} classes in its last axis`);
    }
    this.classes = k;
    if (this.perClass === null || this.perClass.length !== 3 * k) this.perClass = new Float64Array(3 * k);
    const pc = this.perClass;
    const truth = trueClasses(this.name, yTrue, yPred, rows, cols);
    const p = yPred.data;
    for (let r = 0; r < rows; r++) {
      const pred = argmaxRow(p, r, cols);
      const t = truth[r]!;
      if (pred === t) pc[3 * t]!++;
      else {
        pc[3 * pred + 1]!++;
        pc[3 * t + 2]!++;
      }
    }
  }

  result(): number {
    const pc = this.perClass;
    if (pc === null) return score(this.kind, this.tp, this.fp, this.fn);
    let total = 0;
    let seen = 0;
    for (let c = 0; c < pc.length / 3; c++) {
      const tp = pc[3 * c]!;
      const fp = pc[3 * c + 1]!;
      const fn = pc[3 * c + 2]!;
      if (tp + fp + fn === 0) continue;
      seen++;
      total += score(this.kind, tp, fp, fn);
    }
    return seen === 0 ? 0 : total / seen;
  }

  reset(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
    if (this.perClass !== null) this.perClass.fill(0);
  }
}

/** tp / (tp + fp); binary (threshold) or macro over classes. */
export class Precision extends ClassScore {
  constructor(options: ClassMetricOptions = {}) {
    super('precision', options);
  }
}

/** tp / (tp + fn); binary (threshold) or macro over classes. */
export class Recall extends ClassScore {
  constructor(options: ClassMetricOptions = {}) {
    super('recall', options);
  }
}

/** Harmonic mean of precision and recall; binary (threshold) or macro over classes. */
export class F1Score extends ClassScore {
  constructor(options: ClassMetricOptions = {}) {
    super('f1', options);
  }
}

// ---------------------------------------------------------------------------------------------
// Regression

abstract class MeanError implements Metric {
  private total = 0;
  private count = 0;
  constructor(readonly name: string, private readonly squared: boolean) {}
  update(yTrue: Labels, yPred: Tensor): void {
    const p = predOf(this.name, yPred).data;
    const t = elementwiseLabels(this.name, yTrue, yPred);
    let s = 0;
    if (this.squared) {
      for (let i = 0; i < p.length; i++) {
        const e = p[i]! - t[i]!;
        s += e * e;
      }
    } else {
      for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - t[i]!);
    }
    this.total += s;
    this.count += p.length;
  }
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** Mean of (yPred − yTrue)² over every element seen. */
export class MeanSquaredError extends MeanError {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mean_squared_error', true);
  }
}

/** Mean of |yPred − yTrue| over every element seen. */
export class MeanAbsoluteError extends MeanError {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mean_absolute_error', false);
  }
}

// ---------------------------------------------------------------------------------------------
// Confusion matrix

/**
 * Counts (true class, predicted class) pairs. Predictions are the argmax of yPred [batch,
 * classes] (probabilities or logits alike), or, for two classes and one output column, yPred >
 * threshold. Labels are class indices or one-hot rows. As a Metric its result() is the accuracy.
 */
export class ConfusionMatrix implements Metric {
  readonly name: string;
  readonly numClasses: number;
  readonly threshold: number;
  private readonly counts: Float64Array;

  constructor(options: { numClasses: number; name?: string; threshold?: number }) {
    if (options === null || typeof options !== 'object') {
      throw new ArgumentError(`dendrite.metrics.confusionMatrix: options must be an object with numClasses, got ${describe(options)}`);
    }
    this.numClasses = checkCount('confusionMatrix', 'numClasses', options.numClasses, 1);
    this.name = options.name ?? 'confusion_matrix';
    this.threshold = checkThreshold('confusionMatrix', options.threshold ?? 0.5);
    this.counts = new Float64Array(this.numClasses * this.numClasses);
  }

  update(yTrue: Labels, yPred: Tensor): void {
    const [rows, cols] = rowsCols(predOf(this.name, yPred));
    const k = this.numClasses;
    const binary = cols === 1 && k === 2;
    if (!binary && cols !== k) {
      throw new ShapeError(`dendrite.metrics.${this.name}: yPred of shape ${fmtShape(yPred.shape)} does not have ${k} classes in its last axis`);
    }
    const truth = trueClasses(this.name, yTrue, yPred, rows, binary ? 2 : cols);
    const p = yPred.data;
    for (let r = 0; r < rows; r++) {
      const pred = binary ? (p[r]! > this.threshold ? 1 : 0) : argmaxRow(p, r, cols);
      this.counts[truth[r]! * k + pred]!++;
    }
  }

  /** Counts as rows of true classes, columns of predicted classes. */
  matrix(): number[][] {
    const k = this.numClasses;
    const out: number[][] = [];
    for (let i = 0; i < k; i++) out.push([...this.counts.subarray(i * k, (i + 1) * k)]);
    return out;
  }

  /** Accuracy: the diagonal over the total. */
  result(): number {
    const k = this.numClasses;
    let diag = 0;
    let total = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) total += this.counts[i * k + j]!;
      diag += this.counts[i * k + i]!;
    }
    return total === 0 ? 0 : diag / total;
  }

  reset(): void {
    this.counts.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Factories (tfjs style) and lookup

/** Element-wise thresholded accuracy. */
export function binaryAccuracy(options?: ThresholdOptions): BinaryAccuracy { return new BinaryAccuracy(options); }
/** Accuracy of argmax against one-hot labels. */
export function categoricalAccuracy(options?: { name?: string }): CategoricalAccuracy { return new CategoricalAccuracy(options); }
/** Accuracy of argmax against class indices. */
export function sparseCategoricalAccuracy(options?: { name?: string }): SparseCategoricalAccuracy { return new SparseCategoricalAccuracy(options); }
/** Top-k accuracy, one-hot labels. */
export function topKCategoricalAccuracy(options?: { name?: string; k?: number }): TopKCategoricalAccuracy { return new TopKCategoricalAccuracy(options); }
/** Top-k accuracy, class-index labels. */
export function sparseTopKCategoricalAccuracy(options?: { name?: string; k?: number }): SparseTopKCategoricalAccuracy { return new SparseTopKCategoricalAccuracy(options); }
/** Precision. */
export function precision(options?: ClassMetricOptions): Precision { return new Precision(options); }
/** Recall. */
export function recall(options?: ClassMetricOptions): Recall { return new Recall(options); }
/** F1 score. */
export function f1(options?: ClassMetricOptions): F1Score { return new F1Score(options); }
/** Mean squared error metric. */
export function meanSquaredError(options?: { name?: string }): MeanSquaredError { return new MeanSquaredError(options); }
/** Mean absolute error metric. */
export function meanAbsoluteError(options?: { name?: string }): MeanAbsoluteError { return new MeanAbsoluteError(options); }
/** Confusion matrix over `numClasses` classes. */
export function confusionMatrix(options: { numClasses: number; name?: string; threshold?: number }): ConfusionMatrix { return new ConfusionMatrix(options); }

const BY_NAME: Readonly<Record<string, (name: string) => Metric>> = {
  binaryaccuracy: (name) => new BinaryAccuracy({ name }),
  categoricalaccuracy: (name) => new CategoricalAccuracy({ name }),
  sparsecategoricalaccuracy: (name) => new SparseCategoricalAccuracy({ name }),
  topkcategoricalaccuracy: (name) => new TopKCategoricalAccuracy({ name }),
  sparsetopkcategoricalaccuracy: (name) => new SparseTopKCategoricalAccuracy({ name }),
  precision: (name) => new Precision({ name }),
  recall: (name) => new Recall({ name }),
  f1: (name) => new F1Score({ name }),
  f1score: (name) => new F1Score({ name }),
  meansquarederror: (name) => new MeanSquaredError({ name }),
  mse: (name) => new MeanSquaredError({ name }),
  meanabsoluteerror: (name) => new MeanAbsoluteError({ name }),
  mae: (name) => new MeanAbsoluteError({ name }),
};

function isMetric(v: unknown): v is Metric {
  if (v === null || typeof v !== 'object') return false;
  const m = v as Record<string, unknown>;
  return typeof m.name === 'string' && typeof m.update === 'function' && typeof m.result === 'function' && typeof m.reset === 'function';
}

/**
 * Resolves a metric. 'accuracy'/'acc' picks binary, categorical or sparse categorical accuracy
 * from the loss name, as Keras does.
 */
export function getMetric(spec: MetricSpec, lossName?: string): Metric {
  if (isMetric(spec)) return spec;
  if (typeof spec !== 'string') throw new ArgumentError(`dendrite.getMetric: expected a metric name or object, got ${describe(spec)}`);
  const key = spec.replace(/_/g, '').toLowerCase();
  if (key === 'accuracy' || key === 'acc') {
    const loss = typeof lossName === 'string' ? canonicalLossName(lossName) : null;
    if (loss === 'binaryCrossentropy') return new BinaryAccuracy({ name: spec });
    if (loss === 'sparseCategoricalCrossentropy') return new SparseCategoricalAccuracy({ name: spec });
    if (loss === 'categoricalCrossentropy') return new CategoricalAccuracy({ name: spec });
    return new Accuracy(spec);
  }
  const make = Object.prototype.hasOwnProperty.call(BY_NAME, key) ? BY_NAME[key] : undefined;
  if (make === undefined) {
    throw new ArgumentError(
      `dendrite.getMetric: unknown metric '${spec}'; expected one of accuracy, acc, binaryAccuracy, categoricalAccuracy, ` +
        `sparseCategoricalAccuracy, topKCategoricalAccuracy, sparseTopKCategoricalAccuracy, precision, recall, f1, mse, mae ` +
        `(or their snake_case names)`,
    );
  }
  return make(spec);
}
