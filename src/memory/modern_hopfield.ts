/**
 * The modern (continuous) Hopfield network of Ramsauer et al., "Hopfield Networks is All You Need"
 * (2020): the stored patterns are the columns of X [N, M]; a state ξ is updated to
 * X·softmax(β·Xᵀξ), the attention of a transformer with the patterns as keys and values. Its
 * capacity grows exponentially with N, and one update usually lands on a stored pattern.
 */
import { ArgumentError, ShapeError, ValueError, describe } from '../errors.js';
import { softmax } from '../ops/activation.js';
import { matmul } from '../ops/matmul.js';
import { transpose } from '../ops/shape.js';
import { Tensor } from '../tensor.js';

export interface RetrieveOptions {
  /** Inverse temperature: large β picks the single closest pattern, small β blends them. Default 1. */
  beta?: number;
  /** Most updates (default 1; stops early at a fixed point). */
  steps?: number;
}

export interface RetrieveResult {
  /** The retrieved state (real-valued). */
  readonly state: Float32Array;
  /** Updates made. */
  readonly steps: number;
  /** Whether the last update left the state (nearly) unchanged. */
  readonly converged: boolean;
  /** softmax(β·Xᵀξ) of the last update: how much each stored pattern contributed. */
  readonly weights: Float32Array;
  /** Index of the pattern with the largest weight. */
  readonly best: number;
}

/** A modern Hopfield memory of M real-valued (or bipolar) patterns of N values. */
export class ModernHopfield {
  /** The stored patterns as columns, [N, M]. */
  readonly patterns: Tensor;
  private readonly patternsT: Tensor;

  /**
   * @param patterns X as [N, M] (one pattern per column), or a list of M patterns of N values.
   */
  constructor(patterns: Tensor | readonly (Float32Array | readonly number[])[]) {
    if (patterns instanceof Tensor) {
      if (patterns.rank !== 2 || patterns.shape[1] === 0) {
        throw new ShapeError(`dendrite.ModernHopfield: patterns must be [N, M] with M ≥ 1, got [${patterns.shape.join(', ')}]`);
      }
      this.patternsT = transpose(patterns);
      this.patterns = patterns;
    } else if (Array.isArray(patterns)) {
      const list = patterns as readonly (Float32Array | readonly number[])[];
      if (list.length === 0) throw new ShapeError('dendrite.ModernHopfield: needs at least one pattern');
      const n = list[0]!.length;
      const data = new Float32Array(list.length * n);
      list.forEach((p, i) => {
        if (p.length !== n) throw new ShapeError(`dendrite.ModernHopfield: pattern ${i} has ${p.length} values, pattern 0 has ${n}`);
        data.set(p, i * n);
      });
      this.patternsT = new Tensor(data, [list.length, n]);
      this.patterns = transpose(this.patternsT);
    } else {
      throw new ArgumentError(`dendrite.ModernHopfield: patterns must be a Tensor or an array, got ${describe(patterns)}`);
    }
    for (const v of this.patternsT.data) {
      if (!Number.isFinite(v)) throw new ValueError('dendrite.ModernHopfield: patterns must be finite');
    }
  }

  /** N, the length of a pattern. */
  get size(): number {
    return this.patterns.shape[0]!;
  }

  /** M, the number of stored patterns. */
  get patternCount(): number {
    return this.patterns.shape[1]!;
  }

  /** Iterates ξ ← X·softmax(β·Xᵀξ) from the query ξ. */
  retrieve(query: Float32Array | readonly number[] | Tensor, options: RetrieveOptions = {}): RetrieveResult {
    const beta = options.beta ?? 1;
    const steps = options.steps ?? 1;
    if (!(Number.isFinite(beta) && beta > 0)) throw new ValueError(`dendrite.ModernHopfield.retrieve: beta must be a positive number, got ${beta}`);
    if (!Number.isSafeInteger(steps) || steps < 1) throw new ValueError(`dendrite.ModernHopfield.retrieve: steps must be a positive integer, got ${steps}`);
    const n = this.size;
    const q = query instanceof Tensor ? query.data : Float32Array.from(query as ArrayLike<number>);
    if (q.length !== n) throw new ShapeError(`dendrite.ModernHopfield.retrieve: the query must have ${n} values, got ${q.length}`);
    let xi = new Tensor(Float32Array.from(q), [n, 1]);
    let p: Float32Array = new Float32Array(0);
    for (let t = 1; t <= steps; t++) {
      const scores = matmul(this.patternsT, xi); // [M, 1]
      for (let i = 0; i < scores.data.length; i++) scores.data[i]! *= beta;
      const attn = softmax(scores.reshape([1, this.patternCount]));
      p = attn.data;
      const next = matmul(this.patterns, attn.reshape([this.patternCount, 1])); // [N, 1]
      let change = 0;
      for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(next.data[i]! - xi.data[i]!));
      xi = next;
      if (change < 1e-4) return { state: xi.data, steps: t, converged: true, weights: p, best: argmaxOf(p) };
    }
    return { state: xi.data, steps, converged: false, weights: p, best: argmaxOf(p) };
  }
}

function argmaxOf(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
