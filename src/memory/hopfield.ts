/**
 * The classical Hopfield network: N bipolar (±1) units, symmetric weights with a zero diagonal,
 * patterns stored by the Hebbian or the Storkey rule and recalled by letting the state roll
 * downhill in the energy E = −½ sᵀWs.
 */
import { ArgumentError, ShapeError, ValueError, describe } from '../errors.js';
import { matmul } from '../ops/matmul.js';
import { transpose } from '../ops/shape.js';
import { Random, globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';

/** How patterns become weights. */
export type LearningRule = 'hebbian' | 'storkey';

/** 'synchronous': every unit at once; 'asynchronous': one unit at a time, in random order. */
export type UpdateMode = 'synchronous' | 'asynchronous';

/** A pattern: a Float32Array of ±1, a plain array, or a tensor of N elements. */
export type PatternLike = Float32Array | readonly number[] | Tensor;

export interface RecallOptions {
  /** Default 'asynchronous' (which always converges). */
  mode?: UpdateMode;
  /** Most steps: a synchronous step updates every unit once, an asynchronous step is one sweep over all units in random order. Default 100. */
  maxSteps?: number;
  /** Drives the asynchronous update order (default the global generator). */
  rng?: Random;
}

export interface RecallResult {
  /** The final state (±1). */
  readonly state: Float32Array;
  /** Steps taken (the last one changed nothing when converged). */
  readonly steps: number;
  /** Whether the state reached a fixed point within maxSteps. */
  readonly converged: boolean;
  /** The cue's energy, then the energy after each step (length steps + 1). */
  readonly energies: number[];
}

function toArray(op: string, p: PatternLike, n: number): Float32Array {
  let a: Float32Array;
  if (p instanceof Tensor) a = p.data;
  else if (p instanceof Float32Array) a = p;
  else if (Array.isArray(p)) a = Float32Array.from(p as readonly number[]);
  else throw new ArgumentError(`dendrite.${op}: a pattern must be a Float32Array, an array or a Tensor, got ${describe(p)}`);
  if (a.length !== n) throw new ShapeError(`dendrite.${op}: a pattern must have ${n} elements (one per unit), got ${a.length}`);
  for (let i = 0; i < n; i++) {
    if (a[i] !== 1 && a[i] !== -1) throw new ValueError(`dendrite.${op}: patterns are bipolar (±1), element ${i} is ${a[i]}`);
  }
  return a;
}

/** Turns values into ±1 by a threshold: v > threshold → +1, else −1 (pixels in [0, 1] with 0.5). */
export function bipolar(values: ArrayLike<number>, threshold = 0.5): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! > threshold ? 1 : -1;
  return out;
}

/** Fraction of units where two states agree (1 = identical). */
export function overlap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError(`dendrite.overlap: states of ${a.length} and ${b.length} units`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (Math.sign(a[i]!) === Math.sign(b[i]!)) same++;
  return a.length === 0 ? 1 : same / a.length;
}

/** A copy of `pattern` with `fraction` of its units (chosen at random, exactly round(fraction·N)) flipped. */
export function corrupt(pattern: ArrayLike<number>, fraction: number, rng: Random = globalRandom): Float32Array {
  if (!(fraction >= 0 && fraction <= 1)) throw new ValueError(`dendrite.corrupt: fraction must be in [0, 1], got ${fraction}`);
  const out = Float32Array.from(pattern);
  const order = rng.shuffle(Int32Array.from({ length: out.length }, (_, i) => i));
  const flips = Math.round(fraction * out.length);
  for (let k = 0; k < flips; k++) out[order[k]!] = -out[order[k]!]!;
  return out;
}

