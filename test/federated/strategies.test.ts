// Server strategies on hand-made updates with outputs worked out by hand, and the validation every
// strategy runs first: bad updates are rejected with typed reasons and the round still completes.
import { describe, expect, it } from 'vitest';
import {
  CoordinateMedian, DpFedAvg, FedAdagrad, FedAdam, FedAvg, FedProx, FedYogi, Krum, MultiKrum, TrimmedMean, krumScores, makeStrategy,
  STRATEGY_NAMES, type ClientUpdate,
} from '../../src/federated/index.js';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const upd = (clientId: number, numExamples: number, ...arrays: number[][]): ClientUpdate => ({ clientId, numExamples, weights: arrays.map((a) => Float32Array.from(a)) });
const arr = (w: readonly Float32Array[]): number[][] => w.map((a) => [...a]);

function expectClose(actual: readonly Float32Array[], expected: number[][], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(a.length).toBe(expected[i]!.length);
    a.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, digits));
  });
}

describe('FedAvg and FedProx', () => {
  it('FedAvg weights each client by its example count', () => {
    const global = [f32(0, 0), f32(0)];
    const r = new FedAvg().aggregate(global, [upd(1, 1, [1, 2], [4]), upd(2, 3, [3, 6], [0])], 1);
    expectClose(r.weights, [[2.5, 5], [1]]);
    expect(r.accepted).toEqual([1, 2]);
    expect(r.rejected).toEqual([]);
  });

  it('accepts deltas as well as weights', () => {
    const global = [f32(10, 10)];
    const r = new FedAvg().aggregate(global, [{ clientId: 'a', numExamples: 1, kind: 'delta', weights: [f32(2, -2)] }, upd(2, 1, [10, 14])]);
    expectClose(r.weights, [[11, 11]]);
  });

  it('update-norm clipping scales each change to C before averaging', () => {
    const r = new FedAvg({ clipUpdateNorm: 1 }).aggregate([f32(0, 0)], [upd(1, 1, [3, 4]), upd(2, 1, [0.3, 0.4])]);
    // (0.6, 0.8) clipped from norm 5; (0.3, 0.4) untouched; mean (0.45, 0.6).
    expectClose(r.weights, [[0.45, 0.6]]);
    expect(r.clipped).toEqual([1]);
  });

  it('FedProx aggregates like FedAvg and asks clients for its μ', () => {
    const s = new FedProx({ mu: 0.3 });
    expect(s.clientConfig(1)).toEqual({ proximalMu: 0.3 });
    expect(new FedAvg().clientConfig(1)).toEqual({ proximalMu: 0 });
    expectClose(s.aggregate([f32(0)], [upd(1, 1, [1]), upd(2, 3, [3])]).weights, [[2.5]]);
  });
});

