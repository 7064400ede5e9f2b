import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { ModernHopfield, corrupt, overlap } from '../../src/memory/index.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

describe('ModernHopfield', () => {
  it('retrieves 50 bipolar patterns at N = 64 (far beyond 0.14·N ≈ 9) from 20% corrupted cues', () => {
    const rng = new Random(7);
    const n = 64;
    const patterns = Array.from({ length: 50 }, () => Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1)));
    const memory = new ModernHopfield(patterns);
    expect(memory.size).toBe(64);
    expect(memory.patternCount).toBe(50);
    let exact = 0;
    for (const [i, p] of patterns.entries()) {
      const r = memory.retrieve(corrupt(p, 0.2, rng), { beta: 2, steps: 3 });
      if (r.best === i && overlap(r.state, p) === 1) exact++;
    }
    expect(exact).toBe(50);
  });

  it('retrieves real-valued patterns (columns of X [N, M]) with a large β', () => {
    const rng = new Random(4);
    const n = 32;
    const m = 100;
    const x = new Float32Array(n * m);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const memory = new ModernHopfield(new Tensor(x, [n, m]));
    for (let j = 0; j < 20; j++) {
      const target = Float32Array.from({ length: n }, (_, i) => x[i * m + j]!);
      const query = target.map((v) => v + 0.3 * rng.normal());
      const r = memory.retrieve(query, { beta: 8 });
      expect(r.best).toBe(j);
      const err = Math.max(...target.map((v, i) => Math.abs(v - r.state[i]!)));
      expect(err).toBeLessThan(1e-3);
    }
  });

  it('blends patterns at small β and converges at a fixed point', () => {
    const memory = new ModernHopfield([[1, 0], [0, 1]]);
    const r = memory.retrieve([1, 1], { beta: 0.01, steps: 20 });
    expect(r.state[0]).toBeCloseTo(0.5, 2);
    expect(r.weights[0]).toBeCloseTo(0.5, 2);
    expect(r.converged).toBe(true);
    expect(r.steps).toBeLessThan(20);
  });

  it('rejects bad shapes and options', () => {
    expect(() => new ModernHopfield([])).toThrow(ShapeError);
    expect(() => new ModernHopfield([[1, 2], [1]])).toThrow(ShapeError);
    const memory = new ModernHopfield([[1, -1, 1]]);
    expect(() => memory.retrieve([1, 1])).toThrow(ShapeError);
    expect(() => memory.retrieve([1, 1, 1], { beta: 0 })).toThrow(ValueError);
    expect(() => memory.retrieve([1, 1, 1], { steps: 0 })).toThrow(ValueError);
  });
});