/** A classical Hopfield network of `size` bipolar units. */
export class HopfieldNetwork {
  readonly size: number;
  /** Symmetric [size, size] weights with a zero diagonal. */
  readonly weights: Tensor;
  private stored = 0;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new ValueError(`dendrite.HopfieldNetwork: size must be a positive integer, got ${size}`);
    this.size = size;
    this.weights = new Tensor(new Float32Array(size * size), [size, size]);
  }

  /** Number of patterns stored so far. */
  get patternCount(): number {
    return this.stored;
  }

  /**
   * Adds patterns to the memory. 'hebbian': W += Σ ppᵀ/N; 'storkey': Storkey's (1997) local
   * incremental rule, which subtracts the crosstalk of what is already stored and so holds more
   * (and more correlated) patterns. The diagonal stays zero.
   *
   * @param patterns A [count, N] tensor or a list of ±1 patterns.
   */
  store(patterns: Tensor | readonly PatternLike[], rule: LearningRule = 'hebbian'): this {
    const n = this.size;
    const list = this.patternList(patterns);
    if (rule === 'hebbian') {
      if (list.length === 0) return this;
      const p = new Tensor(new Float32Array(list.length * n), [list.length, n]);
      list.forEach((x, i) => p.data.set(x, i * n));
      const outer = matmul(transpose(p), p).data;
      const w = this.weights.data;
      for (let i = 0; i < w.length; i++) w[i]! += outer[i]! / n;
    } else if (rule === 'storkey') {
      for (const x of list) this.storkeyStep(x);
    } else {
      throw new ArgumentError(`dendrite.HopfieldNetwork.store: rule must be 'hebbian' or 'storkey', got ${describe(rule)}`);
    }
    const w = this.weights.data;
    for (let i = 0; i < n; i++) w[i * n + i] = 0;
    this.stored += list.length;
    return this;
  }

  // Δw_ij = (ξiξj − ξi·h_ji − h_ij·ξj)/N with the local field h_ij = Σ_{k≠i,j} w_ik ξ_k = h_i − w_ij ξ_j
  // (zero diagonal); for ±1 patterns this is (ξiξj − ξi·h_j − h_i·ξj + 2w_ij)/N.
  private storkeyStep(x: Float32Array): void {
    const n = this.size;
    const h = matmul(this.weights, new Tensor(x, [n, 1])).data;
    const w = this.weights.data;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const hi = h[i]!;
      const row = i * n;
      for (let j = 0; j < n; j++) {
        w[row + j]! += (xi * x[j]! - xi * h[j]! - hi * x[j]! + 2 * w[row + j]!) / n;
      }
    }
  }

  private patternList(patterns: Tensor | readonly PatternLike[]): Float32Array[] {
    const n = this.size;
    if (patterns instanceof Tensor) {
      if (patterns.rank !== 2 || patterns.shape[1] !== n) {
        throw new ShapeError(`dendrite.HopfieldNetwork.store: patterns must be [count, ${n}], got [${patterns.shape.join(', ')}]`);
      }
      const count = patterns.shape[0]!;
      return Array.from({ length: count }, (_, i) => toArray('HopfieldNetwork.store', patterns.data.subarray(i * n, (i + 1) * n), n));
    }
    if (!Array.isArray(patterns)) throw new ArgumentError(`dendrite.HopfieldNetwork.store: patterns must be a Tensor or an array of patterns, got ${describe(patterns)}`);
    return patterns.map((p: PatternLike) => toArray('HopfieldNetwork.store', p, n));
  }

  /** E = −½ sᵀWs of a ±1 state. */
  energy(state: PatternLike): number {
    const s = toArray('HopfieldNetwork.energy', state, this.size);
    return energyOf(s, this.field(s));
  }

  private field(s: Float32Array): Float32Array {
    return matmul(this.weights, new Tensor(s, [this.size, 1])).data;
  }

  /**
   * Lets the network settle from `cue`. Synchronous steps set s ← sign(Ws) for all units (a unit
   * with zero field keeps its value) and may end in a 2-cycle (converged false); asynchronous
   * sweeps update one unit at a time, never raise the energy and always reach a fixed point.
   */
  recall(cue: PatternLike, options: RecallOptions = {}): RecallResult {
    const mode = options.mode ?? 'asynchronous';
    const maxSteps = options.maxSteps ?? 100;
    if (mode !== 'synchronous' && mode !== 'asynchronous') {
      throw new ArgumentError(`dendrite.HopfieldNetwork.recall: mode must be 'synchronous' or 'asynchronous', got ${describe(mode)}`);
    }
    if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) throw new ValueError(`dendrite.HopfieldNetwork.recall: maxSteps must be a positive integer, got ${maxSteps}`);
    const s = Float32Array.from(toArray('HopfieldNetwork.recall', cue, this.size));
    return mode === 'synchronous' ? this.recallSync(s, maxSteps) : this.recallAsync(s, maxSteps, options.rng ?? globalRandom);
  }

  private recallSync(s: Float32Array, maxSteps: number): RecallResult {
    const n = this.size;
    let h = this.field(s);
    const energies = [energyOf(s, h)];
    let previous: Float32Array | null = null;
    for (let step = 1; step <= maxSteps; step++) {
      const next = new Float32Array(n);
      let changed = 0;
      for (let i = 0; i < n; i++) {
        next[i] = h[i]! > 0 ? 1 : h[i]! < 0 ? -1 : s[i]!;
        if (next[i] !== s[i]) changed++;
      }
      h = this.field(next);
      energies.push(energyOf(next, h));
      if (changed === 0) return { state: next, steps: step, converged: true, energies };
      // A period-2 cycle: synchronous dynamics can alternate forever between two states.
      if (previous !== null && equal(previous, next)) return { state: next, steps: step, converged: false, energies };
      previous = s;
      s = next;
    }
    return { state: s, steps: maxSteps, converged: false, energies };
  }

  private recallAsync(s: Float32Array, maxSteps: number, rng: Random): RecallResult {
    const n = this.size;
    const w = this.weights.data;
    // The field is kept up to date incrementally: a flip of unit i changes h by 2·s_i·W[:, i].
    const h = Float64Array.from(this.field(s));
    const energies = [energyOf(s, h)];
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let step = 1; step <= maxSteps; step++) {
      rng.shuffle(order);
      let changed = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k]!;
        const v = h[i]! > 0 ? 1 : h[i]! < 0 ? -1 : s[i]!;
        if (v === s[i]) continue;
        s[i] = v;
        changed++;
        const row = i * n; // W is symmetric: column i = row i
        for (let j = 0; j < n; j++) h[j]! += 2 * v * w[row + j]!;
      }
      energies.push(energyOf(s, h));
      if (changed === 0) return { state: s, steps: step, converged: true, energies };
    }
    return { state: s, steps: maxSteps, converged: false, energies };
  }
}

function energyOf(s: Float32Array, h: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < s.length; i++) e += s[i]! * h[i]!;
  return -0.5 * e;
}

function equal(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
