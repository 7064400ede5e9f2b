/**
 * Rényi differential privacy (the moments accountant) for the subsampled Gaussian mechanism:
 * each round a client (or example) takes part with probability q and the sum of clipped updates
 * gets Gaussian noise of standard deviation σ·C. Mironov, Talwar & Zhang 2019 ("Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism") give the RDP of one round at order α:
 * for integer α the binomial expansion
 *
 *   A_α = Σ_{k=0..α} C(α,k) (1−q)^{α−k} q^k exp((k²−k)/(2σ²)),   RDP(α) = log(A_α)/(α−1),
 *
 * and for fractional α the two-series form with erfc terms (their section 3.3). RDP composes by
 * addition over rounds, and (ε, δ) follows from ε = min_α RDP(α)·T + log(1/δ)/(α−1).
 * Everything is in log space so large orders do not overflow.
 */
import { ArgumentError, describe } from '../errors.js';

/** The orders tensorflow-privacy's compute_dp_sgd_privacy uses: 1.1 … 10.9, 12 … 63, 128, 256, 512. */
export const DEFAULT_RDP_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
  128, 256, 512,
];

/** log(exp(a) + exp(b)) without overflow. */
function logAdd(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  if (hi === -Infinity) return -Infinity;
  return hi + Math.log1p(Math.exp(lo - hi));
}

