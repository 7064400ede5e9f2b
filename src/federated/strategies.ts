/**
 * Server strategies: how a round's client updates become the next global parameters.
 *
 * Every strategy first validates each update (layout, finite values, example count, an optional
 * norm bound; see validation.ts), optionally clips each client's change Δ_i = w_i − w_global to a
 * norm, then combines what is left. A bad update becomes a Rejection in the round's result and
 * the round goes on; when nothing usable arrives the global parameters are kept.
 *
 * - FedAvg (McMahan et al. 2017): the mean of the clients' parameters weighted by their example
 *   counts. FedProx (Li et al. 2020) aggregates the same way and asks clients for the proximal
 *   term μ/2‖w − w_global‖² (see clientConfig).
 * - FedAdagrad / FedAdam / FedYogi (Reddi et al. 2021): a server optimiser stepping along the
 *   pseudo-gradient Δ = weighted mean of the clients' parameters − w_global.
 * - Coordinate-wise median, trimmed mean (Yin et al. 2018), Krum and Multi-Krum (Blanchard et al.
 *   2017): aggregators that tolerate a share of arbitrary (Byzantine) updates.
 * - DP-FedAvg (McMahan et al. 2018): each Δ_i clipped to C, Gaussian noise σ·C added to their
 *   sum, with an RDP accountant reporting the (ε, δ) spent.
 */
import { ArgumentError, describe } from '../errors.js';
import { Random } from '../random.js';
import { RdpAccountant, type PrivacySpent, type RdpConversion } from './accountant.js';
import { clipWeightsNorm, squaredDistance, weightedSum, weightsNorm, type WeightShapes, type Weights } from './parameters.js';
import { validateUpdate, type ClientUpdate, type Rejection } from './validation.js';

/** What the server asks of the clients in a round (sent with the global parameters). */
export interface ClientConfig {
  /** FedProx's μ: clients add μ(w − w_global) to each gradient. 0 means plain local training. */
  readonly proximalMu: number;
}

/** An accepted update, as the combining step sees it. */
export interface AcceptedUpdate {
  readonly clientId: number | string;
  /** The client's parameters (global + delta, after any clipping). */
  readonly weights: Weights;
  /** Its change from the global parameters (after any clipping). */
  readonly delta: Weights;
  readonly numExamples: number;
}

/** One round's aggregation. */
export interface AggregationResult {
  /** The new global parameters (a copy of the old ones when nothing was usable). */
  readonly weights: Weights;
  /** Clients whose updates passed validation. */
  readonly accepted: ReadonlyArray<number | string>;
  /** Updates not used, with the reason. */
  readonly rejected: readonly Rejection[];
  /** For Krum and Multi-Krum: the clients selected. */
  readonly selected?: ReadonlyArray<number | string>;
  /** Clients whose change was scaled down by clipping. */
  readonly clipped: ReadonlyArray<number | string>;
  /** Remarks (e.g. nothing usable arrived, too few clients for Krum's guarantee). */
  readonly notes: readonly string[];
}

/** Options every strategy takes. */
export interface StrategyOptions {
  /** Reject an update whose change from the global parameters has an L2 norm above this. */
  readonly maxUpdateNorm?: number;
  /** Scale each client's change down to this L2 norm before combining (update-norm clipping). */
  readonly clipUpdateNorm?: number;
}

function checkPositive(owner: string, name: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ArgumentError(`dendrite.${owner}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${describe(v)}`);
  }
  return v;
}

function shapesOf(global: readonly Float32Array[]): WeightShapes {
  return global.map((w) => [w.length]);
}

/** The base: validation, clipping and the never-throw round; subclasses supply `combine`. */
export abstract class Strategy {
  /** The name the command line and charts use ('fedavg', 'krum', …). */
  abstract readonly name: string;
  readonly maxUpdateNorm: number | undefined;
  readonly clipUpdateNorm: number | undefined;

  protected constructor(owner: string, options: StrategyOptions = {}) {
    if (options === null || typeof options !== 'object') throw new ArgumentError(`dendrite.${owner}: options must be an object, got ${describe(options)}`);
    this.maxUpdateNorm = options.maxUpdateNorm === undefined ? undefined : checkPositive(owner, 'maxUpdateNorm', options.maxUpdateNorm);
    this.clipUpdateNorm = options.clipUpdateNorm === undefined ? undefined : checkPositive(owner, 'clipUpdateNorm', options.clipUpdateNorm);
  }

