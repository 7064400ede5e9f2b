import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, ValueError } from '../../src/errors.js';
import { HopfieldNetwork, bipolar, corrupt, overlap } from '../../src/memory/index.js';
import { Random } from '../../src/random.js';

function randomPatterns(count: number, n: number, rng: Random): Float32Array[] {
  return Array.from({ length: count }, () => Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1)));
}

/** Fraction of cues (each pattern, `trials` times, `noise` flipped) recalled to overlap ≥ 0.95. */
function recallRate(net: HopfieldNetwork, patterns: Float32Array[], noise: number, rng: Random, mode: 'synchronous' | 'asynchronous', trials = 4): number {
  let ok = 0;
  for (let t = 0; t < trials; t++) {
    for (const p of patterns) if (overlap(net.recall(corrupt(p, noise, rng), { mode, rng }).state, p) >= 0.95) ok++;
  }
  return ok / (trials * patterns.length);
}

describe('HopfieldNetwork', () => {
  it('recalls stored patterns from 10% corruption below capacity (N = 100, 5 patterns), both update modes', () => {
    const rng = new Random(11);
    const patterns = randomPatterns(5, 100, rng);
    const net = new HopfieldNetwork(100).store(patterns);
    expect(net.patternCount).toBe(5);
    expect(recallRate(net, patterns, 0.1, rng, 'asynchronous')).toBeGreaterThanOrEqual(0.95);
    expect(recallRate(net, patterns, 0.1, rng, 'synchronous')).toBeGreaterThanOrEqual(0.95);
    for (const p of patterns) {
      const r = net.recall(p, { rng });
      expect(r.converged).toBe(true);
      expect(r.steps).toBe(1);
      expect(Array.from(r.state)).toEqual(Array.from(p));
    }
  });

  it('never increases the energy during asynchronous updates, and reports it per step', () => {
    const rng = new Random(5);
    const patterns = randomPatterns(20, 100, rng); // above capacity: long, winding descents
    for (const rule of ['hebbian', 'storkey'] as const) {
      const net = new HopfieldNetwork(100).store(patterns, rule);
      for (let k = 0; k < 10; k++) {
        const cue = corrupt(patterns[k]!, 0.3, rng);
        const r = net.recall(cue, { mode: 'asynchronous', rng });
        expect(r.converged).toBe(true);
        expect(r.energies).toHaveLength(r.steps + 1);
        expect(r.energies[0]).toBeCloseTo(net.energy(cue), 3);
        expect(r.energies.at(-1)).toBeCloseTo(net.energy(r.state), 3);
        for (let i = 1; i < r.energies.length; i++) expect(r.energies[i]!).toBeLessThanOrEqual(r.energies[i - 1]! + 1e-6);
      }
    }
  });

  it('Storkey stores more patterns than Hebbian at the same N (measured)', () => {
    const rng = new Random(3);
    const patterns = randomPatterns(20, 100, rng); // 0.2·N: past the Hebbian limit of about 0.14·N
    const hebbian = recallRate(new HopfieldNetwork(100).store(patterns, 'hebbian'), patterns, 0.1, rng, 'asynchronous', 2);
    const storkey = recallRate(new HopfieldNetwork(100).store(patterns, 'storkey'), patterns, 0.1, rng, 'asynchronous', 2);
    expect(storkey).toBeGreaterThanOrEqual(0.95);
    expect(hebbian).toBeLessThan(0.8);
    expect(storkey).toBeGreaterThan(hebbian + 0.2);
  });

  it('keeps the weights symmetric with a zero diagonal, and computes E = −½ sᵀWs', () => {
    const rng = new Random(2);
    const patterns = randomPatterns(4, 12, rng);
    for (const rule of ['hebbian', 'storkey'] as const) {
      const net = new HopfieldNetwork(12).store(patterns.slice(0, 2), rule).store(patterns.slice(2), rule);
      const w = net.weights.data;
      for (let i = 0; i < 12; i++) {
        expect(w[i * 12 + i]).toBe(0);
        for (let j = 0; j < 12; j++) expect(w[i * 12 + j]).toBeCloseTo(w[j * 12 + i]!, 5);
      }
      const s = patterns[0]!;
      let e = 0;
      for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) e += s[i]! * w[i * 12 + j]! * s[j]!;
      expect(net.energy(s)).toBeCloseTo(-0.5 * e, 4);
    }
    // Hebbian: W = Σ ppᵀ/N off the diagonal.
    const net = new HopfieldNetwork(12).store(patterns);
    const expected = patterns.reduce((acc, p) => acc + p[1]! * p[5]!, 0) / 12;
    expect(net.weights.data[1 * 12 + 5]).toBeCloseTo(expected, 6);
  });

  it('ends a synchronous 2-cycle instead of looping', () => {
    // Two units that each copy the other's negation flip together forever.
    const net = new HopfieldNetwork(2).store([[1, -1]]);
    const r = net.recall([1, 1], { mode: 'synchronous', maxSteps: 50 });
    expect(r.converged).toBe(false);
    expect(r.steps).toBeLessThan(5);
  });

  it('rejects bad sizes, values, rules and options with typed errors', () => {
    expect(() => new HopfieldNetwork(0)).toThrow(ValueError);
    const net = new HopfieldNetwork(4);
    expect(() => net.store([[1, -1, 1]])).toThrow(ShapeError);
    expect(() => net.store([[1, -1, 1, 0.5]])).toThrow(ValueError);
    expect(() => net.store([[1, -1, 1, 1]], 'oja' as 'hebbian')).toThrow(ArgumentError);
    expect(() => net.recall([1, 1, 1])).toThrow(ShapeError);
    expect(() => net.recall([1, 1, 1, 1], { maxSteps: 0 })).toThrow(ValueError);
    expect(() => net.recall([1, 1, 1, 1], { mode: 'parallel' as 'synchronous' })).toThrow(ArgumentError);
    expect(() => net.energy([1, 2, 1, 1])).toThrow(ValueError);
    expect(() => corrupt([1, 1], 1.5)).toThrow(ValueError);
  });

  it('binarises, corrupts exactly the asked fraction, and measures overlap', () => {
    expect(Array.from(bipolar([0, 0.4, 0.6, 1]))).toEqual([-1, -1, 1, 1]);
    const p = new Float32Array(200).fill(1);
    const c = corrupt(p, 0.15, new Random(1));
    expect(c.filter((v) => v === -1).length).toBe(30);
    expect(overlap(p, c)).toBeCloseTo(0.85, 10);
  });
});
