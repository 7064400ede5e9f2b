/**
 * Reference activations and softmax: float64 math through Math.*, one element at a time.
 * Conventions (the native kernels follow them): NaN in x gives NaN out; ±Inf give the
 * mathematical limits. Backward: relu, leaky_relu, elu, selu and hard_sigmoid pick their branch
 * with x > 0 (−3 < x < 3 for hard_sigmoid), so a NaN x takes the other branch; sigmoid and tanh
 * use the forward output y, the others x. Softmax of a row holding NaN, +Inf or only −Inf is NaN.
 */
import type { ActivationName } from '../backend.js';

const SELU_LAMBDA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** erf with relative error below 1e−13 (series near 0, continued fraction for erfc beyond). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcPositive(a));
}

/** erfc(x) for x ≥ 2 by its continued fraction (Lentz). */
function erfcPositive(x: number): number {
  if (x > 27) return 0;
  // erfc(x) = e^(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erfc with relative accuracy for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcPositive(x);
  if (x <= -2) return 2 - erfcPositive(-x);
  return 1 - erf(x);
}

function forwardOne(act: ActivationName, x: number, alpha: number): number {
  switch (act) {
    case 'identity': return x;
    case 'relu': return Number.isNaN(x) ? NaN : Math.max(0, x);
    case 'leaky_relu': return x > 0 ? x : alpha * x;
    case 'elu': return x > 0 ? x : alpha * Math.expm1(x);
    case 'selu': return SELU_LAMBDA * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'sigmoid': return sigmoid(x);
    case 'hard_sigmoid': return Number.isNaN(x) ? NaN : Math.min(1, Math.max(0, x / 6 + 0.5));
    case 'tanh': return Math.tanh(x);
    case 'softplus': return Number.isNaN(x) ? NaN : Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'softsign': return Math.abs(x) === Infinity ? Math.sign(x) : x / (1 + Math.abs(x));
    case 'silu': return x === -Infinity ? 0 : x * sigmoid(x);
    case 'gelu': {
      if (x === -Infinity) return 0;
      if (x === Infinity) return Infinity;
      return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x)));
    }
    case 'gelu_erf': return x === -Infinity ? 0 : 0.5 * x * erfc(-x / Math.SQRT2);
  }
}

function derivativeOne(act: ActivationName, x: number, y: number, alpha: number): number {
  switch (act) {
    case 'identity': return 1;
    case 'relu': return x > 0 ? 1 : 0;
    case 'leaky_relu': return x > 0 ? 1 : alpha;
    case 'elu': return x > 0 ? 1 : alpha * Math.exp(x);
    case 'selu': return x > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(x);
    case 'sigmoid': return y * (1 - y);
    case 'hard_sigmoid': return x > -3 && x < 3 ? 1 / 6 : 0;
    case 'tanh': return 1 - y * y;
    case 'softplus': return sigmoid(x);
    case 'softsign': return 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)));
    case 'silu': {
      if (x === Infinity) return 1;
      if (x === -Infinity) return 0;
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case 'gelu': {
      if (x === Infinity) return 1;
      if (x === -Infinity) return 0;
      const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
      const dt = (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
      return 0.5 * (1 + t) + 0.5 * x * dt;
    }
    case 'gelu_erf': {
      if (x === Infinity) return 1;
      if (x === -Infinity) return 0;
      return 0.5 * erfc(-x / Math.SQRT2) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
    }
  }
}

/** y = f(x) elementwise (y may be x). alpha: leaky_relu slope or elu alpha. */
export function activation(act: ActivationName, x: Float32Array, y: Float32Array, alpha: number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] = forwardOne(act, x[i]!, alpha);
}

/** dx = f'(x)·dy (dx may be dy). */
export function activationBackward(
  act: ActivationName, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
  alpha: number,
): void {
  const n = x.length;
  for (let i = 0; i < n; i++) dx[i] = derivativeOne(act, x[i]!, y[i]!, alpha) * dy[i]!;
}

/** Row-wise softmax (or log-softmax) of a rows×cols matrix, max subtracted. */
export function softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean): void {
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    let nan = false;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j]!;
      if (Number.isNaN(v)) nan = true;
      if (v > m) m = v;
    }
    if (nan) m = NaN;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      e[j] = Math.exp(x[o + j]! - m);
      sum += e[j]!;
    }
    const ls = Math.log(sum);
    for (let j = 0; j < cols; j++) y[o + j] = log ? x[o + j]! - m - ls : e[j]! / sum;
  }
}

/** Softmax: dx = y⊙(dy − Σdy⊙y); log-softmax: dx = dy − exp(y)·Σdy. dx may be dy. */
export function softmaxBackward(
  y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += log ? dy[o + j]! : dy[o + j]! * y[o + j]!;
    for (let j = 0; j < cols; j++) {
      dx[o + j] = log ? dy[o + j]! - Math.exp(y[o + j]!) * s : y[o + j]! * (dy[o + j]! - s);
    }
  }
}