  /** What clients should do this round (FedProx overrides it). */
  clientConfig(_round: number): ClientConfig {
    return { proximalMu: 0 };
  }

  /**
   * Validates and combines one round's updates into the next global parameters. Never throws
   * because of what a client sent: bad updates are returned as rejections.
   */
  aggregate(global: readonly Float32Array[], updates: readonly unknown[], round = 0): AggregationResult {
    const shapes = shapesOf(global);
    const accepted: AcceptedUpdate[] = [];
    const rejected: Rejection[] = [];
    const clipped: Array<number | string> = [];
    const notes: string[] = [];
    const deltaOf = (u: ClientUpdate): Weights => (u.kind === 'delta'
      ? u.weights.map((w) => w.slice())
      : u.weights.map((w, i) => {
        const g = global[i]!;
        const d = new Float32Array(w.length);
        for (let j = 0; j < w.length; j++) d[j] = w[j]! - g[j]!;
        return d;
      }));
    for (const raw of Array.isArray(updates) ? updates : []) {
      let why: Rejection | null;
      let delta: Weights;
      try {
        why = validateUpdate(raw, shapes, round, { maxUpdateNorm: this.maxUpdateNorm }, (u) => weightsNorm(deltaOf(u)));
        delta = why === null ? deltaOf(raw as ClientUpdate) : [];
      } catch (err) {
        // Only an exotic object (a getter that throws, a revoked proxy) gets here.
        why = { round, clientId: '?', kind: 'malformed', message: `the update could not be read: ${err instanceof Error ? err.message : 'unknown error'}` };
        delta = [];
      }
      if (why !== null) {
        rejected.push(why);
        continue;
      }
      const u = raw as ClientUpdate;
      if (this.clipUpdateNorm !== undefined && clipWeightsNorm(delta, this.clipUpdateNorm) < 1) clipped.push(u.clientId);
      const weights = delta.map((d, i) => {
        const g = global[i]!;
        const w = new Float32Array(d.length);
        for (let j = 0; j < d.length; j++) w[j] = g[j]! + d[j]!;
        return w;
      });
      accepted.push({ clientId: u.clientId, weights, delta, numExamples: u.numExamples });
    }
    const ids = accepted.map((u) => u.clientId);
    if (accepted.length === 0) {
      notes.push(`round ${round}: no usable update (${rejected.length} rejected); the global parameters are kept`);
      return { weights: global.map((w) => w.slice()), accepted: ids, rejected, clipped, notes };
    }
    const out = this.combine(global, accepted, round, notes);
    return { weights: out.weights, accepted: ids, rejected, clipped, notes, ...(out.selected === undefined ? {} : { selected: out.selected }) };
  }

  /** Combines at least one accepted update into the next global parameters. */
  protected abstract combine(
    global: readonly Float32Array[], accepted: readonly AcceptedUpdate[], round: number, notes: string[],
  ): { weights: Weights; selected?: ReadonlyArray<number | string> };
}

/** The example-weighted mean of the accepted clients' parameters. */
function weightedMean(accepted: readonly AcceptedUpdate[]): Weights {
  let total = 0;
  for (const u of accepted) total += u.numExamples;
  return weightedSum(accepted.map((u) => u.weights), accepted.map((u) => u.numExamples / total));
}

/** FedAvg: w ← Σ n_i w_i / Σ n_i. */
export class FedAvg extends Strategy {
  readonly name: string = 'fedavg';

  constructor(options: StrategyOptions = {}) {
    super('FedAvg', options);
  }

  protected combine(_global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): { weights: Weights } {
    return { weights: weightedMean(accepted) };
  }
}

export interface FedProxOptions extends StrategyOptions {
  /** The proximal coefficient μ ≥ 0 (default 0.01). */
  readonly mu?: number;
}

/**
 * FedProx: FedAvg's aggregation; each client minimises its loss + μ/2‖w − w_global‖², i.e. adds
 * μ(w − w_global) to every gradient before each local step (see localTrain's proximalMu).
 */
export class FedProx extends FedAvg {
  override readonly name = 'fedprox';
  readonly mu: number;

