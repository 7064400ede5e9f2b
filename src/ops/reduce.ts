/**
 * Reductions along axes (sum, mean, max, min, variance, std, argmax, argmin), forward beside
 * backward. `axis` is a number, an array of numbers, or undefined for all axes; an empty array
 * reduces nothing (NumPy's rule). Adjacent axes are reduced in one backend call.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/index.js';
import { type ReduceOpName, broadcastStrides } from '../backend/backend.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor, type VarianceOptions } from '../tensor.js';
import {
  alloc, finiteArg, normAxes, normAxis, sameShape, sizeOf,
} from './checks.js';
import { copyStrided } from './copy.js';
import { toTensor } from './elementwise.js';

type Axis = number | readonly number[] | undefined;

/** Broadcasts `x` (its shape right-aligned) to `shape` into a new buffer, without recording. */
export function expandRaw(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const out = alloc('broadcastTo', sizeOf(shape));
  if (out.length > 0) copyStrided(x.data, shape, broadcastStrides(x.shape, shape), out);
  return new Tensor(out, shape);
}

/** Splits sorted axes into runs of adjacent axes: [[start, end), …]. */
function runsOf(axes: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a) last[1] = a + 1;
    else runs.push([a, a + 1]);
  }
  return runs;
}

/** Reduces axes [start, end) of a dense buffer in one backend call; keeps them as 1s. */
function reduceRun(
  op: ReduceOpName, data: Float32Array, shape: readonly number[], start: number, end: number,
  correction: number,
): { data: Float32Array; shape: number[] } {
  const outer = sizeOf(shape.slice(0, start));
  const len = sizeOf(shape.slice(start, end));
  const inner = sizeOf(shape.slice(end));
  const out = alloc(op, outer * inner);
  if (out.length > 0) getBackend().reduce(op, data, outer, len, inner, out, correction);
  const s = shape.slice();
  for (let i = start; i < end; i++) s[i] = 1;
  return { data: out, shape: s };
}

/** The reduction without recording, with keepDims shape. */
function reduceRaw(op: ReduceOpName, x: Tensor, axes: readonly number[], correction = 0): Tensor {
  if (axes.length === 0) return new Tensor(new Float32Array(x.data), x.shape);
  const runs = runsOf(axes);
  if (runs.length === 1 || op === 'sum' || op === 'max' || op === 'min') {
    let cur = { data: x.data, shape: x.shape.slice() };
    for (let r = runs.length - 1; r >= 0; r--) cur = reduceRun(op, cur.data, cur.shape, runs[r]![0], runs[r]![1], correction);
    return new Tensor(cur.data, cur.shape);
  }
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const s = reduceRaw('sum', x, axes);
  if (op === 'mean') {
    for (let i = 0; i < s.size; i++) s.data[i] = n === 0 ? NaN : s.data[i]! / n;
    return s;
  }
  // variance over non-adjacent axes: Σ(x − mean)² / (n − correction)
  for (let i = 0; i < s.size; i++) s.data[i] = s.data[i]! / n;
  const centered = new Float32Array(x.size);
  const m = expandRaw(s, x.shape);
  for (let i = 0; i < centered.length; i++) {
    const d = x.data[i]! - m.data[i]!;
    centered[i] = d * d;
  }
  const ss = reduceRaw('sum', new Tensor(centered, x.shape), axes);
  const denom = n - correction;
  for (let i = 0; i < ss.size; i++) ss.data[i] = denom <= 0 ? NaN : ss.data[i]! / denom;
  return ss;
}

