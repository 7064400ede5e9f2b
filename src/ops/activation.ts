/**
 * The 13 activations, softmax and log-softmax, each forward beside its backward, on the backend's
 * activation kernels. Also the activation names the public API accepts (camelCase, or Keras'
 * snake_case) and the derivatives computed from an activation's output alone, which the fused
 * linear op uses.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/index.js';
import type { ActivationName } from '../backend/backend.js';
import { ArgumentError, ShapeError, describe } from '../errors.js';
import { Tensor } from '../tensor.js';
import { alloc, allocOut, finiteArg, normAxis, scratchBuffer } from './checks.js';
import { permute } from './shape.js';

/** Activation names accepted by `linear` and the layers (camelCase, or Keras' snake_case). */
export type ActivationKind =
  | 'linear' | 'identity' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'elu' | 'selu' | 'sigmoid'
  | 'hardSigmoid' | 'hard_sigmoid' | 'tanh' | 'softplus' | 'softsign' | 'silu' | 'swish'
  | 'gelu' | 'geluTanh' | 'gelu_tanh';

/** An activation by name, or with its parameter (leakyRelu's slope, elu's alpha). */
export type ActivationSpec = ActivationKind | { name: ActivationKind; alpha?: number };

/** GELU variant: 'none' is the exact erf form (PyTorch's default), 'tanh' the approximation. */
export interface GeluOptions {
  approximate?: 'none' | 'tanh';
}

const KINDS: Record<ActivationKind, ActivationName> = {
  linear: 'identity', identity: 'identity', relu: 'relu', leakyRelu: 'leaky_relu',
  leaky_relu: 'leaky_relu', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid',
  hardSigmoid: 'hard_sigmoid', hard_sigmoid: 'hard_sigmoid', tanh: 'tanh', softplus: 'softplus',
  softsign: 'softsign', silu: 'silu', swish: 'silu', gelu: 'gelu_erf', geluTanh: 'gelu',
  gelu_tanh: 'gelu',
};

/** Default leakyRelu slope (PyTorch's) and elu alpha. */
export const DEFAULT_LEAKY_SLOPE = 0.01;
export const DEFAULT_ELU_ALPHA = 1;

/** Maps a public activation spec to the backend's name and parameter. */
export function resolveActivation(op: string, spec: ActivationSpec | null | undefined): { act: ActivationName; alpha: number } {
  if (spec === undefined || spec === null) return { act: 'identity', alpha: 0 };
  const name = typeof spec === 'string' ? spec : typeof spec === 'object' ? spec.name : undefined;
  const act = name === undefined ? undefined : Object.prototype.hasOwnProperty.call(KINDS, name) ? KINDS[name] : undefined;
  if (act === undefined) {
    throw new ArgumentError(
      `dendrite.${op}: unknown activation ${describe(name ?? spec)}; expected one of ${Object.keys(KINDS).join(', ')}`,
    );
  }
  let alpha = act === 'leaky_relu' ? DEFAULT_LEAKY_SLOPE : act === 'elu' ? DEFAULT_ELU_ALPHA : 0;
  if (typeof spec === 'object' && spec.alpha !== undefined) alpha = finiteArg(op, 'activation alpha', spec.alpha);
  return { act, alpha };
}

const SELU_LAMBDA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/**
 * Whether f'(x) can be recovered from y = f(x) alone: then a fused forward need not keep its
 * pre-activation.
 */
export function derivableFromOutput(act: ActivationName, alpha: number): boolean {
  switch (act) {
    case 'identity': case 'relu': case 'selu': case 'sigmoid': case 'hard_sigmoid': case 'tanh':
    case 'softplus': case 'softsign':
      return true;
    case 'leaky_relu':
      return alpha >= 0;
    case 'elu':
      return alpha > 0;
    default:
      return false;
  }
}

/**
 * dx = f'(x)·dy computed from the output y (only where derivableFromOutput holds), for use
 * inside a backward closure only: the result is dy itself for identity and otherwise the shared
 * scratch buffer (see scratchBuffer), overwritten by the next call. Callers read it and drop it.
 */
export function backwardFromOutput(act: ActivationName, alpha: number, y: Float32Array, dy: Float32Array): Float32Array {
  const n = y.length;
  if (act === 'identity') return dy;
  const dx = scratchBuffer(n);
  // relu and leaky relu with a non-negative slope have y > 0 exactly where x > 0, so the
  // native kernel (which branches on x > 0) can take y for x.
  if (act === 'relu' || (act === 'leaky_relu' && alpha >= 0)) {
    getBackend().activationBackward(act, y, y, dy, dx, alpha);
    return dx;
  }
  switch (act) {
    case 'leaky_relu':
      for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 ? dy[i]! : alpha * dy[i]!;
      break;
    case 'elu':
      for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 ? dy[i]! : (y[i]! + alpha) * dy[i]!;
      break;
    case 'selu':
      for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 ? SELU_LAMBDA * dy[i]! : (y[i]! + SELU_LAMBDA * SELU_ALPHA) * dy[i]!;
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = y[i]! * (1 - y[i]!) * dy[i]!;
      break;
    case 'hard_sigmoid':
      for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 && y[i]! < 1 ? dy[i]! / 6 : 0;
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = (1 - y[i]! * y[i]!) * dy[i]!;
      break;
    case 'softplus':
      // sigmoid(x) = 1 − e^(−y)
      for (let i = 0; i < n; i++) dx[i] = -Math.expm1(-y[i]!) * dy[i]!;
      break;
    case 'softsign':
      // 1/(1+|x|)² = (1 − |y|)²
      for (let i = 0; i < n; i++) {
        const t = 1 - Math.abs(y[i]!);
        dx[i] = t * t * dy[i]!;
      }
      break;
    default:
      throw new Error(`dendrite: internal: no output-only derivative for '${act}'`);
  }
  return dx;
}

function checkTensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: x must be a Tensor, got ${describe(x)}`);
  return x;
}

function activationOp(op: string, act: ActivationName, input: Tensor, alpha = 0): Tensor {
  const x = checkTensor(op, input);
  const y = allocOut(op, x.size);
  if (y.length > 0) getBackend().activation(act, x.data, y, alpha);
  return record(new Tensor(y, x.shape), op, [x], (g) => {
    const dx = allocOut(op, x.size);
    if (dx.length > 0) getBackend().activationBackward(act, x.data, y, g.data, dx, alpha);
    return [new Tensor(dx, x.shape)];
  });
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor { return activationOp('relu', 'relu', x); }
/** x for x > 0, alpha·x otherwise (alpha default 0.01). */
export function leakyRelu(x: Tensor, alpha = DEFAULT_LEAKY_SLOPE): Tensor {
  return activationOp('leakyRelu', 'leaky_relu', x, finiteArg('leakyRelu', 'alpha', alpha));
}
/** x for x > 0, alpha·(eˣ − 1) otherwise (alpha default 1). */
export function elu(x: Tensor, alpha = DEFAULT_ELU_ALPHA): Tensor {
  return activationOp('elu', 'elu', x, finiteArg('elu', 'alpha', alpha));
}
/** Scaled ELU with the self-normalising constants. */
export function selu(x: Tensor): Tensor { return activationOp('selu', 'selu', x); }
/** 1 / (1 + e^−x). */
export function sigmoid(x: Tensor): Tensor { return activationOp('sigmoid', 'sigmoid', x); }
/** clamp(x/6 + 1/2, 0, 1) (PyTorch, Keras 3). */
export function hardSigmoid(x: Tensor): Tensor { return activationOp('hardSigmoid', 'hard_sigmoid', x); }
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor { return activationOp('tanh', 'tanh', x); }
/** log(1 + eˣ). */
export function softplus(x: Tensor): Tensor { return activationOp('softplus', 'softplus', x); }
/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor { return activationOp('softsign', 'softsign', x); }
/** x·sigmoid(x). */
export function silu(x: Tensor): Tensor { return activationOp('silu', 'silu', x); }
/** Alias of silu. */
export function swish(x: Tensor): Tensor { return activationOp('swish', 'silu', x); }
/** GELU: exact (erf) by default as in PyTorch; `{ approximate: 'tanh' }` for the tanh form. */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approx = options.approximate ?? 'none';
  if (approx !== 'none' && approx !== 'tanh') {
    throw new ArgumentError(`dendrite.gelu: approximate must be 'none' or 'tanh', got ${describe(approx)}`);
  }
  return activationOp('gelu', approx === 'tanh' ? 'gelu' : 'gelu_erf', x);
}

/**
 * For each tensor produced by softmax over its last axis, the logits it came from. Cross-entropy
 * losses given such a tensor compute from the logits with the fused, stable softmax
 * cross-entropy (as Keras does); weak keys, so nothing is kept alive by this map.
 */
export const softmaxInputs = new WeakMap<Tensor, Tensor>();

function softmaxOp(op: 'softmax' | 'logSoftmax', input: Tensor, axis: number): Tensor {
  const x = checkTensor(op, input);
  if (x.rank === 0) throw new ShapeError(`dendrite.${op}: needs at least one dimension, got a rank-0 tensor`);
  const a = normAxis(op, axis, x.rank);
  const last = x.rank - 1;
  if (a !== last) {
    // Move the axis last, work on rows, move it back (gradients follow through permute).
    const dims = x.shape.map((_, i) => i);
    dims.splice(a, 1);
    dims.push(a);
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => { inv[d] = i; });
    return permute(softmaxOp(op, permute(x, dims), -1), inv);
  }
  const cols = x.shape[last]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const log = op === 'logSoftmax';
  const y = allocOut(op, x.size);
  if (y.length > 0) getBackend().softmax(x.data, y, rows, cols, log);
  const out = record(new Tensor(y, x.shape), op, [x], (g) => {
    const dx = allocOut(op, x.size);
    if (dx.length > 0) getBackend().softmaxBackward(y, g.data, dx, rows, cols, log);
    return [new Tensor(dx, x.shape)];
  });
  if (!log) softmaxInputs.set(out, x);
  return out;
}

/** exp(x) / Σ exp(x) along `axis` (default last), numerically stable. */
export function softmax(x: Tensor, axis = -1): Tensor { return softmaxOp('softmax', x, axis); }

/** log(softmax(x)) along `axis` (default last), computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor { return softmaxOp('logSoftmax', x, axis); }
