/**
 * Inverted dropout as one op: each element is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), or zeroed, so the expected value is unchanged and inference needs no rescaling.
 * The mask is drawn from a seedable Random and kept (one byte per element) for the backward pass.
 */
import { record } from '../autograd.js';
import { ArgumentError, ValueError, describe } from '../errors.js';
import { Random, globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import { alloc } from './checks.js';

/** Options of dropout. */
export interface DropoutOptions {
  /** Generator of the mask (default: the global one, so manualSeed makes it reproducible). */
  rng?: Random;
  /** When false, dropout is the identity (default true). */
  training?: boolean;
}

/**
 * Zeroes each element with probability `rate` (in [0, 1)) and scales the rest by 1/(1 − rate).
 * Returns `x` itself when not training or when rate is 0.
 */
export function dropout(x: Tensor, rate: number, options: DropoutOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.dropout: x must be a Tensor, got ${describe(x)}`);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new ValueError(`dendrite.dropout: rate must be a number in [0, 1), got ${describe(rate)}`);
  }
  const rng = options.rng ?? globalRandom;
  if (!(rng instanceof Random)) throw new ArgumentError(`dendrite.dropout: rng must be a Random, got ${describe(rng)}`);
  if (options.training === false || rate === 0) return x;
  const n = x.size;
  const scale = 1 / (1 - rate);
  // Kept when a uniform 32-bit draw is at or above rate·2³²: P(keep) = 1 − rate to 2⁻³².
  const threshold = rate * 4294967296;
  const keep = new Uint8Array(n);
  const xd = x.data;
  const y = alloc('dropout', n);
  for (let i = 0; i < n; i++) {
    if (rng.nextUint32() >= threshold) {
      keep[i] = 1;
      y[i] = xd[i]! * scale;
    }
  }
  return record(new Tensor(y, x.shape), 'dropout', [x], (g) => {
    const gd = g.data;
    const dx = alloc('dropout', n);
    for (let i = 0; i < n; i++) if (keep[i] === 1) dx[i] = gd[i]! * scale;
    return [new Tensor(dx, x.shape)];
  });
}
