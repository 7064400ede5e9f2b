/**
 * Argument checks and shape arithmetic shared by the ops: everything is validated here, in
 * TypeScript, before any backend call, and every failure names the op.
 */
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { broadcastStrides } from '../backend/backend.js';

/**
 * Largest element count of one tensor. Float32Array lengths, the native kernels' int32 indices
 * and Int32Array gather indices all fit below it.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Validates one dimension: a non-negative safe integer. */
export function checkDim(op: string, d: unknown, where: string): number {
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
    throw new ShapeError(`dendrite.${op}: ${where} must be a non-negative integer, got ${describe(d)}`);
  }
  return d;
}

/** Validates a shape (array of non-negative integers, or one number for 1-D) and copies it. */
export function checkShape(op: string, shape: unknown): number[] {
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape)) {
    throw new ArgumentError(`dendrite.${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  const out = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `dendrite.${op}: shape must hold non-negative integers, got ${describe(d)} at position ${i} of [${shape.map(String).join(', ')}]`,
      );
    }
    out[i] = d;
  }
  checkedSize(op, out);
  return out;
}

/** Element count of `shape`; throws a ShapeError when it exceeds MAX_ELEMENTS. */
export function checkedSize(op: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(
      `dendrite.${op}: shape ${fmtShape(shape)} has ${n} elements, more than the ${MAX_ELEMENTS} a tensor can hold`,
    );
  }
  return n;
}

/** Product of dims (no checks). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array of n elements, with a clear RangeError when memory runs out. */
export function alloc(op: string, n: number): Float32Array {
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(`dendrite.${op}: ${n} elements are more than the ${MAX_ELEMENTS} a tensor can hold`);
  }
  try {
    return new Float32Array(n);
  } catch (err) {
    const gib = ((n * 4) / 2 ** 30).toFixed(2);
    throw new ShapeError(
      `dendrite.${op}: cannot allocate ${n} float32 elements (${gib} GiB): ${(err as Error).message}`,
    );
  }
}

/** Below this many elements a zero-filled allocation is as cheap as any other. */
const UNINIT_MIN = 4096;

/**
 * Like alloc, for an output that the caller overwrites completely before anyone reads it: large
 * buffers skip the zero fill and come from memory the allocator recycles, which costs a few
 * microseconds instead of a fresh, page-faulting zeroed block (tens to hundreds of µs for the
 * activations of one training step). Never use it for a buffer that is accumulated into or
 * written only in part.
 */
export function allocOut(op: string, n: number): Float32Array {
  if (n < UNINIT_MIN) return alloc(op, n);
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(`dendrite.${op}: ${n} elements are more than the ${MAX_ELEMENTS} a tensor can hold`);
  }
  try {
    const bytes = Buffer.allocUnsafeSlow(n * 4);
    return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  } catch (err) {
    const gib = ((n * 4) / 2 ** 30).toFixed(2);
    throw new ShapeError(`dendrite.${op}: cannot allocate ${n} float32 elements (${gib} GiB): ${(err as Error).message}`);
  }
}

let scratch: Float32Array = new Float32Array(0);

/**
 * A buffer of n elements shared by every caller and overwritten by the next call: only for a
 * temporary that dies before its user returns (e.g. the gradient through a layer's fused
 * activation inside one backward closure). Reusing it keeps the largest temporaries of a training
 * step from being allocated, and collected, every step.
 */
export function scratchBuffer(n: number): Float32Array {
  if (scratch.length < n) scratch = allocOut('scratch', n);
  return scratch.length === n ? scratch : scratch.subarray(0, n);
}

/** An Int32Array of n elements whose contents are unspecified (see allocOut). */
export function allocOutInt32(op: string, n: number): Int32Array {
  if (n < UNINIT_MIN) return new Int32Array(n);
  const f = allocOut(op, n);
  return new Int32Array(f.buffer, f.byteOffset, n);
}

/** Validates an axis against `rank` (negative counts from the end) and returns it in [0, rank). */
export function normAxis(op: string, axis: unknown, rank: number, extra = 0): number {
  const r = rank + extra;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ArgumentError(`dendrite.${op}: axis must be an integer, got ${describe(axis)}`);
  }
  if (axis < -r || axis >= r || r === 0) {
    throw new ShapeError(
      `dendrite.${op}: axis ${axis} is out of range for a tensor of rank ${rank}` +
        (r === 0 ? '' : ` (expected ${-r} to ${r - 1})`),
    );
  }
  return axis < 0 ? axis + r : axis;
}

/** Normalises `axis` (number, array or undefined = all) into sorted unique axes. */
export function normAxes(op: string, axis: unknown, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list: unknown[] = Array.isArray(axis) ? axis : [axis];
  const out = list.map((a) => normAxis(op, a, rank));
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (sorted.length !== out.length) {
    throw new ShapeError(`dendrite.${op}: axis [${list.map(String).join(', ')}] repeats an axis`);
  }
  return sorted;
}

/** Requires a finite number. */
export function finiteArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new ArgumentError(`dendrite.${op}: ${name} must be a number, got ${describe(v)}`);
  }
  if (!Number.isFinite(v)) throw new ValueError(`dendrite.${op}: ${name} must be finite, got ${v}`);
  return v;
}

/** Requires a number that is not NaN (±Infinity allowed). */
export function numberArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new ArgumentError(`dendrite.${op}: ${name} must be a number, got ${describe(v)}`);
  }
  if (Number.isNaN(v)) throw new ValueError(`dendrite.${op}: ${name} must not be NaN`);
  return v;
}

/** Requires an integer. */
export function intArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ArgumentError(`dendrite.${op}: ${name} must be an integer, got ${describe(v)}`);
  }
  return v;
}

/** NumPy broadcasting of two shapes; ShapeError naming both when they do not fit. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `dendrite.${op}: cannot broadcast ${fmtShape(a)} with ${fmtShape(b)}: dimension ${i} is ${da} vs ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Highest rank the backends' strided kernels (copyStrided, binary) take. */
export const MAX_KERNEL_RANK = 8;

/** Row-major element strides of a dense shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * out[i] = fn(a[·], b[·]) over the broadcast of two dense arrays (a TypeScript loop, for masks and
 * the few things no kernel computes).
 */
export function mapBroadcast(
  a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[],
  outShape: readonly number[], fn: (x: number, y: number) => number,
): Float32Array {
  const n = sizeOf(outShape);
  const out = new Float32Array(n);
  if (n === 0) return out;
  if (sameShape(aShape, bShape)) {
    for (let i = 0; i < n; i++) out[i] = fn(a[i]!, b[i]!);
    return out;
  }
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = fn(a[ia]!, b[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      ia -= sa[d]! * outShape[d]!;
      ib -= sb[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