  constructor(options: FedProxOptions = {}) {
    super(options);
    this.mu = checkPositive('FedProx', 'mu', options.mu ?? 0.01, true);
  }

  override clientConfig(_round: number): ClientConfig {
    return { proximalMu: this.mu };
  }
}

export interface FedOptOptions extends StrategyOptions {
  /** Server learning rate η (default 0.1; the first step moves each coordinate by about η). */
  readonly serverLearningRate?: number;
  /** Momentum β1 (default 0.9). */
  readonly beta1?: number;
  /** Second-moment decay β2 (default 0.99; FedAdagrad ignores it). */
  readonly beta2?: number;
  /** Adaptivity τ (default 1e-3). */
  readonly tau?: number;
  /** v's starting value (default τ², as v₋₁ ≥ τ² in Reddi et al.'s Algorithm 2). */
  readonly initialAccumulator?: number;
}

type FedOptRule = 'adagrad' | 'adam' | 'yogi';

/**
 * The adaptive server optimisers of Reddi et al. 2021, Algorithm 2. With Δ the example-weighted
 * mean of the clients' changes:
 *   m ← β1·m + (1−β1)·Δ
 *   v ← v + Δ²                              (FedAdagrad)
 *   v ← β2·v + (1−β2)·Δ²                    (FedAdam)
 *   v ← v − (1−β2)·Δ²·sign(v − Δ²)          (FedYogi)
 *   w ← w + η·m / (√v + τ)
 * State (m, v) lives in the strategy and carries across rounds.
 */
abstract class FedOpt extends Strategy {
  readonly serverLearningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  readonly initialAccumulator: number;
  private m: Float64Array[] | null = null;
  private v: Float64Array[] | null = null;

  protected constructor(owner: string, private readonly rule: FedOptRule, options: FedOptOptions) {
    super(owner, options);
    this.serverLearningRate = checkPositive(owner, 'serverLearningRate', options.serverLearningRate ?? 0.1);
    this.beta1 = checkPositive(owner, 'beta1', options.beta1 ?? 0.9, true);
    this.beta2 = checkPositive(owner, 'beta2', options.beta2 ?? 0.99, true);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new ArgumentError(`dendrite.${owner}: beta1 and beta2 must be below 1, got ${this.beta1} and ${this.beta2}`);
    this.tau = checkPositive(owner, 'tau', options.tau ?? 1e-3);
    this.initialAccumulator = checkPositive(owner, 'initialAccumulator', options.initialAccumulator ?? this.tau * this.tau, true);
  }

  /** Forgets the server optimiser's state (a new run). */
  reset(): void {
    this.m = null;
    this.v = null;
  }

  protected combine(global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): { weights: Weights } {
    let total = 0;
    for (const u of accepted) total += u.numExamples;
    const delta = weightedSum(accepted.map((u) => u.delta), accepted.map((u) => u.numExamples / total));
    if (this.m === null || this.v === null || this.m.length !== global.length || this.m.some((a, i) => a.length !== global[i]!.length)) {
      this.m = global.map((w) => new Float64Array(w.length));
      this.v = global.map((w) => new Float64Array(w.length).fill(this.initialAccumulator));
    }
    const { beta1: b1, beta2: b2, tau, serverLearningRate: eta } = this;
    const out: Weights = [];
    for (let i = 0; i < global.length; i++) {
      const m = this.m[i]!;
      const v = this.v[i]!;
      const d = delta[i]!;
      const g = global[i]!;
      const w = new Float32Array(g.length);
      for (let j = 0; j < g.length; j++) {
        const dj = d[j]!;
        const d2 = dj * dj;
        m[j] = b1 * m[j]! + (1 - b1) * dj;
        if (this.rule === 'adagrad') v[j] = v[j]! + d2;
        else if (this.rule === 'adam') v[j] = b2 * v[j]! + (1 - b2) * d2;
        else v[j] = v[j]! - (1 - b2) * d2 * Math.sign(v[j]! - d2);
        w[j] = g[j]! + (eta * m[j]!) / (Math.sqrt(v[j]!) + tau);
      }
      out.push(w);
    }
    return { weights: out };
  }
}

