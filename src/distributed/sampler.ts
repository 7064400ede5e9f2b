/**
 * DistributedSampler: which samples each rank trains on in an epoch, with PyTorch's semantics.
 * Every rank computes the same epoch order (a shuffle seeded with seed + epoch, or 0..n-1),
 * pads it by repeating its start until its length is a multiple of worldSize (or, with
 * dropLast, cuts the tail instead), and takes every worldSize-th index starting at its rank.
 * So the ranks' shards are disjoint (apart from the padding), equally long, and together cover
 * every sample each epoch.
 */
import { ArgumentError, describe } from '../errors.js';
import { Random } from '../random.js';

/** Options of a DistributedSampler. */
export interface DistributedSamplerOptions {
  /** Number of ranks (e.g. comm.worldSize). */
  worldSize: number;
  /** This rank (e.g. comm.rank). */
  rank: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Base seed, the same on every rank (default 0); epoch e shuffles with seed + e. */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding (default false). */
  dropLast?: boolean;
}

function intIn(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ArgumentError(`dendrite.DistributedSampler: ${name} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

export class DistributedSampler {
  readonly size: number;
  readonly worldSize: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Samples this rank gets per epoch (the same on every rank). */
  readonly numSamples: number;
  /** numSamples × worldSize: the padded (or cut) length of an epoch's order. */
  readonly totalSize: number;
  private epoch = 0;

  /** A sampler over `size` samples (indices 0 … size-1). */
  constructor(size: number, options: DistributedSamplerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ArgumentError(`dendrite.DistributedSampler: expected { worldSize, rank, ... }, got ${describe(options)}`);
    }
    this.size = intIn('size', size, 0);
    this.worldSize = intIn('worldSize', options.worldSize, 1);
    this.rank = intIn('rank', options.rank, 0, this.worldSize - 1);
    this.shuffle = options.shuffle !== false;
    this.seed = options.seed === undefined ? 0 : intIn('seed', options.seed, 0, 0xffffffff);
    this.dropLast = options.dropLast === true;
    const W = this.worldSize;
    this.numSamples = this.dropLast ? Math.floor(size / W) : Math.ceil(size / W);
    this.totalSize = this.numSamples * W;
  }

  /** Selects the epoch whose order indices() returns (call it every epoch, on every rank). */
  setEpoch(epoch: number): void {
    this.epoch = intIn('epoch', epoch, 0);
  }

  /** The order of all samples this epoch, before padding and sharding (the same on every rank). */
  epochOrder(): Int32Array {
    const order = new Int32Array(this.size);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) new Random((this.seed + this.epoch) >>> 0).shuffle(order);
    return order;
  }

  /** This rank's sample indices for the current epoch: numSamples of them. */
  indices(): Int32Array {
    const order = this.epochOrder();
    const out = new Int32Array(this.numSamples);
    const n = this.size;
    for (let k = 0; k < this.numSamples; k++) {
      // Position in the padded order: past the end it wraps to the start (PyTorch repeats it).
      const p = this.rank + k * this.worldSize;
      out[k] = order[p % n]!;
    }
    return out;
  }
}
