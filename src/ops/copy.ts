/**
 * The one strided copy behind the layout ops: the backend's kernel up to the rank it takes, the
 * reference loop (any rank) above it.
 */
import { getBackend } from '../backend/index.js';
import { copyStrided as copyAnyRank } from '../backend/reference/copy.js';
import { MAX_KERNEL_RANK } from './checks.js';

/** out[idx] = x[Σ idx_d·strides_d] over `shape`; out dense, or addressed by outStrides. */
export function copyStrided(
  x: Float32Array, shape: readonly number[], strides: readonly number[], out: Float32Array,
  outStrides?: readonly number[],
): void {
  if (shape.length <= MAX_KERNEL_RANK) getBackend().copyStrided(x, shape, strides, out, outStrides);
  else copyAnyRank(x, shape, strides, out, outStrides);
}