/** FedAdagrad (Reddi et al. 2021). */
export class FedAdagrad extends FedOpt {
  readonly name = 'fedadagrad';
  constructor(options: FedOptOptions = {}) {
    super('FedAdagrad', 'adagrad', options);
  }
}

/** FedAdam (Reddi et al. 2021). */
export class FedAdam extends FedOpt {
  readonly name = 'fedadam';
  constructor(options: FedOptOptions = {}) {
    super('FedAdam', 'adam', options);
  }
}

/** FedYogi (Reddi et al. 2021). */
export class FedYogi extends FedOpt {
  readonly name = 'fedyogi';
  constructor(options: FedOptOptions = {}) {
    super('FedYogi', 'yogi', options);
  }
}

/** Applies `reduce` to the n values of each coordinate across the accepted clients. */
function coordinatewise(accepted: readonly AcceptedUpdate[], reduce: (values: Float64Array) => number): Weights {
  const n = accepted.length;
  const col = new Float64Array(n);
  return accepted[0]!.weights.map((w0, i) => {
    const out = new Float32Array(w0.length);
    for (let j = 0; j < w0.length; j++) {
      for (let k = 0; k < n; k++) col[k] = accepted[k]!.weights[i]![j]!;
      col.sort();
      out[j] = reduce(col);
    }
    return out;
  });
}

/** Coordinate-wise median of the clients' parameters (unweighted; mean of the middle two for even n). */
export class CoordinateMedian extends Strategy {
  readonly name = 'median';
  constructor(options: StrategyOptions = {}) {
    super('CoordinateMedian', options);
  }

  protected combine(_global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): { weights: Weights } {
    const n = accepted.length;
    const h = n >> 1;
    return { weights: coordinatewise(accepted, (s) => (n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2)) };
  }
}

export interface TrimmedMeanOptions extends StrategyOptions {
  /** Fraction β ∈ [0, 0.5) of the values dropped at each end of every coordinate (default 0.1). */
  readonly beta?: number;
}

/**
 * Coordinate-wise trimmed mean: per coordinate, sort the n client values, drop ⌊βn⌋ at each end,
 * average the rest (unweighted). If that would drop everything, the middle value(s) remain.
 */
export class TrimmedMean extends Strategy {
  readonly name = 'trimmed-mean';
  readonly beta: number;

  constructor(options: TrimmedMeanOptions = {}) {
    super('TrimmedMean', options);
    const beta = options.beta ?? 0.1;
    if (typeof beta !== 'number' || !(beta >= 0 && beta < 0.5)) throw new ArgumentError(`dendrite.TrimmedMean: beta must be in [0, 0.5), got ${describe(beta)}`);
    this.beta = beta;
  }

  protected combine(_global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): { weights: Weights } {
    const n = accepted.length;
    const k = Math.min(Math.floor(this.beta * n), Math.floor((n - 1) / 2));
    return {
      weights: coordinatewise(accepted, (s) => {
        let sum = 0;
        for (let i = k; i < n - k; i++) sum += s[i]!;
        return sum / (n - 2 * k);
      }),
    };
  }
}

export interface KrumOptions extends StrategyOptions {
  /** f: how many Byzantine clients to tolerate (default 1). Krum's guarantee needs n > 2f + 2. */
  readonly byzantine?: number;
}

export interface MultiKrumOptions extends KrumOptions {
  /** m: how many of the best-scored updates to average (default n − f). */
  readonly select?: number;
}

/**
 * Krum's scores: for each update, the sum of squared distances to its n − f − 2 nearest others
 * (at least 1). Returns indices sorted by score, best first.
 */
export function krumScores(updates: ReadonlyArray<readonly Float32Array[]>, byzantine: number): { order: number[]; scores: number[]; neighbours: number } {
  const n = updates.length;
  const dist: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = squaredDistance(updates[i]!, updates[j]!);
      dist[i]![j] = d;
      dist[j]![i] = d;
    }
  }
  const neighbours = Math.max(1, Math.min(n - 1, n - byzantine - 2));
  const scores = dist.map((row, i) => {
    const others = row.filter((_, j) => j !== i).sort((a, b) => a - b);
    let s = 0;
    for (let k = 0; k < neighbours && k < others.length; k++) s += others[k]!;
    return s;
  });
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  return { order, scores, neighbours };
}

