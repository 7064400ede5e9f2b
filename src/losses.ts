/**
 * Losses, Keras-named (camelCase and snake_case): meanSquaredError, meanAbsoluteError, huber,
 * binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, kld,
 * cosineSimilarity. Each returns a rank-0 tensor (reduction 'mean' or 'sum') or per-sample
 * losses ('none'), differentiable with respect to yPred.
 *
 * Every loss is both a function and a factory, as in Keras:
 * `meanSquaredError(yTrue, yPred, options?)` computes, `sparseCategoricalCrossentropy({ fromLogits:
 * true })` returns a configured LossFunction. The last axis is the feature (class) axis: per-sample
 * losses have yPred's shape without it, and a rank-1 yPred is read as [batch, 1] (one value per
 * sample). Reduction 'mean' is Keras' sum-over-batch-size: Σ w·l / (number of per-sample losses).
 */
import { isGradEnabled, record } from './autograd.js';
import { getBackend } from './backend/index.js';
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from './errors.js';
import { softmaxInputs } from './ops/activation.js';
import { abs, add, clamp, div, log, maximum, minimum, mul, neg, sqrt, square, sub } from './ops/elementwise.js';
import { mean, sum } from './ops/reduce.js';
import { reshape } from './ops/shape.js';
import { Tensor } from './tensor.js';

/** Labels: a tensor, or class indices as an Int32Array (sparse losses). */
export type Labels = Tensor | Int32Array;

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
  /** Per-sample weights [batch]. */
  sampleWeight?: Tensor | Float32Array | null;
}

/** A loss: (yTrue, yPred, options) → loss tensor. */
export type LossFunction = (yTrue: Labels, yPred: Tensor, options?: LossOptions) => Tensor;

export type LossSpec = string | LossFunction;

