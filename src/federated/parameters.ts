/**
 * Model parameters as plain data: a list of Float32Arrays, one per trainable parameter in
 * `module.parameters()` order (what federated clients and servers exchange), with helpers to read
 * them from a module, write them back, flatten them into one buffer and do the little vector
 * arithmetic aggregation needs.
 */
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';

/** One Float32Array per trainable parameter, in `module.parameters()` order. */
export type Weights = Float32Array[];

/** The shape of each parameter, in the same order. */
export type WeightShapes = ReadonlyArray<readonly number[]>;

function paramsOf(op: string, module: Module<unknown, unknown>): Tensor[] {
  if (module === null || typeof module !== 'object' || typeof (module as { parameters?: unknown }).parameters !== 'function') {
    throw new ArgumentError(`dendrite.${op}: expected a Module (e.g. a Sequential), got ${describe(module)}`);
  }
  return module.parameters();
}

/** Copies of the module's trainable parameters (changing them does not change the module). */
export function getWeights(module: Module<unknown, unknown>): Weights {
  return paramsOf('getWeights', module).map((p) => p.data.slice());
}

/** Each parameter's shape, in `parameters()` order. */
export function getWeightShapes(module: Module<unknown, unknown>): number[][] {
  return paramsOf('getWeightShapes', module).map((p) => [...p.shape]);
}

/**
 * Writes `weights` into the module's parameters in place (optimisers holding the tensors keep
 * working). ShapeError when the count or any length differs; nothing is written then.
 */
export function setWeights(module: Module<unknown, unknown>, weights: readonly Float32Array[]): void {
  const params = paramsOf('setWeights', module);
  if (!Array.isArray(weights) || weights.length !== params.length) {
    throw new ShapeError(
      `dendrite.setWeights: the module has ${params.length} parameters, got ${Array.isArray(weights) ? `${weights.length} arrays` : describe(weights)}`,
    );
  }
  for (let i = 0; i < params.length; i++) {
    const w = weights[i];
    if (!(w instanceof Float32Array) || w.length !== params[i]!.size) {
      throw new ShapeError(
        `dendrite.setWeights: parameter ${i} has shape ${fmtShape(params[i]!.shape)} (${params[i]!.size} values), got ${w instanceof Float32Array ? `${w.length} values` : describe(w)}`,
      );
    }
  }
  for (let i = 0; i < params.length; i++) params[i]!.data.set(weights[i]!);
}

/** Total number of values over all arrays. */
export function weightCount(weights: readonly Float32Array[]): number {
  let n = 0;
  for (const w of weights) n += w.length;
  return n;
}

/** Concatenates the arrays into one buffer. */
export function flattenWeights(weights: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(weightCount(weights));
  let o = 0;
  for (const w of weights) {
    out.set(w, o);
    o += w.length;
  }
  return out;
}

/** Splits a flat buffer into arrays of the given shapes (copies). ShapeError if the lengths differ. */
export function unflattenWeights(flat: Float32Array, shapes: WeightShapes): Weights {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!(flat instanceof Float32Array) || flat.length !== total) {
    throw new ShapeError(`dendrite.unflattenWeights: shapes ${shapes.map((s) => fmtShape(s)).join(' ')} hold ${total} values, got ${flat instanceof Float32Array ? flat.length : describe(flat)}`);
  }
  const out: Weights = [];
  let o = 0;
  for (const n of sizes) {
    out.push(flat.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Deep copy. */
export function cloneWeights(weights: readonly Float32Array[]): Weights {
  return weights.map((w) => w.slice());
}

/** Arrays of zeros shaped like `like`. */
export function zerosLikeWeights(like: readonly Float32Array[]): Weights {
  return like.map((w) => new Float32Array(w.length));
}

function checkSameLayout(op: string, a: readonly Float32Array[], b: readonly Float32Array[]): void {
  if (a.length !== b.length || a.some((w, i) => w.length !== b[i]!.length)) {
    throw new ShapeError(`dendrite.${op}: the two weight lists differ in layout (${a.map((w) => w.length).join(',')} vs ${b.map((w) => w.length).join(',')})`);
  }
}

/** a − b, element-wise (new arrays). */
export function subtractWeights(a: readonly Float32Array[], b: readonly Float32Array[]): Weights {
  checkSameLayout('subtractWeights', a, b);
  return a.map((w, i) => {
    const v = b[i]!;
    const out = new Float32Array(w.length);
    for (let j = 0; j < w.length; j++) out[j] = w[j]! - v[j]!;
    return out;
  });
}

/** a + scale·b, element-wise (new arrays). */
export function addScaledWeights(a: readonly Float32Array[], b: readonly Float32Array[], scale = 1): Weights {
  checkSameLayout('addScaledWeights', a, b);
  return a.map((w, i) => {
    const v = b[i]!;
    const out = new Float32Array(w.length);
    for (let j = 0; j < w.length; j++) out[j] = w[j]! + scale * v[j]!;
    return out;
  });
}

/** L2 norm over all arrays together (accumulated in float64). */
export function weightsNorm(weights: readonly Float32Array[]): number {
  let s = 0;
  for (const w of weights) for (let j = 0; j < w.length; j++) s += w[j]! * w[j]!;
  return Math.sqrt(s);
}

/** Squared L2 distance between two weight lists (float64). */
export function squaredDistance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  checkSameLayout('squaredDistance', a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    for (let j = 0; j < x.length; j++) {
      const d = x[j]! - y[j]!;
      s += d * d;
    }
  }
  return s;
}

/**
 * Scales `weights` in place so their joint L2 norm is at most `maxNorm`; returns the factor
 * applied (1 when already inside).
 */
export function clipWeightsNorm(weights: Float32Array[], maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new ValueError(`dendrite.clipWeightsNorm: maxNorm must be a positive finite number, got ${describe(maxNorm)}`);
  const norm = weightsNorm(weights);
  if (!(norm > maxNorm)) return 1;
  const f = maxNorm / norm;
  for (const w of weights) for (let j = 0; j < w.length; j++) w[j] = w[j]! * f;
  return f;
}

/**
 * Σ coef_i · list_i over weight lists of one layout, accumulated in float64 (new arrays). The
 * base of every averaging strategy.
 */
export function weightedSum(lists: ReadonlyArray<readonly Float32Array[]>, coefficients: readonly number[]): Weights {
  if (lists.length === 0) throw new ArgumentError('dendrite.weightedSum: no weight lists given');
  if (coefficients.length !== lists.length) {
    throw new ArgumentError(`dendrite.weightedSum: ${lists.length} weight lists but ${coefficients.length} coefficients`);
  }
  const first = lists[0]!;
  for (const l of lists) checkSameLayout('weightedSum', first, l);
  return first.map((w, i) => {
    const acc = new Float64Array(w.length);
    for (let k = 0; k < lists.length; k++) {
      const c = coefficients[k]!;
      const v = lists[k]![i]!;
      for (let j = 0; j < acc.length; j++) acc[j] = acc[j]! + c * v[j]!;
    }
    return Float32Array.from(acc);
  });
}
