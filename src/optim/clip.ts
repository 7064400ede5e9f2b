/**
 * Gradient clipping, torch.nn.utils style, for custom loops (`loss.backward();
 * clipGradNorm(params, 1); opt.step()`). Optimisers given clipnorm/clipvalue/globalClipnorm do
 * the same inside their update kernel instead, without these extra passes over the gradients.
 */
import { getBackend } from '../backend/index.js';
import { ArgumentError, ValueError, describe } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Added to the norm before dividing, as PyTorch, so a zero gradient gives a finite scale. */
export const CLIP_NORM_EPSILON = 1e-6;

/** The factor that brings gradients of L2 norm `norm` down to at most `maxNorm` (1 when already below). */
export function clipScale(norm: number, maxNorm: number): number {
  const s = maxNorm / (norm + CLIP_NORM_EPSILON);
  // NaN norm gives NaN: the gradients are broken, and the update shows it instead of hiding it.
  return Number.isNaN(s) ? s : Math.min(1, s);
}

/** The gradient arrays of the tensors that have one (frozen or unused parameters have none). */
function gradArrays(op: string, params: Iterable<Tensor> | Tensor): Float32Array[] {
  const list = params instanceof Tensor ? [params] : params;
  if (list === null || typeof list !== 'object' || typeof (list as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new ArgumentError(`dendrite.${op}: params must be a Tensor or an iterable of Tensors, got ${describe(params)}`);
  }
  const out: Float32Array[] = [];
  const seen = new Set<Tensor>();
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: every parameter must be a Tensor, got ${describe(p)}`);
    if (seen.has(p)) continue;
    seen.add(p);
    if (p.grad !== null) out.push(p.grad.data);
  }
  return out;
}

/** L2 norm of all the gradients together, accumulated in float64 by the backend. */
export function globalNorm(grads: readonly Float32Array[]): number {
  return grads.length === 0 ? 0 : Math.sqrt(getBackend().sumOfSquares(grads));
}

export interface ClipGradNormOptions {
  /** Throw a ValueError when the total norm is NaN or infinite (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `params` in place so that their joint L2 norm is at most maxNorm
 * (factor maxNorm / (norm + 1e-6) when above it). Returns the total norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0)) {
    throw new ValueError(`dendrite.clipGradNorm: maxNorm must be a positive number, got ${describe(maxNorm)}`);
  }
  const grads = gradArrays('clipGradNorm', params);
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm) && options.errorIfNonfinite === true) {
    throw new ValueError(`dendrite.clipGradNorm: the total gradient norm is ${norm}`);
  }
  const scale = clipScale(norm, maxNorm);
  if (scale !== 1) {
    const b = getBackend();
    const s = new Float32Array([scale]);
    for (const g of grads) if (g.length > 0) b.binary('mul', g, [g.length], s, [], g, [g.length]);
  }
  return norm;
}

/** Clamps every gradient element of `params` to [−clipValue, clipValue] in place. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue > 0)) {
    throw new ValueError(`dendrite.clipGradValue: clipValue must be a positive number, got ${describe(clipValue)}`);
  }
  const grads = gradArrays('clipGradValue', params);
  // A bound beyond float32's range clips nothing (and the kernel takes finite float32 bounds).
  if (!Number.isFinite(Math.fround(clipValue))) return;
  const b = getBackend();
  for (const g of grads) b.unary('clamp', g, g, -clipValue, clipValue);
}