/** Configuration of a loss made by a factory call (Keras' loss-class arguments). */
export interface LossConfig {
  /** Cross-entropies: yPred holds logits instead of probabilities (default false). */
  fromLogits?: boolean;
  /** Default reduction of the returned function (default 'mean'); a call's option wins. */
  reduction?: Reduction;
  /** Binary and categorical cross-entropy: z·(1 − s) + s/classes (0.5 for binary). Default 0. */
  labelSmoothing?: number;
  /** Huber: where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * A configured loss with the name getLoss and the training loop know it by, and (for the built-in
 * losses) the configuration it was made with, which saved models store.
 */
export type NamedLossFunction = LossFunction & { readonly lossName: string; readonly lossConfig?: Readonly<LossConfig> };

/** Keras' epsilon: probabilities are clipped to [EPSILON, 1 − EPSILON] before a log. */
export const EPSILON = 1e-7;

type Core = (name: string, yTrue: Labels, yPred: Tensor, config: LossConfig) => Tensor;

// ---------------------------------------------------------------------------------------------
// Argument handling

function predOf(name: string, yPred: unknown): Tensor {
  if (!(yPred instanceof Tensor)) throw new ArgumentError(`dendrite.${name}: yPred must be a Tensor, got ${describe(yPred)}`);
  if (yPred.rank === 0) throw new ShapeError(`dendrite.${name}: yPred must have a batch dimension, got a rank-0 tensor`);
  return yPred.rank === 1 ? reshape(yPred, [yPred.shape[0]!, 1]) : yPred;
}

function labelShape(yTrue: Labels): readonly number[] {
  return yTrue instanceof Tensor ? yTrue.shape : [yTrue.length];
}

/** yTrue as a tensor of yPred's shape (a trailing size-1 axis may be missing or extra). */
function denseLabels(name: string, yTrue: unknown, yPred: Tensor): Tensor {
  if (yTrue instanceof Int32Array) {
    if (yTrue.length !== yPred.size) {
      throw new ShapeError(`dendrite.${name}: yTrue of length ${yTrue.length} does not match yPred of shape ${fmtShape(yPred.shape)}`);
    }
    return new Tensor(Float32Array.from(yTrue), yPred.shape);
  }
  if (!(yTrue instanceof Tensor)) throw new ArgumentError(`dendrite.${name}: yTrue must be a Tensor or an Int32Array, got ${describe(yTrue)}`);
  if (sameShape(yTrue.shape, yPred.shape)) return yTrue;
  const a = stripOne(yTrue.shape);
  const b = stripOne(yPred.shape);
  if (yTrue.size === yPred.size && sameShape(a, b)) return reshape(yTrue, yPred.shape);
  throw new ShapeError(`dendrite.${name}: yTrue of shape ${fmtShape(yTrue.shape)} does not match yPred of shape ${fmtShape(yPred.shape)}`);
}

function stripOne(shape: readonly number[]): readonly number[] {
  return shape.length > 1 && shape[shape.length - 1] === 1 ? shape.slice(0, -1) : shape;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Class indices for sparse losses, checked against yPred [..., classes]: one integer in
 * [0, classes) per row. Accepts an Int32Array, or a tensor of yPred's batch shape (with or
 * without a trailing 1, or flat).
 */
function classIndices(name: string, yTrue: unknown, yPred: Tensor): Int32Array {
  const cols = yPred.shape[yPred.rank - 1]!;
  const batchShape = yPred.shape.slice(0, -1);
  const rows = cols === 0 ? batchShape.reduce((p, d) => p * d, 1) : yPred.size / cols;
  let idx: Int32Array;
  if (yTrue instanceof Int32Array) {
    if (yTrue.length !== rows) {
      throw new ShapeError(`dendrite.${name}: ${yTrue.length} labels for yPred of shape ${fmtShape(yPred.shape)} (${rows} rows)`);
    }
    idx = yTrue;
  } else if (yTrue instanceof Tensor) {
    const s = yTrue.shape;
    const ok = yTrue.size === rows &&
      (sameShape(s, batchShape) || sameShape(stripOne(s), batchShape) || s.length === 1 || (s.length === 2 && s[1] === 1));
    if (!ok) {
      throw new ShapeError(
        `dendrite.${name}: labels of shape ${fmtShape(s)} do not match yPred of shape ${fmtShape(yPred.shape)} (expected ${fmtShape(batchShape)})`,
      );
    }
    idx = new Int32Array(rows);
    const d = yTrue.data;
    for (let i = 0; i < rows; i++) {
      const v = d[i]!;
      if (!Number.isInteger(v)) throw new ValueError(`dendrite.${name}: label ${v} at index ${i} is not a class index (an integer)`);
      idx[i] = v;
    }
  } else {
    throw new ArgumentError(`dendrite.${name}: labels must be a Tensor or an Int32Array of class indices, got ${describe(yTrue)}`);
  }
  for (let i = 0; i < rows; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= cols) {
      throw new ValueError(`dendrite.${name}: label ${v} at index ${i} is outside [0, ${cols}) for yPred of shape ${fmtShape(yPred.shape)}`);
    }
  }
  return idx;
}

function checkConfig(name: string, config: unknown): LossConfig {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ArgumentError(`dendrite.${name}: options must be an object, got ${describe(config)}`);
  }
  const c = config as LossConfig;
  if (c.fromLogits !== undefined && typeof c.fromLogits !== 'boolean') {
    throw new ArgumentError(`dendrite.${name}: fromLogits must be a boolean, got ${describe(c.fromLogits)}`);
  }
  if (c.reduction !== undefined) checkReduction(name, c.reduction);
  if (c.labelSmoothing !== undefined && !(typeof c.labelSmoothing === 'number' && c.labelSmoothing >= 0 && c.labelSmoothing <= 1)) {
    throw new ValueError(`dendrite.${name}: labelSmoothing must be a number in [0, 1], got ${describe(c.labelSmoothing)}`);
  }
  if (c.delta !== undefined && !(typeof c.delta === 'number' && Number.isFinite(c.delta) && c.delta > 0)) {
    throw new ValueError(`dendrite.${name}: delta must be a positive number, got ${describe(c.delta)}`);
  }
  return c;
}

