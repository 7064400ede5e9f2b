// The RDP accountant of the subsampled Gaussian mechanism against published values: the RDP
// table of dp_accounting's test (q = 0.01, σ = 2.5, 50 steps), Opacus' epsilon for σ = 1.5,
// q = 0.04, 2,250 steps, the pure-DP conversion check, and the q = 1 closed form α/(2σ²).
import { describe, expect, it } from 'vitest';
import {
  computeDpEpsilon, DEFAULT_RDP_ORDERS, epsilonFromRdp, logErfc, logGamma, RdpAccountant, rdpSubsampledGaussian,
} from '../../src/federated/index.js';

describe('RDP of the subsampled Gaussian mechanism', () => {
  it('matches dp_accounting’s table for q = 0.01, σ = 2.5, 50 steps (integer and fractional orders)', () => {
    const orders = [1.5, 2.5, 5, 50, 100];
    const expected = [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 1.6742e2];
    orders.forEach((a, i) => {
      const got = 50 * rdpSubsampledGaussian(0.01, 2.5, a);
      expect(Math.abs(got - expected[i]!) / expected[i]!).toBeLessThan(1e-4);
    });
    expect(rdpSubsampledGaussian(0.01, 2.5, Infinity)).toBe(Infinity);
  });

  it('is exactly α/(2σ²) without subsampling, and 0 with q = 0', () => {
    for (const [a, s] of [[2, 1], [1.5, 0.7], [32, 3], [256, 10]] as const) {
      expect(rdpSubsampledGaussian(1, s, a)).toBe(a / (2 * s * s));
    }
    expect(rdpSubsampledGaussian(0, 1, 8)).toBe(0);
  });

  it('the binomial (integer) and erfc-series (fractional) forms agree between neighbouring orders', () => {
    // RDP is smooth and increasing in α: the fractional values at 7.999 and 8.001 bracket the
    // integer one at 8, which sits in the middle (equal steps either side to within 1%).
    for (const [q, s] of [[0.01, 1.1], [0.1, 2], [0.004, 0.8]] as const) {
      const lo = rdpSubsampledGaussian(q, s, 7.999);
      const mid = rdpSubsampledGaussian(q, s, 8);
      const hi = rdpSubsampledGaussian(q, s, 8.001);
      expect(lo).toBeLessThan(mid);
      expect(mid).toBeLessThan(hi);
      expect(Math.abs((hi - mid) - (mid - lo)) / (hi - lo)).toBeLessThan(0.01);
    }
  });

  it('grows with q and the order, shrinks with σ', () => {
    expect(rdpSubsampledGaussian(0.02, 1, 4)).toBeGreaterThan(rdpSubsampledGaussian(0.01, 1, 4));
    expect(rdpSubsampledGaussian(0.01, 1, 8)).toBeGreaterThan(rdpSubsampledGaussian(0.01, 1, 4));
    expect(rdpSubsampledGaussian(0.01, 2, 4)).toBeLessThan(rdpSubsampledGaussian(0.01, 1, 4));
    // Subsampling amplifies privacy: far below the unsampled α/(2σ²).
    expect(rdpSubsampledGaussian(0.01, 1, 4)).toBeLessThan(0.01 * 2);
  });
});

describe('(ε, δ) from RDP', () => {
  it('reproduces Opacus’ ε = 7.32911117143 (σ = 1.5, q = 0.04, 2,250 steps, δ = 1e-5, tight conversion)', () => {
    const orders = [...Array.from({ length: 100 }, (_, i) => 1 + (i + 1) / 10), ...Array.from({ length: 52 }, (_, i) => 12 + i)];
    const r = computeDpEpsilon(0.04, 1.5, Math.floor(90 / 0.04), 1e-5, orders, 'tight');
    expect(r.epsilon).toBeCloseTo(7.32911117143, 8);
  });

  it('converts constant RDP (pure DP) as dp_accounting does: ε = 1.32783806176 at order 32', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const r = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5, 'tight');
    expect(r.epsilon).toBeCloseTo(1.32783806176, 9);
    expect(r.order).toBe(32);
  });

  it('classic conversion ε = min RDP + log(1/δ)/(α−1): by hand at one order, and the DP-SGD MNIST setting gives ε ≈ 3.0', () => {
    const one = epsilonFromRdp([9], [0.5], 1e-5);
    expect(one.epsilon).toBeCloseTo(0.5 + Math.log(1e5) / 8, 12);
    // 60,000 examples, batch 256, σ = 1.1, 60 epochs, δ = 1e-5 (tensorflow-privacy's tutorial setting).
    const r = computeDpEpsilon(256 / 60_000, 1.1, Math.ceil((60 * 60_000) / 256), 1e-5);
    expect(r.epsilon).toBeGreaterThan(2.9);
    expect(r.epsilon).toBeLessThan(3.1);
    // The tight conversion is never worse.
    expect(computeDpEpsilon(256 / 60_000, 1.1, 14_063, 1e-5, DEFAULT_RDP_ORDERS, 'tight').epsilon).toBeLessThan(r.epsilon);
  });

  it('the accountant composes rounds by addition and ε grows with rounds, falls with σ', () => {
    const acc = new RdpAccountant();
    expect(acc.spent(1e-5).epsilon).toBe(0);
    acc.step(0.1, 1.2, 40);
    acc.step(0.1, 1.2, 60);
    expect(acc.steps).toBe(100);
    expect(acc.spent(1e-5).epsilon).toBeCloseTo(computeDpEpsilon(0.1, 1.2, 100, 1e-5).epsilon, 10);
    const e = [10, 100, 1000].map((t) => computeDpEpsilon(0.1, 1.2, t, 1e-5).epsilon);
    expect(e[0]).toBeLessThan(e[1]!);
    expect(e[1]).toBeLessThan(e[2]!);
    expect(computeDpEpsilon(0.1, 2.4, 100, 1e-5).epsilon).toBeLessThan(e[1]!);
    expect(() => acc.step(1.5, 1)).toThrow(/sampling rate q must be in \[0, 1\]/);
    expect(() => computeDpEpsilon(0.1, 1, 10, 0)).toThrow(/δ must be in \(0, 1\)/);
  });

  it('helpers: log Γ and log erfc', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
    expect(Math.exp(logErfc(0))).toBeCloseTo(1, 6);
    expect(Math.exp(logErfc(1))).toBeCloseTo(0.157299207050285, 6);
    expect(Math.exp(logErfc(-1))).toBeCloseTo(1.842700792949715, 6);
    // Far tail: erfc(30) underflows a double, its log does not. Asymptotically
    // erfc(x) ≈ exp(−x²)/(x√π)·(1 − 1/(2x²)): log = −900 − log(30√π) + log(1 − 1/1800).
    expect(logErfc(30)).toBeCloseTo(-900 - Math.log(30 * Math.sqrt(Math.PI)) + Math.log1p(-1 / 1800), 5);
  });
});