describe('FedAdagrad, FedAdam, FedYogi (Reddi et al. 2021)', () => {
  // global (0, 1); clients (1, 3)×1 example and (3, 5)×3 → Δ = ((1,2) + 3·(3,4)) / 4 = (2.5, 3.5).
  const global = [f32(0, 1)];
  const updates = [upd(1, 1, [1, 3]), upd(2, 3, [3, 5])];
  const eta = 0.1;
  const tau = 0.01;
  const b1 = 0.9;
  const b2 = 0.99;
  const d = [2.5, 3.5];

  it('FedAdam: one server step by hand', () => {
    const s = new FedAdam({ serverLearningRate: eta, beta1: b1, beta2: b2, tau });
    const r = s.aggregate(global, updates, 1);
    const expected = d.map((dj, j) => {
      const m = (1 - b1) * dj;
      const v = b2 * tau * tau + (1 - b2) * dj * dj;
      return global[0]![j]! + (eta * m) / (Math.sqrt(v) + tau);
    });
    expectClose(r.weights, [expected]);
  });

  it('FedAdagrad: one server step by hand, then a second one using the carried state', () => {
    const s = new FedAdagrad({ serverLearningRate: eta, beta1: b1, tau });
    const r1 = s.aggregate(global, updates, 1);
    const m1 = d.map((dj) => (1 - b1) * dj);
    const v1 = d.map((dj) => tau * tau + dj * dj);
    const w1 = d.map((_, j) => global[0]![j]! + (eta * m1[j]!) / (Math.sqrt(v1[j]!) + tau));
    expectClose(r1.weights, [w1]);
    // Round 2: a single client at w1 + (1, −1).
    const r2 = s.aggregate(r1.weights, [upd(3, 5, [w1[0]! + 1, w1[1]! - 1])], 2);
    const d2 = [1, -1];
    const w2 = d2.map((dj, j) => {
      const m = b1 * m1[j]! + (1 - b1) * dj;
      const v = v1[j]! + dj * dj;
      return w1[j]! + (eta * m) / (Math.sqrt(v) + tau);
    });
    expectClose(r2.weights, [w2]);
  });

  it('FedYogi: v moves by (1−β2)Δ² in the direction of sign(Δ² − v)', () => {
    const s = new FedYogi({ serverLearningRate: eta, beta1: b1, beta2: b2, tau });
    const r1 = s.aggregate(global, updates, 1);
    const v0 = tau * tau;
    const m1 = d.map((dj) => (1 - b1) * dj);
    const v1 = d.map((dj) => v0 - (1 - b2) * dj * dj * Math.sign(v0 - dj * dj));
    const w1 = d.map((_, j) => global[0]![j]! + (eta * m1[j]!) / (Math.sqrt(v1[j]!) + tau));
    expectClose(r1.weights, [w1]);
    // Round 2 with a tiny Δ: Yogi's v shrinks only by (1−β2)Δ², Adam's would shrink by the factor β2.
    const r2 = s.aggregate(r1.weights, [upd(3, 1, [w1[0]! + 0.01, w1[1]!])], 2);
    const v2 = v1[0]! - (1 - b2) * 1e-4 * Math.sign(v1[0]! - 1e-4);
    const m2 = b1 * m1[0]! + (1 - b1) * 0.01;
    expect(r2.weights[0]![0]!).toBeCloseTo(w1[0]! + (eta * m2) / (Math.sqrt(v2) + tau), 5);
    expect(v2).toBeLessThan(v1[0]!);
    expect(v2).toBeGreaterThan(b2 * v1[0]!);
  });
});