function checkReduction(name: string, r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ArgumentError(`dendrite.${name}: reduction must be 'mean', 'sum' or 'none', got ${describe(r)}`);
  }
  return r;
}

/** Applies sample weights and the reduction to per-sample losses. */
function reduceLoss(name: string, per: Tensor, options: LossOptions | undefined, config: LossConfig): Tensor {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ArgumentError(`dendrite.${name}: options must be an object, got ${describe(options)}`);
  }
  const reduction = checkReduction(name, options?.reduction ?? config.reduction ?? 'mean');
  let out = per;
  const sw = options?.sampleWeight;
  if (sw !== undefined && sw !== null) {
    let w: Tensor;
    if (sw instanceof Float32Array) w = new Tensor(sw, [sw.length]);
    else if (sw instanceof Tensor) w = sw;
    else throw new ArgumentError(`dendrite.${name}: sampleWeight must be a Tensor or a Float32Array, got ${describe(sw)}`);
    const batch = per.shape[0]!;
    if (sameShape(w.shape, per.shape)) {
      // elementwise
    } else if (w.size === batch && (w.rank === 1 || (w.rank === 2 && w.shape[1] === 1))) {
      w = reshape(w, [batch, ...per.shape.slice(1).map(() => 1)]);
    } else {
      throw new ShapeError(
        `dendrite.${name}: sampleWeight of shape ${fmtShape(w.shape)} does not match the per-sample losses ${fmtShape(per.shape)} (expected [${batch}])`,
      );
    }
    out = mul(out, w);
  }
  if (reduction === 'none') return out;
  if (reduction === 'sum') return sum(out);
  // Keras divides by the number of losses, not by Σw; an empty batch has loss 0, not NaN.
  return out.size === 0 ? sum(out) : mean(out);
}

/** The loss function and factory for one core. */
function makeLoss(canonical: string, core: Core) {
  function make(config: LossConfig): NamedLossFunction {
    const fn = (yTrue: Labels, yPred: Tensor, options?: LossOptions): Tensor => {
      const p = predOf(canonical, yPred);
      return reduceLoss(canonical, core(canonical, yTrue, p, config), options, config);
    };
    return Object.defineProperties(fn, {
      lossName: { value: canonical, enumerable: true },
      lossConfig: { value: Object.freeze({ ...config }), enumerable: true },
    }) as NamedLossFunction;
  }
  const defaults = make({});
  function loss(yTrue: Labels, yPred: Tensor, options?: LossOptions): Tensor;
  function loss(config?: LossConfig): NamedLossFunction;
  function loss(a?: Labels | LossConfig, b?: Tensor, c?: LossOptions): Tensor | NamedLossFunction {
    if (a instanceof Tensor || a instanceof Int32Array) return defaults(a, b as Tensor, c);
    return make({ ...checkConfig(canonical, a) });
  }
  Object.defineProperty(loss, 'lossName', { value: canonical, enumerable: true });
  return loss as typeof loss & { readonly lossName: string };
}

// ---------------------------------------------------------------------------------------------
// Element-wise pieces

function lastMean(x: Tensor): Tensor {
  return mean(x, -1);
}

/**
 * An element-wise loss as one autograd op: `f(p, z)` returns the loss and its derivative with
 * respect to p. Used where a composition of core ops would be unstable or slower.
 */
function pointwise(op: string, yPred: Tensor, target: Tensor, f: (p: number, z: number, out: Float64Array) => void): Tensor {
  const n = yPred.size;
  const loss = new Float32Array(n);
  const keep = isGradEnabled() && yPred.requiresGrad;
  const grad = keep ? new Float32Array(n) : null;
  const p = yPred.data;
  const z = target.data;
  const tmp = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    f(p[i]!, z[i]!, tmp);
    loss[i] = tmp[0]!;
    if (grad !== null) grad[i] = tmp[1]!;
  }
  return record(new Tensor(loss, yPred.shape), op, [yPred], (g) => {
    const dx = new Float32Array(n);
    for (let i = 0; i < n; i++) dx[i] = g.data[i]! * grad![i]!;
    return [new Tensor(dx, yPred.shape)];
  });
}