/** Krum (Blanchard et al. 2017): the one update with the lowest score becomes the global parameters. */
export class Krum extends Strategy {
  readonly name: string = 'krum';
  readonly byzantine: number;

  constructor(options: KrumOptions = {}, owner = 'Krum') {
    super(owner, options);
    const f = options.byzantine ?? 1;
    if (!Number.isSafeInteger(f) || f < 0) throw new ArgumentError(`dendrite.${owner}: byzantine must be an integer ≥ 0, got ${describe(f)}`);
    this.byzantine = f;
  }

  protected select(n: number): number {
    void n;
    return 1;
  }

  protected combine(_global: readonly Float32Array[], accepted: readonly AcceptedUpdate[], round: number, notes: string[]): { weights: Weights; selected: Array<number | string> } {
    const n = accepted.length;
    if (n <= 2 * this.byzantine + 2) {
      notes.push(`round ${round}: ${this.name} with f = ${this.byzantine} needs more than ${2 * this.byzantine + 2} updates for its guarantee, got ${n}`);
    }
    const { order } = krumScores(accepted.map((u) => u.delta), this.byzantine);
    const m = Math.max(1, Math.min(n, this.select(n)));
    const chosen = order.slice(0, m).map((i) => accepted[i]!);
    const weights = weightedSum(chosen.map((u) => u.weights), chosen.map(() => 1 / chosen.length));
    return { weights, selected: chosen.map((u) => u.clientId) };
  }
}

/** Multi-Krum: the plain mean of the m best-scored updates (default m = n − f). */
export class MultiKrum extends Krum {
  override readonly name = 'multi-krum';
  readonly selectCount: number | undefined;

  constructor(options: MultiKrumOptions = {}) {
    super(options, 'MultiKrum');
    if (options.select !== undefined && (!Number.isSafeInteger(options.select) || options.select < 1)) {
      throw new ArgumentError(`dendrite.MultiKrum: select must be an integer ≥ 1, got ${describe(options.select)}`);
    }
    this.selectCount = options.select;
  }

  protected override select(n: number): number {
    return this.selectCount ?? n - this.byzantine;
  }
}

export interface DpFedAvgOptions extends Omit<StrategyOptions, 'clipUpdateNorm'> {
  /** C: each client's change is clipped to this L2 norm (required). */
  readonly clipNorm: number;
  /** σ: the noise added to the sum has standard deviation σ·C per coordinate (required). */
  readonly noiseMultiplier: number;
  /** Clients sampled per round (the denominator, and q's numerator). */
  readonly clientsPerRound: number;
  /** All clients (q = clientsPerRound / totalClients). */
  readonly totalClients: number;
  /** Seed of the noise (default 0). */
  readonly seed?: number;
  /** RDP orders for the accountant (default DEFAULT_RDP_ORDERS). */
  readonly orders?: readonly number[];
}

/**
 * DP-FedAvg (McMahan et al. 2018, "Learning Differentially Private Recurrent Language Models"):
 * w ← w + (Σ clip_C(Δ_i) + N(0, σ²C²·I)) / m with m the clients per round (a fixed denominator,
 * so one client's influence is bounded by C/m). Each aggregate() accounts one round of the
 * subsampled Gaussian mechanism with q = m / N; `privacySpent(δ)` reports (ε, δ) so far
 * (user-level privacy, with client sampling taken as Poisson).
 */
export class DpFedAvg extends Strategy {
  readonly name = 'dp-fedavg';
  readonly noiseMultiplier: number;
  readonly clientsPerRound: number;
  readonly totalClients: number;
  readonly accountant: RdpAccountant;
  private readonly rng: Random;

  constructor(options: DpFedAvgOptions) {
    if (options === null || typeof options !== 'object') throw new ArgumentError(`dendrite.DpFedAvg: options must be an object, got ${describe(options)}`);
    super('DpFedAvg', { ...options, clipUpdateNorm: checkPositive('DpFedAvg', 'clipNorm', options.clipNorm) });
    this.noiseMultiplier = checkPositive('DpFedAvg', 'noiseMultiplier', options.noiseMultiplier, true);
    const m = options.clientsPerRound;
    const n = options.totalClients;
    if (!Number.isSafeInteger(m) || m < 1 || !Number.isSafeInteger(n) || n < m) {
      throw new ArgumentError(`dendrite.DpFedAvg: need integers 1 ≤ clientsPerRound ≤ totalClients, got ${describe(m)} and ${describe(n)}`);
    }
    this.clientsPerRound = m;
    this.totalClients = n;
    this.rng = new Random(options.seed ?? 0);
    this.accountant = new RdpAccountant(options.orders);
  }

