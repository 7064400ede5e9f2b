/**
 * Shape ops. reshape/view, flatten, squeeze and unsqueeze are views (they share the buffer);
 * transpose, permute, broadcastTo, concat, stack and clone copy.
 */
import { record } from '../autograd.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { alloc, broadcastShapes, checkedSize, normAxis, sameShape, sizeOf, stridesOf } from './checks.js';
import { copyStrided } from './copy.js';
import { sumToShape, expandRaw } from './reduce.js';

function checkTensor(op: string, x: unknown, name = 'x'): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor, got ${describe(x)}`);
  return x;
}

/** A view of the tensor as a tensor of a different shape (shares its buffer). */
function viewAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(x.data, shape);
  return record(out, op, [x], (g) => [new Tensor(g.data, x.shape)]);
}

/**
 * The same elements under another shape, sharing the buffer. One dimension may be −1: it is
 * inferred from the others.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  if (!Array.isArray(shape)) {
    throw new ArgumentError(`dendrite.reshape: shape must be an array of integers, got ${describe(shape)}`);
  }
  let infer = -1;
  let known = 1;
  const s = (shape as readonly unknown[]).map((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`dendrite.reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
      infer = i;
      return -1;
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`dendrite.reshape: dimensions must be non-negative integers or -1, got ${describe(d)} in [${shape.join(', ')}]`);
    }
    known *= d;
    return d;
  });
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`dendrite.reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    s[infer] = x.size / known;
  } else if (known !== x.size) {
    throw new ShapeError(`dendrite.reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${known} elements)`);
  }
  return viewAs('reshape', x, s);
}

/** Alias of reshape (the buffer is always shared). */
export const view = reshape;

/** Merges dims startDim..endDim (inclusive, default all) into one; a view. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', x);
  if (x.rank === 0) return viewAs('flatten', x, [1]);
  const a = normAxis('flatten', startDim, x.rank);
  const b = normAxis('flatten', endDim, x.rank);
  if (a > b) throw new ShapeError(`dendrite.flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
  const s = [...x.shape.slice(0, a), sizeOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return viewAs('flatten', x, s);
}

/** Removes size-1 dims (all of them, or the given axes, which must have size 1); a view. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  let drop: number[];
  if (axis === undefined) {
    drop = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  } else {
    const list = Array.isArray(axis) ? axis : [axis];
    drop = list.map((a) => normAxis('squeeze', a, x.rank));
    for (const a of drop) {
      if (x.shape[a] !== 1) {
        throw new ShapeError(`dendrite.squeeze: axis ${a} of shape ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
      }
    }
  }
  return viewAs('squeeze', x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** Inserts a size-1 dim at `axis` (in [−rank−1, rank]); a view. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', x);
  const a = normAxis('unsqueeze', axis, x.rank, 1);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return viewAs('unsqueeze', x, s);
}

/** Copies `data` of `shape` into the order given by `dims` (out axis i = in axis dims[i]). */
export function permuteRaw(data: Float32Array, shape: readonly number[], dims: readonly number[]): Float32Array {
  const n = sizeOf(shape);
  const out = alloc('permute', n);
  if (n === 0) return out;
  const inStrides = stridesOf(shape);
  const outShape = dims.map((d) => shape[d]!);
  const st = dims.map((d) => inStrides[d]!);
  copyStrided(data, outShape, st, out);
  return out;
}