function smoothBinary(z: Tensor, s: number | undefined): Tensor {
  if (s === undefined || s === 0) return z;
  const d = new Float32Array(z.size);
  for (let i = 0; i < d.length; i++) d[i] = z.data[i]! * (1 - s) + 0.5 * s;
  return new Tensor(d, z.shape);
}

/**
 * Row-wise softmax cross-entropy of `logits` [..., classes] as one autograd op on the fused
 * backend kernel; its backward is (softmax − target)·g per row, stable for any logits. Returns
 * the per-row losses, shaped as logits without the last axis.
 */
function softmaxCrossEntropyOp(name: string, logits: Tensor, labels: Int32Array | null, target: Float32Array | null): Tensor {
  const cols = logits.shape[logits.rank - 1]!;
  const batchShape = logits.shape.slice(0, -1);
  const rows = batchShape.reduce((p, d) => p * d, 1);
  if (cols === 0 && rows > 0) throw new ShapeError(`dendrite.${name}: yPred of shape ${fmtShape(logits.shape)} has no classes`);
  const loss = new Float32Array(rows);
  const keep = isGradEnabled() && logits.requiresGrad;
  const grad = keep ? new Float32Array(logits.size) : null;
  if (rows > 0) getBackend().softmaxCrossEntropy(logits.data, rows, cols, labels, target, loss, grad);
  if (target !== null) fixUnnormalisedTargets(logits.data, rows, cols, target, loss, grad);
  return record(new Tensor(loss, batchShape), 'softmaxCrossEntropy', [logits], (g) => {
    const dx = new Float32Array(logits.size);
    const gr = grad!;
    for (let r = 0, k = 0; r < rows; r++) {
      const s = g.data[r]!;
      for (let c = 0; c < cols; c++, k++) dx[k] = gr[k]! * s;
    }
    return [new Tensor(dx, logits.shape)];
  });
}

/**
 * The kernel computes lse(x) − Σt·x, which is −Σt·log softmax(x) only when Σt = 1. For rows whose
 * targets sum to s ≠ 1, add (s − 1)·lse and make the gradient s·softmax − t, as Keras computes.
 */