function dropAxes(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

function checkKeepDims(op: string, keepDims: unknown): boolean {
  if (keepDims === undefined) return false;
  if (typeof keepDims !== 'boolean') {
    throw new ArgumentError(`dendrite.${op}: keepDims must be a boolean, got ${describe(keepDims)}`);
  }
  return keepDims;
}

function axesOf(op: string, x: Tensor, axis: Axis): number[] {
  if (axis !== undefined && typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ArgumentError(`dendrite.${op}: axis must be a number, an array of numbers or undefined, got ${describe(axis)}`);
  }
  return normAxes(op, axis, x.rank);
}

function finish(out: Tensor, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  return keepDims ? out : new Tensor(out.data, dropAxes(x.shape, axes));
}

/** Sums `g` over the axes on which `shape` was broadcast to g's shape; the result has `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = reduceRaw('sum', g, axes);
  return new Tensor(r.data, shape);
}

/** Sum over `axis` (all axes when undefined). */
export function sum(x: Tensor | number, axis?: Axis, keepDims?: boolean): Tensor {
  const t = toTensor('sum', x, 'x');
  const axes = axesOf('sum', t, axis);
  const kd = checkKeepDims('sum', keepDims);
  const r = reduceRaw('sum', t, axes);
  const keptShape = r.shape;
  return record(finish(r, t, axes, kd), 'sum', [t], (g) => [
    expandRaw(new Tensor(g.data, keptShape), t.shape),
  ]);
}

/** Mean over `axis` (all axes when undefined); NaN over an empty axis. */
export function mean(x: Tensor | number, axis?: Axis, keepDims?: boolean): Tensor {
  const t = toTensor('mean', x, 'x');
  const axes = axesOf('mean', t, axis);
  const kd = checkKeepDims('mean', keepDims);
  const r = reduceRaw('mean', t, axes);
  const keptShape = r.shape;
  const n = axes.reduce((p, a) => p * t.shape[a]!, 1);
  return record(finish(r, t, axes, kd), 'mean', [t], (g) => {
    const e = expandRaw(new Tensor(g.data, keptShape), t.shape);
    const d = new Float32Array(e.size);
    for (let i = 0; i < d.length; i++) d[i] = e.data[i]! / n;
    return [new Tensor(d, t.shape)];
  });
}

function extremum(op: 'max' | 'min', x: Tensor | number, axis: Axis, keepDims: boolean | undefined): Tensor {
  const t = toTensor(op, x, 'x');
  const axes = axesOf(op, t, axis);
  const kd = checkKeepDims(op, keepDims);
  for (const a of axes) {
    if (t.shape[a] === 0) {
      throw new ShapeError(`dendrite.${op}: cannot reduce axis ${a} of length 0 (shape ${fmtShape(t.shape)})`);
    }
  }
  const r = reduceRaw(op, t, axes);
  const keptShape = r.shape;
  return record(finish(r, t, axes, kd), op, [t], (g) => {
    // The gradient goes to the elements equal to the extremum, split evenly among ties.
    const m = expandRaw(r, t.shape);
    const mask = new Float32Array(t.size);
    for (let i = 0; i < mask.length; i++) {
      const v = t.data[i]!;
      const e = m.data[i]!;
      mask[i] = v === e || (Number.isNaN(v) && Number.isNaN(e)) ? 1 : 0;
    }
    const count = expandRaw(reduceRaw('sum', new Tensor(mask, t.shape), axes), t.shape);
    const ge = expandRaw(new Tensor(g.data, keptShape), t.shape);
    const d = new Float32Array(t.size);
    for (let i = 0; i < d.length; i++) d[i] = mask[i] ? ge.data[i]! / count.data[i]! : 0;
    return [new Tensor(d, t.shape)];
  });
}

/** Maximum over `axis` (all axes when undefined); NaN propagates. */
export function max(x: Tensor | number, axis?: Axis, keepDims?: boolean): Tensor {
  return extremum('max', x, axis, keepDims);
}

/** Minimum over `axis` (all axes when undefined); NaN propagates. */
export function min(x: Tensor | number, axis?: Axis, keepDims?: boolean): Tensor {
  return extremum('min', x, axis, keepDims);
}

function varianceOptions(op: string, options: boolean | VarianceOptions | undefined): { keepDims: boolean; correction: number } {
  if (options === undefined) return { keepDims: false, correction: 1 };
  if (typeof options === 'boolean') return { keepDims: options, correction: 1 };
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`dendrite.${op}: options must be a boolean (keepDims) or { keepDims, correction }, got ${describe(options)}`);
  }
  const keepDims = checkKeepDims(op, options.keepDims);
  const correction = options.correction === undefined ? 1 : finiteArg(op, 'correction', options.correction);
  return { keepDims, correction };
}