  /** C. */
  get clipNorm(): number {
    return this.clipUpdateNorm!;
  }

  /** Standard deviation of the noise on the sum of changes: σ·C. */
  get noiseStd(): number {
    return this.noiseMultiplier * this.clipNorm;
  }

  /** Sampling rate q = clientsPerRound / totalClients. */
  get samplingRate(): number {
    return this.clientsPerRound / this.totalClients;
  }

  /** (ε, δ) spent over the rounds aggregated so far (ε = ∞ without noise). */
  privacySpent(delta: number, conversion: RdpConversion = 'classic'): PrivacySpent {
    if (this.noiseMultiplier === 0) return { epsilon: this.accountant.steps === 0 ? 0 : Infinity, delta, order: NaN };
    return this.accountant.spent(delta, conversion);
  }

  override aggregate(global: readonly Float32Array[], updates: readonly unknown[], round = 0): AggregationResult {
    const result = super.aggregate(global, updates, round);
    // The round happened (and released a noisy aggregate) whether or not updates were usable.
    if (this.noiseMultiplier > 0) this.accountant.step(this.samplingRate, this.noiseMultiplier);
    if (result.accepted.length === 0) {
      // Keep the mechanism's output distribution: noise alone.
      const weights = this.noisyStep(global, []);
      return { ...result, weights };
    }
    return result;
  }

  protected combine(global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): { weights: Weights } {
    return { weights: this.noisyStep(global, accepted) };
  }

  private noisyStep(global: readonly Float32Array[], accepted: readonly AcceptedUpdate[]): Weights {
    const std = this.noiseStd;
    const m = this.clientsPerRound;
    return global.map((g, i) => {
      const sum = new Float64Array(g.length);
      for (const u of accepted) {
        const d = u.delta[i]!;
        for (let j = 0; j < d.length; j++) sum[j] = sum[j]! + d[j]!;
      }
      const w = new Float32Array(g.length);
      for (let j = 0; j < g.length; j++) w[j] = g[j]! + (sum[j]! + (std > 0 ? std * this.rng.normal() : 0)) / m;
      return w;
    });
  }
}

/** Strategy names the command line accepts. */
export const STRATEGY_NAMES = ['fedavg', 'fedprox', 'fedadam', 'fedyogi', 'fedadagrad', 'median', 'trimmed-mean', 'krum', 'multi-krum'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Options for makeStrategy: the union of every strategy's own options. */
export interface MakeStrategyOptions extends StrategyOptions {
  readonly mu?: number;
  readonly serverLearningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly tau?: number;
  readonly trimBeta?: number;
  readonly byzantine?: number;
  readonly select?: number;
}

/** A strategy by name (ArgumentError listing the names for an unknown one). */
export function makeStrategy(name: string, options: MakeStrategyOptions = {}): Strategy {
  const base: StrategyOptions = { maxUpdateNorm: options.maxUpdateNorm, clipUpdateNorm: options.clipUpdateNorm };
  const opt = { ...base, serverLearningRate: options.serverLearningRate, beta1: options.beta1, beta2: options.beta2, tau: options.tau };
  switch (name) {
    case 'fedavg': return new FedAvg(base);
    case 'fedprox': return new FedProx({ ...base, mu: options.mu });
    case 'fedadam': return new FedAdam(opt);
    case 'fedyogi': return new FedYogi(opt);
    case 'fedadagrad': return new FedAdagrad(opt);
    case 'median': return new CoordinateMedian(base);
    case 'trimmed-mean': return new TrimmedMean({ ...base, beta: options.trimBeta });
    case 'krum': return new Krum({ ...base, byzantine: options.byzantine });
    case 'multi-krum': return new MultiKrum({ ...base, byzantine: options.byzantine, select: options.select });
    default: throw new ArgumentError(`dendrite.makeStrategy: unknown strategy ${describe(name)} (known: ${STRATEGY_NAMES.join(', ')})`);
  }
}
