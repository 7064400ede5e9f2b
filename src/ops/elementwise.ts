/**
 * Elementwise arithmetic with NumPy broadcasting, each forward beside its backward. Broadcast
 * gradients are summed back to the operand's shape (sumToShape).
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/index.js';
import type { BinaryOpName, UnaryOpName } from '../backend/backend.js';
import { ArgumentError, ValueError, describe } from '../errors.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { alloc, broadcastShapes, mapBroadcast, numberArg, sizeOf } from './checks.js';
import { sumToShape } from './reduce.js';

/** `x` as a tensor: numbers become rank-0 tensors; anything else is an ArgumentError. */
export function toTensor(op: string, x: unknown, name = 'argument'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    const d = new Float32Array(1);
    d[0] = x;
    return new Tensor(d, []);
  }
  throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor or a number, got ${describe(x)}`);
}

/** The raw broadcasting forward (no recording). */
export function binaryRaw(op: BinaryOpName, name: string, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(name, a.shape, b.shape);
  const out = alloc(name, sizeOf(outShape));
  if (out.length > 0) getBackend().binary(op, a.data, a.shape, b.data, b.shape, out, outShape);
  return new Tensor(out, outShape);
}

function unaryRaw(op: UnaryOpName, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const out = alloc(op, x.size);
  if (out.length > 0) getBackend().unary(op, x.data, out, p0, p1);
  return new Tensor(out, x.shape);
}

const FLT_MAX = 3.4028234663852886e38;

function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  return [toTensor(op, a, 'a'), toTensor(op, b, 'b')];
}

/** a + b, broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('add', a, b);
  const out = binaryRaw('add', 'add', x, y);
  return record(out, 'add', [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(g, y.shape) : null,
  ]);
}

/** a − b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('sub', a, b);
  const out = binaryRaw('sub', 'sub', x, y);
  return record(out, 'sub', [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(neg(g), y.shape) : null,
  ]);
}

/** a · b elementwise, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('mul', a, b);
  const out = binaryRaw('mul', 'mul', x, y);
  return record(out, 'mul', [x, y], (g) => [
    x.requiresGrad ? sumToShape(binaryRaw('mul', 'mul', g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(binaryRaw('mul', 'mul', g, x), y.shape) : null,
  ]);
}

/** a / b elementwise, broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('div', a, b);
  const out = binaryRaw('div', 'div', x, y);
  return record(out, 'div', [x, y], (g) => [
    x.requiresGrad ? sumToShape(binaryRaw('div', 'div', g, y), x.shape) : null,
    // d(a/b)/db = −(a/b)/b
    y.requiresGrad ? sumToShape(neg(binaryRaw('div', 'div', binaryRaw('mul', 'div', g, out), y)), y.shape) : null,
  ]);
}

/** a ** b elementwise, broadcasting (negative bases with non-integer exponents give NaN). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('pow', a, b);
  const out = binaryRaw('pow', 'pow', x, y);
  return record(out, 'pow', [x, y], (g) => {
    let gx: Tensor | null = null;
    let gy: Tensor | null = null;
    if (x.requiresGrad) {
      // b · a^(b−1)
      const d = binaryRaw('mul', 'pow', y, binaryRaw('pow', 'pow', x, binaryRaw('sub', 'pow', y, toTensor('pow', 1))));
      gx = sumToShape(binaryRaw('mul', 'pow', g, d), x.shape);
    }
    if (y.requiresGrad) {
      // a^b · log a, taken as 0 where a = 0 and b ≥ 0 (the limit PyTorch uses)
      const logA = mapBroadcast(x.data, x.shape, y.data, y.shape, out.shape, (p, q) =>
        p === 0 && q >= 0 ? 0 : Math.log(p),
      );
      const d = binaryRaw('mul', 'pow', out, new Tensor(logA, out.shape));
      gy = sumToShape(binaryRaw('mul', 'pow', g, d), y.shape);
    }
    return [gx, gy];
  });
}

function extremum(kind: 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(kind, a, b);
  const out = binaryRaw(kind, kind, x, y);
  return record(out, kind, [x, y], (g) => {
    // Ties split the gradient evenly, as in PyTorch; a NaN operand takes all of it.
    const wx = mapBroadcast(x.data, x.shape, y.data, y.shape, out.shape, (p, q) => {
      if (Number.isNaN(p)) return 1;
      if (Number.isNaN(q)) return 0;
      if (p === q) return 0.5;
      return (kind === 'maximum' ? p > q : p < q) ? 1 : 0;
    });
    const wxT = new Tensor(wx, out.shape);
    let gy: Tensor | null = null;
    if (y.requiresGrad) {
      const wy = new Float32Array(wx.length);
      for (let i = 0; i < wy.length; i++) wy[i] = 1 - wx[i]!;
      gy = sumToShape(binaryRaw('mul', kind, g, new Tensor(wy, out.shape)), y.shape);
    }
    return [x.requiresGrad ? sumToShape(binaryRaw('mul', kind, g, wxT), x.shape) : null, gy];
  });
}

/** Elementwise maximum, broadcasting; NaN propagates. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

/** Elementwise minimum, broadcasting; NaN propagates. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}

/** −x. */
export function neg(x: TensorLike): Tensor {
  const t = toTensor('neg', x, 'x');
  return record(unaryRaw('neg', t), 'neg', [t], (g) => [unaryRaw('neg', g)]);
}

/** |x| (gradient sign(x), 0 at 0). */
export function abs(x: TensorLike): Tensor {
  const t = toTensor('abs', x, 'x');
  return record(unaryRaw('abs', t), 'abs', [t], (g) => {
    const d = new Float32Array(t.size);
    for (let i = 0; i < d.length; i++) d[i] = Math.sign(t.data[i]!) * g.data[i]!;
    return [new Tensor(d, t.shape)];
  });
}

/** eˣ. */
export function exp(x: TensorLike): Tensor {
  const t = toTensor('exp', x, 'x');
  const out = unaryRaw('exp', t);
  return record(out, 'exp', [t], (g) => [binaryRaw('mul', 'exp', g, out)]);
}

/** Natural logarithm. */
export function log(x: TensorLike): Tensor {
  const t = toTensor('log', x, 'x');
  return record(unaryRaw('log', t), 'log', [t], (g) => [binaryRaw('div', 'log', g, t)]);
}

/** Square root. */
export function sqrt(x: TensorLike): Tensor {
  const t = toTensor('sqrt', x, 'x');
  const out = unaryRaw('sqrt', t);
  return record(out, 'sqrt', [t], (g) => [
    binaryRaw('div', 'sqrt', g, binaryRaw('mul', 'sqrt', out, toTensor('sqrt', 2))),
  ]);
}

/** x². */
export function square(x: TensorLike): Tensor {
  const t = toTensor('square', x, 'x');
  return record(unaryRaw('square', t), 'square', [t], (g) => [
    binaryRaw('mul', 'square', g, binaryRaw('mul', 'square', t, toTensor('square', 2))),
  ]);
}

/** 1 / x. */
export function reciprocal(x: TensorLike): Tensor {
  const t = toTensor('reciprocal', x, 'x');
  const out = unaryRaw('reciprocal', t);
  return record(out, 'reciprocal', [t], (g) => [
    unaryRaw('neg', binaryRaw('mul', 'reciprocal', g, unaryRaw('square', out))),
  ]);
}

/**
 * Limits x to [min, max]; either bound may be null (or ±Infinity) for none. The gradient passes
 * where min ≤ x ≤ max.
 */
export function clamp(x: TensorLike, min: number | null, max?: number | null): Tensor {
  const t = toTensor('clamp', x, 'x');
  const lo = min === null || min === undefined ? -Infinity : numberArg('clamp', 'min', min);
  const hi = max === null || max === undefined ? Infinity : numberArg('clamp', 'max', max);
  if (lo > hi) throw new ValueError(`dendrite.clamp: min ${lo} is greater than max ${hi}`);
  // The kernel takes finite bounds: an open side becomes ±FLT_MAX and infinities are put back.
  const out = unaryRaw('clamp', t, Math.max(lo, -FLT_MAX), Math.min(hi, FLT_MAX));
  if (lo === -Infinity || hi === Infinity) {
    for (let i = 0; i < out.size; i++) {
      const v = t.data[i]!;
      if (v === Infinity && hi === Infinity) out.data[i] = Infinity;
      else if (v === -Infinity && lo === -Infinity) out.data[i] = -Infinity;
    }
  }
  return record(out, 'clamp', [t], (g) => {
    const d = new Float32Array(t.size);
    for (let i = 0; i < d.length; i++) {
      const v = t.data[i]!;
      d[i] = v >= lo && v <= hi ? g.data[i]! : 0;
    }
    return [new Tensor(d, t.shape)];
  });
}