/** Reorders axes: output axis i is input axis dims[i] (a copy). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', x);
  if (!Array.isArray(dims) || dims.length !== x.rank) {
    throw new ShapeError(`dendrite.permute: dims must list all ${x.rank} axes of shape ${fmtShape(x.shape)}, got ${Array.isArray(dims) ? fmtShape(dims) : describe(dims)}`);
  }
  const d = dims.map((a) => normAxis('permute', a, x.rank));
  if (new Set(d).size !== d.length) {
    throw new ShapeError(`dendrite.permute: dims ${fmtShape(dims)} repeat an axis`);
  }
  const outShape = d.map((a) => x.shape[a]!);
  const identity = d.every((a, i) => a === i);
  const out = new Tensor(identity ? new Float32Array(x.data) : permuteRaw(x.data, x.shape, d), outShape);
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => { inverse[a] = i; });
  return record(out, 'permute', [x], (g) => [new Tensor(permuteRaw(g.data, outShape, inverse), x.shape)]);
}

/**
 * Swaps two axes (a copy). With no arguments: the last two axes (a matrix transpose); tensors of
 * rank < 2 come back unchanged (as a copy).
 */
export function transpose(x: Tensor, dim0?: number, dim1?: number): Tensor {
  checkTensor('transpose', x);
  if (dim0 === undefined && dim1 === undefined) {
    if (x.rank < 2) return clone(x);
    dim0 = -2;
    dim1 = -1;
  } else if (dim0 === undefined || dim1 === undefined) {
    throw new ArgumentError('dendrite.transpose: give both dim0 and dim1, or neither');
  }
  const a = normAxis('transpose', dim0, x.rank);
  const b = normAxis('transpose', dim1, x.rank);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts x to `shape` (NumPy rules; a copy); the gradient is summed back. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(target, shape)) {
    throw new ShapeError(`dendrite.broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  checkedSize('broadcastTo', target);
  const out = expandRaw(x, target);
  const res = out === x ? new Tensor(new Float32Array(x.data), x.shape) : out;
  return record(res, 'broadcastTo', [x], (g) => [sumToShape(g, x.shape)]);
}

/** A copy with its own buffer; the gradient passes through. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  return record(new Tensor(new Float32Array(x.data), x.shape), 'clone', [x], (g) => [g]);
}

/** A tensor sharing x's buffer, cut from the graph. */
export function detach(x: Tensor): Tensor {
  checkTensor('detach', x);
  return x.detach();
}

/** Joins tensors along an existing axis; all other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError(`dendrite.concat: expected a non-empty array of Tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor('concat', t, `tensors[${i}]`));
  const first = tensors[0]!;
  if (first.rank === 0) throw new ShapeError('dendrite.concat: cannot concatenate rank-0 tensors (use stack)');
  const a = normAxis('concat', axis, first.rank);
  let total = 0;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d: number, i: number) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `dendrite.concat: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${a}`,
      );
    }
    total += t.shape[a]!;
  }
  const outShape = first.shape.slice();
  outShape[a] = total;
  const n = checkedSize('concat', outShape);
  const out = alloc('concat', n);
  const outer = sizeOf(first.shape.slice(0, a));
  const inner = sizeOf(first.shape.slice(a + 1));
  const rowOut = total * inner;
  let offset = 0;
  const offsets: number[] = [];
  // Each input is an [outer, chunk] block of the output viewed as [outer, rowOut].
  for (const t of tensors) {
    const chunk = t.shape[a]! * inner;
    offsets.push(offset);
    if (outer * chunk > 0) copyStrided(t.data, [outer, chunk], [chunk, 1], out.subarray(offset), [rowOut, 1]);
    offset += chunk;
  }
  return record(new Tensor(out, outShape), 'concat', tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const chunk = t.shape[a]! * inner;
      const d = new Float32Array(t.size);
      if (d.length > 0) copyStrided(g.data.subarray(offsets[i]!), [outer, chunk], [rowOut, 1], d);
      return new Tensor(d, t.shape);
    }),
  );
}

/** Stacks same-shaped tensors along a new axis (in [−rank−1, rank]). */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError(`dendrite.stack: expected a non-empty array of Tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor('stack', t, `tensors[${i}]`));
  const first = tensors[0]!;
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(`dendrite.stack: all tensors must have the same shape, got ${tensors.map((u) => fmtShape(u.shape)).join(', ')}`);
    }
  }
  const a = normAxis('stack', axis, first.rank, 1);
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
}