function fixUnnormalisedTargets(
  x: Float32Array, rows: number, cols: number, t: Float32Array, loss: Float32Array, grad: Float32Array | null,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += t[o + c]!;
    if (Math.abs(s - 1) <= 1e-6) continue;
    let tx = 0;
    for (let c = 0; c < cols; c++) tx += t[o + c]! * x[o + c]!;
    const lse = loss[r]! + tx;
    loss[r] = loss[r]! + (s - 1) * lse;
    if (grad !== null) {
      for (let c = 0; c < cols; c++) {
        const k = o + c;
        grad[k] = (grad[k]! + t[k]!) * s - t[k]!;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The losses

/** Mean of (yPred − yTrue)² over the last axis. */
export const meanSquaredError = makeLoss('meanSquaredError', (name, yTrue, yPred) =>
  lastMean(square(sub(yPred, denseLabels(name, yTrue, yPred)))));

/** Mean of |yPred − yTrue| over the last axis. */
export const meanAbsoluteError = makeLoss('meanAbsoluteError', (name, yTrue, yPred) =>
  lastMean(abs(sub(yPred, denseLabels(name, yTrue, yPred)))));

/** Huber: ½e² where |e| ≤ delta, delta·(|e| − ½delta) beyond (delta default 1); mean over the last axis. */
export const huber = makeLoss('huber', (name, yTrue, yPred, config) => {
  const delta = config.delta ?? 1;
  const a = abs(sub(yPred, denseLabels(name, yTrue, yPred)));
  const q = minimum(a, delta);
  // ½q² + delta·(|e| − q) is both branches at once.
  return lastMean(add(mul(square(q), 0.5), mul(sub(a, q), delta)));
});

/**
 * Binary cross-entropy, mean over the last axis. From probabilities (default) they are clipped to
 * [1e-7, 1 − 1e-7] as Keras does; `fromLogits` uses the stable max(x, 0) − x·z + log(1 + e^−|x|).
 */
export const binaryCrossentropy = makeLoss('binaryCrossentropy', (name, yTrue, yPred, config) => {
  const z = smoothBinary(denseLabels(name, yTrue, yPred), config.labelSmoothing);
  if (config.fromLogits === true) {
    return lastMean(pointwise(name, yPred, z, (x, t, out) => {
      const e = Math.exp(-Math.abs(x));
      out[0] = Math.max(x, 0) - x * t + Math.log1p(e);
      // sigmoid(x) − z, from e = exp(−|x|) so it never overflows.
      out[1] = (x >= 0 ? 1 / (1 + e) : e / (1 + e)) - t;
    }));
  }
  const lo = EPSILON;
  const hi = 1 - EPSILON;
  return lastMean(pointwise(name, yPred, z, (p, t, out) => {
    const inside = p >= lo && p <= hi;
    const q = inside ? p : p < lo ? lo : hi;
    out[0] = -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
    // Clipped values pass no gradient, like Keras' clip.
    out[1] = inside ? -t / q + (1 - t) / (1 - q) : 0;
  }));
});

/**
 * Categorical cross-entropy −Σ yTrue·log p over the last axis. From logits, or from a tensor
 * softmax produced (its logits are used), it runs the fused stable kernel; from other
 * probabilities they are normalised and clipped to [1e-7, 1 − 1e-7], as Keras does.
 */
export const categoricalCrossentropy = makeLoss('categoricalCrossentropy', (name, yTrue, yPred, config) => {
  let z = denseLabels(name, yTrue, yPred);
  const s = config.labelSmoothing ?? 0;
  if (s > 0) {
    const k = yPred.shape[yPred.rank - 1]!;
    const d = new Float32Array(z.size);
    for (let i = 0; i < d.length; i++) d[i] = z.data[i]! * (1 - s) + s / k;
    z = new Tensor(d, z.shape);
  }
  const logits = config.fromLogits === true ? yPred : softmaxInputs.get(yPred);
  if (logits !== undefined) return softmaxCrossEntropyOp(name, logits, null, z.data);
  const p = clamp(div(yPred, sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(z, log(p)), -1));
});

/**
 * Sparse categorical cross-entropy: labels are class indices (Int32Array or integer-valued
 * tensor), one per row of yPred [..., classes]. From logits, or from a tensor softmax produced,
 * it is one fused op whose gradient is (softmax − onehot)·scale; from other probabilities, Keras'
 * normalise-clip-log path.
 */
export const sparseCategoricalCrossentropy = makeLoss('sparseCategoricalCrossentropy', (name, yTrue, yPred, config) => {
  const idx = classIndices(name, yTrue, yPred);
  const logits = config.fromLogits === true ? yPred : softmaxInputs.get(yPred);
  if (logits !== undefined) return softmaxCrossEntropyOp(name, logits, idx, null);
  const cols = yPred.shape[yPred.rank - 1]!;
  const onehot = new Float32Array(yPred.size);
  for (let r = 0; r < idx.length; r++) onehot[r * cols + idx[r]!] = 1;
  const p = clamp(div(yPred, sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(new Tensor(onehot, yPred.shape), log(p)), -1));
});

/** Kullback-Leibler divergence Σ z·log(z / p) over the last axis, both clipped to [1e-7, 1]. */
export const kullbackLeiblerDivergence = makeLoss('kullbackLeiblerDivergence', (name, yTrue, yPred) => {
  const z = clamp(denseLabels(name, yTrue, yPred), EPSILON, 1);
  const p = clamp(yPred, EPSILON, 1);
  return sum(mul(z, log(div(z, p))), -1);
});

/** Keras' short name for kullbackLeiblerDivergence. */
export const kld = kullbackLeiblerDivergence;

/** −cos(yTrue, yPred) along the last axis (Keras: −Σ l2normalize(z)·l2normalize(p)); −1 is best. */
export const cosineSimilarity = makeLoss('cosineSimilarity', (name, yTrue, yPred) => {
  const z = denseLabels(name, yTrue, yPred);
  return neg(sum(mul(l2Normalize(z), l2Normalize(yPred)), -1));
});

function l2Normalize(x: Tensor): Tensor {
  return div(x, sqrt(maximum(sum(square(x), -1, true), 1e-12)));
}

/** Short names, as Keras. */
export const mse = meanSquaredError;
export const mae = meanAbsoluteError;

// ---------------------------------------------------------------------------------------------
// Lookup by name

type AnyLoss = ReturnType<typeof makeLoss>;

const LOSSES: Readonly<Record<string, AnyLoss>> = {
  meansquarederror: meanSquaredError, mse: meanSquaredError,
  meanabsoluteerror: meanAbsoluteError, mae: meanAbsoluteError,
  huber: huber, huberloss: huber,
  binarycrossentropy: binaryCrossentropy,
  categoricalcrossentropy: categoricalCrossentropy,
  sparsecategoricalcrossentropy: sparseCategoricalCrossentropy,
  kullbackleiblerdivergence: kullbackLeiblerDivergence, kld: kullbackLeiblerDivergence, kldivergence: kullbackLeiblerDivergence,
  cosinesimilarity: cosineSimilarity,
};

const SPELLINGS = [
  'meanSquaredError', 'mean_squared_error', 'mse', 'meanAbsoluteError', 'mean_absolute_error', 'mae', 'huber',
  'binaryCrossentropy', 'binary_crossentropy', 'categoricalCrossentropy', 'categorical_crossentropy',
  'sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy', 'kullbackLeiblerDivergence',
  'kullback_leibler_divergence', 'kld', 'cosineSimilarity', 'cosine_similarity',
];

/** Canonical camelCase name of a loss name in any accepted spelling, or null. */
export function canonicalLossName(name: string): string | null {
  const f = LOSSES[name.replace(/_/g, '').toLowerCase()];
  return f === undefined ? null : f.lossName;
}

/**
 * A built-in loss by name (any accepted spelling) made with `config`: the inverse of a loss's
 * lossName and lossConfig, as saved models store them.
 */
export function lossFromConfig(name: string, config: LossConfig = {}): NamedLossFunction {
  const key = typeof name === 'string' ? name.replace(/_/g, '').toLowerCase() : '';
  const f = Object.prototype.hasOwnProperty.call(LOSSES, key) ? LOSSES[key] : undefined;
  if (f === undefined) throw new ArgumentError(`dendrite.lossFromConfig: unknown loss ${describe(name)}; expected one of ${SPELLINGS.join(', ')}`);
  return f(config);
}

/** Resolves a loss name or function; ArgumentError naming the valid names otherwise. */
export function getLoss(spec: LossSpec): LossFunction & { readonly lossName: string } {
  if (typeof spec === 'string') {
    const key = spec.replace(/_/g, '').toLowerCase();
    const f = Object.prototype.hasOwnProperty.call(LOSSES, key) ? LOSSES[key] : undefined;
    if (f === undefined) throw new ArgumentError(`dendrite.getLoss: unknown loss '${spec}'; expected one of ${SPELLINGS.join(', ')}`);
    return f();
  }
  if (typeof spec === 'function') {
    const named = (spec as { lossName?: unknown }).lossName;
    if (typeof named === 'string') return spec as NamedLossFunction;
    const fn: LossFunction = (yTrue, yPred, options) => spec(yTrue, yPred, options);
    return Object.defineProperty(fn, 'lossName', { value: spec.name !== '' ? spec.name : 'loss', enumerable: true }) as NamedLossFunction;
  }
  throw new ArgumentError(`dendrite.getLoss: expected a loss name or function, got ${describe(spec)}`);
}