/**
 * Variance over `axis`: Σ(x − mean)² / (N − correction), correction 1 by default (torch.var).
 * The third argument is keepDims or { keepDims, correction }.
 */
export function variance(x: Tensor | number, axis?: Axis, options?: boolean | VarianceOptions): Tensor {
  const t = toTensor('variance', x, 'x');
  const axes = axesOf('variance', t, axis);
  const { keepDims, correction } = varianceOptions('variance', options);
  const r = reduceRaw('variance', t, axes, correction);
  const keptShape = r.shape;
  const n = axes.reduce((p, a) => p * t.shape[a]!, 1);
  return record(finish(r, t, axes, keepDims), 'variance', [t], (g) => {
    const m = expandRaw(reduceRaw('mean', t, axes), t.shape);
    const ge = expandRaw(new Tensor(g.data, keptShape), t.shape);
    const scale = 2 / (n - correction);
    const d = new Float32Array(t.size);
    for (let i = 0; i < d.length; i++) d[i] = scale * (t.data[i]! - m.data[i]!) * ge.data[i]!;
    return [new Tensor(d, t.shape)];
  });
}

/** Standard deviation: sqrt(variance(x, axis, options)). */
export function std(x: Tensor | number, axis?: Axis, options?: boolean | VarianceOptions): Tensor {
  const v = variance(x, axis, options);
  const out = new Float32Array(v.size);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(v.data[i]!);
  const res = new Tensor(out, v.shape);
  return record(res, 'std', [v], (g) => {
    const d = new Float32Array(v.size);
    for (let i = 0; i < d.length; i++) d[i] = g.data[i]! / (2 * out[i]!);
    return [new Tensor(d, v.shape)];
  });
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor | number, axis: number | undefined, keepDims: boolean | undefined): Tensor {
  const t = toTensor(op, x, 'x');
  const kd = checkKeepDims(op, keepDims);
  if (axis !== undefined && typeof axis !== 'number') {
    throw new ArgumentError(`dendrite.${op}: axis must be a number or undefined, got ${describe(axis)}`);
  }
  let outer: number;
  let len: number;
  let inner: number;
  let shape: number[];
  if (axis === undefined) {
    outer = 1;
    len = t.size;
    inner = 1;
    shape = kd ? t.shape.map(() => 1) : [];
  } else {
    const a = normAxis(op, axis, t.rank);
    outer = sizeOf(t.shape.slice(0, a));
    len = t.shape[a]!;
    inner = sizeOf(t.shape.slice(a + 1));
    shape = kd ? t.shape.map((d, i) => (i === a ? 1 : d)) : dropAxes(t.shape, [a]);
  }
  if (len === 0) {
    throw new ShapeError(`dendrite.${op}: cannot take ${op} of an empty axis (shape ${fmtShape(t.shape)})`);
  }
  const idx = new Int32Array(outer * inner);
  if (idx.length > 0) getBackend().argReduce(op, t.data, outer, len, inner, idx);
  return new Tensor(Float32Array.from(idx), shape);
}

/** Index of the first maximum along `axis` (of the flattened tensor when undefined); no grad. */
export function argmax(x: Tensor | number, axis?: number, keepDims?: boolean): Tensor {
  return argReduce('argmax', x, axis, keepDims);
}

/** Index of the first minimum along `axis` (of the flattened tensor when undefined); no grad. */
export function argmin(x: Tensor | number, axis?: number, keepDims?: boolean): Tensor {
  return argReduce('argmin', x, axis, keepDims);
}
