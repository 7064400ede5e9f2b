/**
 * Comparisons with broadcasting. They return 1 where the relation holds and 0 elsewhere, as
 * float32 tensors that carry no gradient (comparisons are not differentiable).
 */
import { Tensor, type TensorLike } from '../tensor.js';
import { broadcastShapes, checkedSize, mapBroadcast } from './checks.js';
import { toTensor } from './elementwise.js';

function compare(op: string, a: TensorLike, b: TensorLike, fn: (x: number, y: number) => boolean): Tensor {
  const x = toTensor(op, a, 'a');
  const y = toTensor(op, b, 'b');
  const shape = broadcastShapes(op, x.shape, y.shape);
  checkedSize(op, shape);
  return new Tensor(mapBroadcast(x.data, x.shape, y.data, y.shape, shape, (p, q) => (fn(p, q) ? 1 : 0)), shape);
}

/** 1 where a == b. */
export function eq(a: TensorLike, b: TensorLike): Tensor { return compare('eq', a, b, (p, q) => p === q); }
/** 1 where a != b (NaN != NaN). */
export function ne(a: TensorLike, b: TensorLike): Tensor { return compare('ne', a, b, (p, q) => p !== q); }
/** 1 where a < b. */
export function lt(a: TensorLike, b: TensorLike): Tensor { return compare('lt', a, b, (p, q) => p < q); }
/** 1 where a <= b. */
export function le(a: TensorLike, b: TensorLike): Tensor { return compare('le', a, b, (p, q) => p <= q); }
/** 1 where a > b. */
export function gt(a: TensorLike, b: TensorLike): Tensor { return compare('gt', a, b, (p, q) => p > q); }
/** 1 where a >= b. */
export function ge(a: TensorLike, b: TensorLike): Tensor { return compare('ge', a, b, (p, q) => p >= q); }
