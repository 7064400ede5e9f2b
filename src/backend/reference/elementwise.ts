/**
 * Reference elementwise ops: binary ops with NumPy broadcasting, unary ops and reductions along
 * one axis. Naive loops over the broadcast index, arithmetic in float64, rounded once on store.
 */
import type { BinaryOpName, ReduceOpName, UnaryOpName } from '../backend.js';

/** C's pow (IEEE 754 pow): unlike Math.pow, pow(1, y) = 1 and pow(−1, ±Inf) = 1. */
export function cPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** numpy.maximum: NaN if either is NaN, `a` on ties (so the sign of a zero comes from a). */
function maximum(a: number, b: number): number {
  return a >= b || Number.isNaN(a) ? a : b;
}

function minimum(a: number, b: number): number {
  return a <= b || Number.isNaN(a) ? a : b;
}

const BINARY: Record<BinaryOpName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: cPow,
  maximum,
  minimum,
};

/** Element strides of `shape` right-aligned against `outShape`, 0 on broadcast dimensions. */
function alignedStrides(shape: readonly number[], outShape: readonly number[], what: string): number[] {
  const rank = outShape.length;
  if (shape.length > rank) {
    throw new RangeError(`dendrite.binary: ${what} has rank ${shape.length}, more than the output's ${rank}`);
  }
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, o = rank - 1; i >= 0; i--, o--) {
    const d = shape[i]!;
    if (d !== outShape[o] && d !== 1) {
      throw new RangeError(
        `dendrite.binary: ${what} shape [${shape.join(', ')}] does not broadcast to [${outShape.join(', ')}]`,
      );
    }
    strides[o] = d === 1 ? 0 : stride;
    stride *= d;
  }
  return strides;
}

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** out = a op b with NumPy broadcasting; out is dense with outShape. */
export function binary(
  op: BinaryOpName, a: Float32Array, aShape: readonly number[], b: Float32Array,
  bShape: readonly number[], out: Float32Array, outShape: readonly number[],
): void {
  const f = BINARY[op];
  if (f === undefined) throw new RangeError(`dendrite.binary: unknown op '${String(op)}'`);
  const sa = alignedStrides(aShape, outShape, 'a');
  const sb = alignedStrides(bShape, outShape, 'b');
  const total = count(outShape);
  if (out.length < total) throw new RangeError(`dendrite.binary: out has ${out.length} elements, needs ${total}`);
  if (total === 0) return;
  if (a.length < count(aShape) || b.length < count(bShape)) {
    throw new RangeError('dendrite.binary: an operand is shorter than its shape');
  }
  // Results go through a scratch array first, so out may be one of the operands.
  const result = new Float64Array(total);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += idx[d]! * sa[d]!;
      ib += idx[d]! * sb[d]!;
    }
    result[i] = f(a[ia]!, b[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  out.set(result);
}

/** y = op(x) elementwise over x.length elements (y may be x). */
export function unary(op: UnaryOpName, x: Float32Array, y: Float32Array, p0: number, p1: number): void {
  if (y.length < x.length) throw new RangeError(`dendrite.unary: y has ${y.length} elements, needs ${x.length}`);
  let f: (v: number) => number;
  switch (op) {
    case 'neg': f = (v) => -v; break;
    case 'abs': f = Math.abs; break;
    case 'exp': f = Math.exp; break;
    case 'log': f = Math.log; break;
    case 'sqrt': f = Math.sqrt; break;
    case 'square': f = (v) => v * v; break;
    case 'reciprocal': f = (v) => 1 / v; break;
    case 'clamp':
      if (!Number.isFinite(p0) || !Number.isFinite(p1) || !(p0 <= p1)) {
        throw new RangeError(`dendrite.unary: clamp needs finite p0 <= p1, got ${p0}, ${p1}`);
      }
      // Bounds as float32, as the native kernel sees them.
      p0 = Math.fround(p0);
      p1 = Math.fround(p1);
      f = (v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, p0), p1));
      break;
    default:
      throw new RangeError(`dendrite.unary: unknown op '${String(op)}'`);
  }
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
}

function checkReduce(op: string, x: ArrayLike<number>, outer: number, len: number, inner: number, outLength: number): void {
  for (const [name, v] of [['outer', outer], ['len', len], ['inner', inner]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`dendrite.${op}: ${name} must be a non-negative integer, got ${v}`);
  }
  if (x.length < outer * len * inner) throw new RangeError(`dendrite.${op}: x has ${x.length} elements, needs ${outer * len * inner}`);
  if (outLength < outer * inner) throw new RangeError(`dendrite.${op}: out has ${outLength} elements, needs ${outer * inner}`);
}

/**
 * x viewed as [outer, len, inner], reduced over the middle axis into out [outer, inner].
 * len = 0 gives sum 0, mean NaN, max −Inf, min +Inf, variance NaN; max/min propagate NaN;
 * variance is two-pass: Σ(x − mean)² / (len − correction).
 */
export function reduce(
  op: ReduceOpName, x: Float32Array, outer: number, len: number, inner: number,
  out: Float32Array, correction: number,
): void {
  checkReduce('reduce', x, outer, len, inner, out.length);
  if (!['sum', 'mean', 'max', 'min', 'variance'].includes(op)) {
    throw new RangeError(`dendrite.reduce: unknown op '${String(op)}'`);
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let r: number;
      if (op === 'max' || op === 'min') {
        r = op === 'max' ? -Infinity : Infinity;
        for (let i = 0; i < len; i++) {
          const v = x[base + i * inner]!;
          if (Number.isNaN(v)) { r = NaN; break; }
          r = op === 'max' ? Math.max(r, v) : Math.min(r, v);
        }
      } else {
        let s = 0;
        for (let i = 0; i < len; i++) s += x[base + i * inner]!;
        if (op === 'sum') r = s;
        else if (op === 'mean' || len === 0) r = s / len;
        else {
          const mean = s / len;
          let q = 0;
          for (let i = 0; i < len; i++) {
            const d = x[base + i * inner]! - mean;
            q += d * d;
          }
          r = q / (len - correction);
        }
      }
      out[o * inner + j] = r;
    }
  }
}

/**
 * Index of the first max (or min) along the middle axis of [outer, len, inner]; a NaN counts as
 * the extreme (the first NaN wins). len ≥ 1.
 */
export function argReduce(
  op: 'argmax' | 'argmin', x: Float32Array, outer: number, len: number, inner: number,
  out: Int32Array,
): void {
  checkReduce('argReduce', x, outer, len, inner, out.length);
  if (op !== 'argmax' && op !== 'argmin') throw new RangeError(`dendrite.argReduce: unknown op '${String(op)}'`);
  if (len < 1 && outer * inner > 0) throw new RangeError('dendrite.argReduce: len must be at least 1');
  const isMax = op === 'argmax';
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let best = x[base]!;
      let at = 0;
      for (let i = 1; i < len && !Number.isNaN(best); i++) {
        const v = x[base + i * inner]!;
        if (Number.isNaN(v) || (isMax ? v > best : v < best)) {
          best = v;
          at = i;
        }
      }
      out[o * inner + j] = at;
    }
  }
}
