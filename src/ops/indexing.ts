/**
 * Indexing: slice (a box of the tensor) and gather (rows picked by index along an axis). Their
 * gradients scatter back into a zero tensor of the input's shape (gather adds up repeats).
 */
import { record } from '../autograd.js';
import { ArgumentError, DTypeError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { alloc, checkedSize, normAxis, sizeOf, stridesOf } from './checks.js';
import { copyStrided } from './copy.js';

/** Largest rank the backend's strided copy takes; higher ranks copy run by run in TypeScript. */

/** One axis of a range slice: [start, stop) with Python's negative indices and clamping; null = all. */
export type SliceRange = null | undefined | readonly [start: number, stop?: number];

/**
 * What `slice` takes first: begin offsets (one number for axis 0, or one per leading axis, then
 * `size` says how many elements, −1 = to the end), or one SliceRange per leading axis.
 */
export type SliceSpec = number | readonly number[] | readonly SliceRange[];

function isRanges(spec: SliceSpec): spec is readonly SliceRange[] {
  return Array.isArray(spec) && spec.some((e) => e === null || e === undefined || Array.isArray(e));
}

function checkInt(op: string, v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ArgumentError(`dendrite.${op}: ${what} must be an integer, got ${describe(v)}`);
  }
  return v;
}

/** Resolves a spec into per-axis begins and sizes. */
function resolve(x: Tensor, spec: SliceSpec, size: number | readonly number[] | undefined): { begins: number[]; sizes: number[] } {
  const shape = x.shape;
  const begins = shape.map(() => 0);
  const sizes = shape.slice();
  if (isRanges(spec)) {
    if (size !== undefined) throw new ArgumentError('dendrite.slice: size is not used with ranges; give [start, stop] per axis');
    if (spec.length > x.rank) {
      throw new ShapeError(`dendrite.slice: ${spec.length} ranges for a tensor of shape ${fmtShape(shape)}`);
    }
    spec.forEach((r, d) => {
      if (r === null || r === undefined) return;
      if (!Array.isArray(r) || r.length < 1 || r.length > 2) {
        throw new ArgumentError(`dendrite.slice: range ${d} must be [start, stop?] or null, got ${describe(r)}`);
      }
      const n = shape[d]!;
      const fix = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const start = fix(checkInt('slice', r[0], `start of range ${d}`));
      const stop = r[1] === undefined ? n : fix(checkInt('slice', r[1], `stop of range ${d}`));
      begins[d] = start;
      sizes[d] = Math.max(stop - start, 0);
    });
    return { begins, sizes };
  }
  const b = typeof spec === 'number' ? [spec] : spec;
  if (!Array.isArray(b)) throw new ArgumentError(`dendrite.slice: begin must be a number or an array, got ${describe(spec)}`);
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : size;
  if (!Array.isArray(s)) throw new ArgumentError(`dendrite.slice: size must be a number or an array, got ${describe(size)}`);
  if (b.length > x.rank || s.length > x.rank) {
    throw new ShapeError(`dendrite.slice: begin [${b.join(', ')}] / size [${s.join(', ')}] have more axes than shape ${fmtShape(shape)}`);
  }
  for (let d = 0; d < x.rank; d++) {
    const n = shape[d]!;
    const start = d < b.length ? checkInt('slice', b[d], `begin[${d}]`) : 0;
    const len = d < s.length ? checkInt('slice', s[d], `size[${d}]`) : -1;
    if (start < 0 || start > n) {
      throw new ShapeError(`dendrite.slice: begin ${start} is out of range for axis ${d} of shape ${fmtShape(shape)}`);
    }
    if (len < -1 || (len >= 0 && start + len > n)) {
      throw new ShapeError(
        `dendrite.slice: begin ${start} with size ${len} does not fit axis ${d} of shape ${fmtShape(shape)}`,
      );
    }
    begins[d] = start;
    sizes[d] = len === -1 ? n - start : len;
  }
  return { begins, sizes };
}

/**
 * A box of the tensor (a copy). Either `slice(x, begin, size?)` with begin offsets per leading
 * axis and sizes (−1 or missing = to the end), as in tf.slice; or `slice(x, ranges)` with one
 * `[start, stop?]` (negative counts from the end) or null per leading axis.
 */
export function slice(x: Tensor, begin: SliceSpec, size?: number | readonly number[]): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.slice: x must be a Tensor, got ${describe(x)}`);
  const { begins, sizes } = resolve(x, begin, size);
  const n = sizeOf(sizes);
  const out = alloc('slice', n);
  // The box is x's buffer from the first element's offset on, stepped by x's strides.
  const strides = stridesOf(x.shape);
  const offset = begins.reduce((p, b, d) => p + b * strides[d]!, 0);
  if (n > 0) copyStrided(x.data.subarray(offset), sizes, strides, out);
  return record(new Tensor(out, sizes), 'slice', [x], (g) => {
    const d = new Float32Array(x.size);
    if (n > 0) copyStrided(g.data, sizes, stridesOf(sizes), d.subarray(offset), strides);
    return [new Tensor(d, x.shape)];
  });
}

function indexList(indices: Int32Array | Tensor | readonly number[], len: number, axis: number): { idx: Int32Array; shape: number[] } {
  let values: ArrayLike<number>;
  let shape: number[];
  if (indices instanceof Int32Array) {
    values = indices;
    shape = [indices.length];
  } else if (indices instanceof Tensor) {
    values = indices.data;
    shape = indices.shape.slice();
  } else if (Array.isArray(indices)) {
    values = indices;
    shape = [indices.length];
  } else {
    throw new DTypeError(`dendrite.gather: indices must be an Int32Array, a Tensor or an array of integers, got ${describe(indices)}`);
  }
  const idx = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new DTypeError(`dendrite.gather: index at position ${i} must be an integer, got ${describe(v)}`);
    }
    if (v < 0 || v >= len) {
      throw new ValueError(`dendrite.gather: index ${v} at position ${i} is out of range for axis ${axis} of size ${len}`);
    }
    idx[i] = v;
  }
  return { idx, shape };
}

/**
 * Picks slices along `axis` by index (tf.gather / torch.index_select; with axis 0, an embedding
 * lookup). The result's shape is x.shape[:axis] + indices.shape + x.shape[axis+1:]. The
 * gradient scatter-adds into x's shape (repeated indices add up).
 */
export function gather(x: Tensor, indices: Int32Array | Tensor | readonly number[], axis = 0): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.gather: x must be a Tensor, got ${describe(x)}`);
  if (x.rank === 0) throw new ShapeError('dendrite.gather: cannot gather from a rank-0 tensor');
  const a = normAxis('gather', axis, x.rank);
  const len = x.shape[a]!;
  const { idx, shape: idxShape } = indexList(indices, len, a);
  const outShape = [...x.shape.slice(0, a), ...idxShape, ...x.shape.slice(a + 1)];
  const out = alloc('gather', checkedSize('gather', outShape));
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * len + idx[j]!) * inner;
      const dst = (o * m + j) * inner;
      if (inner === 1) out[dst] = x.data[src]!;
      else out.set(x.data.subarray(src, src + inner), dst);
    }
  }
  return record(new Tensor(out, outShape), 'gather', [x], (g) => {
    const d = new Float32Array(x.size);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const dst = (o * len + idx[j]!) * inner;
        const src = (o * m + j) * inner;
        for (let t = 0; t < inner; t++) d[dst + t]! += g.data[src + t]!;
      }
    }
    return [new Tensor(d, x.shape)];
  });
}