describe('robust aggregators', () => {
  it('coordinate-wise median (odd and even counts)', () => {
    const r = new CoordinateMedian().aggregate([f32(0, 0)], [upd(1, 1, [1, 5]), upd(2, 1, [2, -1]), upd(3, 100, [10, 0])]);
    expectClose(r.weights, [[2, 0]]);
    const even = new CoordinateMedian().aggregate([f32(0)], [upd(1, 1, [1]), upd(2, 1, [3]), upd(3, 1, [2]), upd(4, 1, [100])]);
    expectClose(even.weights, [[2.5]]);
  });

  it('trimmed mean drops ⌊βn⌋ values at each end of every coordinate', () => {
    const five = [upd(1, 1, [-100, 0]), upd(2, 1, [1, 10]), upd(3, 1, [2, 20]), upd(4, 1, [3, 30]), upd(5, 1, [50, 1000])];
    expectClose(new TrimmedMean({ beta: 0.2 }).aggregate([f32(0, 0)], five).weights, [[2, 20]]);
    // β = 0: the plain (unweighted) mean.
    expectClose(new TrimmedMean({ beta: 0 }).aggregate([f32(0, 0)], five).weights, [[-44 / 5, 1060 / 5]]);
    // β·n < 1 trims nothing: 0.1 × 5 = 0.5.
    expectClose(new TrimmedMean({ beta: 0.1 }).aggregate([f32(0, 0)], five).weights, [[-44 / 5, 1060 / 5]]);
  });

  it('Krum scores by hand: sum of squared distances to the n − f − 2 nearest', () => {
    // Points 0, 1, 2, 10, 11 with f = 1 → 2 neighbours each.
    const pts = [0, 1, 2, 10, 11].map((v) => [f32(v)]);
    const { scores, order, neighbours } = krumScores(pts, 1);
    expect(neighbours).toBe(2);
    expect(scores).toEqual([5, 2, 5, 65, 82]);
    expect(order).toEqual([1, 0, 2, 3, 4]);
    const updates = [0, 1, 2, 10, 11].map((v, i) => upd(i, 1, [v]));
    const k = new Krum({ byzantine: 1 }).aggregate([f32(0)], updates);
    expectClose(k.weights, [[1]]);
    expect(k.selected).toEqual([1]);
    // Multi-Krum, m = n − f = 4: the mean of 1, 0, 2, 10.
    const mk = new MultiKrum({ byzantine: 1 }).aggregate([f32(0)], updates);
    expectClose(mk.weights, [[3.25]]);
    expect(mk.selected).toEqual([1, 0, 2, 3]);
    expectClose(new MultiKrum({ byzantine: 1, select: 3 }).aggregate([f32(0)], updates).weights, [[1]]);
  });

  it('Krum picks an honest update when 2 of 8 are Byzantine', () => {
    const honest = [[1, 1], [1.1, 0.9], [0.9, 1.05], [1.05, 1], [0.95, 0.95], [1, 1.1]];
    const byz = [[-50, -50], [80, 20]];
    const updates = [...honest, ...byz].map((w, i) => upd(i, 1, w));
    const r = new Krum({ byzantine: 2 }).aggregate([f32(0, 0)], updates);
    expect(r.selected!.length).toBe(1);
    expect(Number(r.selected![0])).toBeLessThan(6);
    const w = r.weights[0]!;
    expect(Math.hypot(w[0]! - 1, w[1]! - 1)).toBeLessThan(0.2);
    const mk = new MultiKrum({ byzantine: 2 }).aggregate([f32(0, 0)], updates);
    expect([...mk.selected!].map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expectClose(mk.weights, [[1, 1]], 1);
    // FedAvg is pulled far away by the same two.
    const avg = new FedAvg().aggregate([f32(0, 0)], updates).weights[0]!;
    expect(Math.hypot(avg[0]! - 1, avg[1]! - 1)).toBeGreaterThan(2);
  });

  it('notes when there are too few updates for Krum’s guarantee, and still aggregates', () => {
    const r = new Krum({ byzantine: 2 }).aggregate([f32(0)], [upd(1, 1, [1]), upd(2, 1, [2])], 4);
    expect(r.notes.join(' ')).toMatch(/round 4: krum with f = 2 needs more than 6 updates/);
    expect(r.weights[0]!.length).toBe(1);
  });
});

describe('DP-FedAvg', () => {
  it('clips each change to C and, without noise, averages over the clients per round', () => {
    const s = new DpFedAvg({ clipNorm: 5, noiseMultiplier: 0, clientsPerRound: 2, totalClients: 10 });
    const r = s.aggregate([f32(1, 1)], [upd(1, 1, [31, 41]), upd(2, 1, [1, 1])]);
    // (30, 40) → (3, 4); sum (3, 4) / 2.
    expectClose(r.weights, [[2.5, 3]]);
    expect(r.clipped).toEqual([1]);
  });

  it('adds Gaussian noise of standard deviation σ·C to the sum (σ·C/m on the mean)', () => {
    const size = 20_000;
    const global = [new Float32Array(size)];
    const s = new DpFedAvg({ clipNorm: 0.5, noiseMultiplier: 2, clientsPerRound: 4, totalClients: 100, seed: 3 });
    expect(s.noiseStd).toBe(1);
    const same = () => ({ clientId: 0, numExamples: 1, weights: [new Float32Array(size)] });
    const w = s.aggregate(global, [same(), same(), same(), same()], 1).weights[0]!;
    let mean = 0;
    for (const v of w) mean += v;
    mean /= size;
    let sq = 0;
    for (const v of w) sq += (v - mean) ** 2;
    const std = Math.sqrt(sq / (size - 1));
    expect(std).toBeGreaterThan(0.25 * 0.97);
    expect(std).toBeLessThan(0.25 * 1.03);
    expect(Math.abs(mean)).toBeLessThan(0.01);
  });

  it('accounts one round per aggregation and reports (ε, δ)', () => {
    const s = new DpFedAvg({ clipNorm: 1, noiseMultiplier: 1.1, clientsPerRound: 10, totalClients: 1000 });
    expect(s.privacySpent(1e-5).epsilon).toBe(0);
    const eps: number[] = [];
    for (let round = 1; round <= 3; round++) {
      s.aggregate([f32(0)], [upd(1, 1, [0.1])], round);
      eps.push(s.privacySpent(1e-5).epsilon);
    }
    expect(s.accountant.steps).toBe(3);
    expect(eps[0]).toBeGreaterThan(0);
    expect(eps[1]).toBeGreaterThan(eps[0]!);
    expect(eps[2]).toBeGreaterThan(eps[1]!);
  });
});

describe('validation before aggregation', () => {
  const global = [f32(0, 0, 0), f32(0)];
  const good = (id: number, v: number): ClientUpdate => upd(id, 10, [v, v, v], [v]);

  it('rejects wrong counts, wrong shapes, NaN/Inf, bad example counts and non-data, with typed reasons, and still completes the round', () => {
    const throwing = { clientId: 99, numExamples: 1, get weights(): never { throw new Error('boom'); } };
    const bad: unknown[] = [
      upd(10, 1, [1, 1, 1]), // one array short
      upd(11, 1, [1, 1], [1]), // first array too short
      upd(12, 1, [1, Number.NaN, 1], [1]),
      upd(13, 1, [1, 1, 1], [Number.POSITIVE_INFINITY]),
      { ...good(14, 1), numExamples: 0 },
      { clientId: 15, numExamples: 1, weights: [[1, 1, 1], [1]] }, // plain arrays
      null,
      'weights',
      throwing,
    ];
    for (const s of STRATEGY_NAMES.map((n) => makeStrategy(n, { byzantine: 1 }))) {
      const r = s.aggregate(global, [good(1, 1), ...bad, good(2, 3), good(3, 2)], 7);
      expect(r.accepted).toEqual([1, 2, 3]);
      expect(r.rejected.map((x) => x.kind)).toEqual(['count', 'shape', 'nonfinite', 'nonfinite', 'examples', 'malformed', 'malformed', 'malformed', 'malformed']);
      expect(r.rejected.map((x) => x.clientId)).toEqual([10, 11, 12, 13, 14, 15, '?', '?', '?']);
      expect(r.rejected.every((x) => x.round === 7 && x.message.length > 0)).toBe(true);
      expect(r.rejected[0]).toMatchObject({ expected: 2, got: 1 });
      expect(r.rejected[1]).toMatchObject({ index: 0, expected: 3, got: 2 });
      for (const w of r.weights) for (const v of w) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('rejects huge updates above maxUpdateNorm', () => {
    const s = new FedAvg({ maxUpdateNorm: 10 });
    const r = s.aggregate(global, [good(1, 1), good(2, 1000)], 2);
    expect(r.accepted).toEqual([1]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ kind: 'norm', clientId: 2, expected: 10 });
    expect(r.rejected[0]!.got).toBeCloseTo(2000, 3);
    expectClose(r.weights, [[1, 1, 1], [1]]);
  });

  it('keeps the global parameters when nothing usable arrives', () => {
    const r = new FedAvg().aggregate(global, [upd(1, 1, [Number.NaN, 0, 0], [0])], 3);
    expect(arr(r.weights)).toEqual([[0, 0, 0], [0]]);
    expect(r.weights[0]).not.toBe(global[0]);
    expect(r.notes[0]).toMatch(/round 3: no usable update \(1 rejected\)/);
  });

  it('makeStrategy knows every name and refuses others', () => {
    for (const n of STRATEGY_NAMES) expect(makeStrategy(n).name).toBe(n);
    expect(() => makeStrategy('fedsgd')).toThrow(/unknown strategy the string 'fedsgd' \(known: fedavg, fedprox/);
    expect(() => new TrimmedMean({ beta: 0.5 })).toThrow(/beta must be in \[0, 0.5\)/);
  });
});