/** log(exp(a) − exp(b)) for a ≥ b. */
function logSub(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  if (a < b) throw new RangeError('dendrite.rdp: logSub of a negative quantity (numerical trouble)');
  return a + Math.log1p(-Math.exp(b - a));
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log C(n, k) for integers 0 ≤ k ≤ n. */
function logBinomial(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * log(erfc(x)), accurate in the far tail too: erfc(x) = t·exp(−x² + P(t)) with t = 1/(1+x/2)
 * (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7 everywhere), so the log needs
 * no exp of a huge negative number. For x < 0, erfc(x) = 2 − erfc(−x).
 */
export function logErfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const logTail = Math.log(t) + p;
  return x >= 0 ? logTail : Math.log(2 - Math.exp(logTail));
}

function logAInteger(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  for (let k = 0; k <= alpha; k++) {
    const s = logBinomial(alpha, k) + k * lq + (alpha - k) * l1q + (k * k - k) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

function logAFractional(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let coef = 1; // C(α, i), built as a running product (its sign alternates once i > α)
  for (let i = 0; i < 10_000; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * lq + j * l1q;
    const logT1 = logCoef + j * lq + i * l1q;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

function checkMechanism(op: string, q: number, sigma: number): void {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new ArgumentError(`dendrite.${op}: the sampling rate q must be in [0, 1], got ${describe(q)}`);
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) {
    throw new ArgumentError(`dendrite.${op}: the noise multiplier must be a positive finite number, got ${describe(sigma)}`);
  }
}

/**
 * RDP at order α > 1 of one application of the Gaussian mechanism with noise multiplier σ on a
 * Poisson subsample of rate q. For q = 1 it is exactly α/(2σ²).
 */
export function rdpSubsampledGaussian(q: number, sigma: number, alpha: number): number {
  checkMechanism('rdpSubsampledGaussian', q, sigma);
  if (typeof alpha !== 'number' || !(alpha > 1)) throw new ArgumentError(`dendrite.rdpSubsampledGaussian: the order must be > 1, got ${describe(alpha)}`);
  if (q === 0) return 0;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (alpha === Infinity) return Infinity;
  const logA = Number.isInteger(alpha) ? logAInteger(q, sigma, alpha) : logAFractional(q, sigma, alpha);
  return logA / (alpha - 1);
}

/** (ε, δ) with the order that gave it. */
export interface PrivacySpent {
  readonly epsilon: number;
  readonly delta: number;
  /** The RDP order at which the minimum was reached. */
  readonly order: number;
}

/**
 * How RDP becomes (ε, δ): 'classic' is Mironov 2017's ε = rdp(α) + log(1/δ)/(α−1); 'tight' is
 * the sharper ε = rdp(α) + log((α−1)/α) − (log δ + log α)/(α−1) of Balle et al. 2020 (what
 * Opacus and dp_accounting report).
 */
export type RdpConversion = 'classic' | 'tight';

/** ε = min over the orders of the conversion of rdp(α) (rdp already composed over the steps). */
export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number, conversion: RdpConversion = 'classic'): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new ArgumentError(`dendrite.epsilonFromRdp: δ must be in (0, 1), got ${describe(delta)}`);
  if (orders.length !== rdp.length || orders.length === 0) throw new ArgumentError(`dendrite.epsilonFromRdp: ${orders.length} orders but ${rdp.length} RDP values`);
  if (conversion !== 'classic' && conversion !== 'tight') throw new ArgumentError(`dendrite.epsilonFromRdp: conversion must be 'classic' or 'tight', got ${describe(conversion)}`);
  let best = Infinity;
  let order = NaN;
  for (let i = 0; i < orders.length; i++) {
    const a = orders[i]!;
    const eps = conversion === 'classic'
      ? rdp[i]! + Math.log(1 / delta) / (a - 1)
      : rdp[i]! + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
    if (eps < best) {
      best = eps;
      order = a;
    }
  }
  return { epsilon: Math.max(0, best), delta, order };
}

/**
 * (ε, δ) after `steps` rounds of the subsampled Gaussian mechanism (sampling rate q, noise
 * multiplier σ), over `orders` (default DEFAULT_RDP_ORDERS).
 */
export function computeDpEpsilon(
  q: number, sigma: number, steps: number, delta: number, orders: readonly number[] = DEFAULT_RDP_ORDERS, conversion: RdpConversion = 'classic',
): PrivacySpent {
  checkMechanism('computeDpEpsilon', q, sigma);
  if (!Number.isSafeInteger(steps) || steps < 0) throw new ArgumentError(`dendrite.computeDpEpsilon: steps must be an integer ≥ 0, got ${describe(steps)}`);
  return epsilonFromRdp(orders, orders.map((a) => steps * rdpSubsampledGaussian(q, sigma, a)), delta, conversion);
}

/**
 * Keeps the running RDP of a training run: call `step()` once per round (a change of q or σ
 * between rounds is fine: RDP adds up), read `spent(δ)` at any time.
 */
export class RdpAccountant {
  readonly orders: readonly number[];
  private readonly rdp: Float64Array;
  private count = 0;

  constructor(orders: readonly number[] = DEFAULT_RDP_ORDERS) {
    if (!Array.isArray(orders) || orders.length === 0 || orders.some((a) => !(a > 1))) {
      throw new ArgumentError('dendrite.RdpAccountant: orders must be a non-empty array of numbers > 1');
    }
    this.orders = [...orders];
    this.rdp = new Float64Array(orders.length);
  }

  /** Rounds accounted so far. */
  get steps(): number {
    return this.count;
  }

  /** Accounts `steps` rounds at sampling rate q and noise multiplier σ. */
  step(q: number, sigma: number, steps = 1): void {
    checkMechanism('RdpAccountant.step', q, sigma);
    for (let i = 0; i < this.orders.length; i++) this.rdp[i] = this.rdp[i]! + steps * rdpSubsampledGaussian(q, sigma, this.orders[i]!);
    this.count += steps;
  }

  /** (ε, δ) spent so far; ε = 0 before any round. */
  spent(delta: number, conversion: RdpConversion = 'classic'): PrivacySpent {
    // Nothing released yet: nothing spent (the conversion alone would give log(1/δ)/(α_max − 1)).
    if (this.count === 0) return { epsilon: 0, delta, order: NaN };
    return epsilonFromRdp(this.orders, [...this.rdp], delta, conversion);
  }
}
