import { describe, expect, test } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import {
  Orthogonal, computeFans, getInitializer, glorotNormal, glorotUniform, heNormal, heUniform, lecunNormal,
  lecunUniform, orthogonal, serializeInitializer, varianceScaling,
} from '../../src/nn/initializers.js';
import { Random, globalRandom, manualSeed } from '../../src/random.js';

function stats(a: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / a.length;
  let q = 0;
  for (const v of a) q += (v - mean) ** 2;
  return { mean, variance: q / a.length, min, max };
}

describe('fan rules', () => {
  test('dense, conv and vectors follow Keras', () => {
    expect(computeFans([784, 32])).toEqual({ fanIn: 784, fanOut: 32 });
    expect(computeFans([3, 5, 4, 8])).toEqual({ fanIn: 60, fanOut: 120 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(computeFans([5, 2, 6])).toEqual({ fanIn: 10, fanOut: 30 });
  });
});

describe('distribution statistics', () => {
  const rng = new Random(42);
  // [fanIn, fanOut] = [400, 600]: fanAvg 500.
  const shape = [400, 600];
  const cases: Array<[string, number, 'uniform' | 'normal']> = [
    ['glorotUniform', 2 / 1000, 'uniform'],
    ['glorot_normal', 2 / 1000, 'normal'],
    ['HeUniform', 2 / 400, 'uniform'],
    ['kaiming_normal', 2 / 400, 'normal'],
    ['lecunUniform', 1 / 400, 'uniform'],
    ['LecunNormal', 1 / 400, 'normal'],
    ['xavierUniform', 2 / 1000, 'uniform'],
  ];
  test.for(cases)('%s has variance %d', ([name, variance, kind]) => {
    const w = getInitializer(name).init(shape, rng);
    expect(w.length).toBe(240_000);
    const s = stats(w);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * Math.sqrt(variance) * 10);
    expect(s.variance / variance).toBeGreaterThan(0.98);
    expect(s.variance / variance).toBeLessThan(1.02);
    if (kind === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.max).toBeGreaterThan(0.99 * limit);
    } else {
      // Truncated at two (pre-correction) standard deviations.
      const bound = (2 * Math.sqrt(variance)) / 0.87962566103423978;
      expect(s.max).toBeLessThanOrEqual(bound + 1e-6);
      expect(s.max).toBeGreaterThan(0.98 * bound);
    }
  });

  test('conv kernel fans: heNormal on [3, 3, 16, 32] has variance 2 / 144', () => {
    const s = stats(heNormal().init([3, 3, 16, 32], rng));
    expect(s.variance * 144 / 2).toBeGreaterThan(0.95);
    expect(s.variance * 144 / 2).toBeLessThan(1.05);
  });

  test('randomUniform, randomNormal, truncatedNormal, constant, zeros, ones', () => {
    const u = stats(getInitializer({ className: 'RandomUniform', config: { minval: 1, maxval: 3 } }).init([100_000], rng));
    expect(u.mean).toBeCloseTo(2, 1);
    expect(u.variance).toBeCloseTo(4 / 12, 2);
    expect(u.min).toBeGreaterThanOrEqual(1);
    expect(u.max).toBeLessThan(3);
    const d = stats(getInitializer('randomUniform').init([10_000], rng));
    expect(d.min).toBeGreaterThanOrEqual(-0.05);
    expect(d.max).toBeLessThan(0.05);
    const n = stats(getInitializer({ className: 'random_normal', config: { mean: -1, stddev: 2 } }).init([100_000], rng));
    expect(n.mean).toBeCloseTo(-1, 1);
    expect(n.variance).toBeGreaterThan(3.9);
    expect(n.variance).toBeLessThan(4.1);
    const t = stats(getInitializer({ className: 'TruncatedNormal', config: { stddev: 1 } }).init([100_000], rng));
    expect(t.max).toBeLessThanOrEqual(2);
    expect(t.min).toBeGreaterThanOrEqual(-2);
    // Variance of a unit normal truncated to [-2, 2].
    expect(t.variance).toBeCloseTo(0.7737, 1);
    expect([...getInitializer({ className: 'Constant', config: { value: 0.25 } }).init([3], rng)]).toEqual([0.25, 0.25, 0.25]);
    expect([...getInitializer('zeros').init([2, 2], rng)]).toEqual([0, 0, 0, 0]);
    expect([...getInitializer('Ones').init([3], rng)]).toEqual([1, 1, 1]);
  });

  test('varianceScaling modes and distributions', () => {
    const shape = [200, 800];
    const fanOut = stats(varianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal' }).init(shape, rng));
    expect(fanOut.variance / (3 / 800)).toBeCloseTo(1, 1);
    const fanAvg = stats(varianceScaling({ scale: 0.5, mode: 'fanAvg', distribution: 'uniform' }).init(shape, rng));
    expect(fanAvg.variance / (0.5 / 500)).toBeCloseTo(1, 1);
    expect(fanAvg.max).toBeLessThanOrEqual(Math.sqrt(1.5 / 500));
  });
});

describe('orthogonal', () => {
  function gram(w: Float32Array, rows: number, cols: number, byColumns: boolean): number {
    // Largest deviation of WᵀW (or WWᵀ) from gain² I.
    const k = byColumns ? cols : rows;
    let worst = 0;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        if (byColumns) for (let r = 0; r < rows; r++) s += w[r * cols + a] * w[r * cols + b];
        else for (let c = 0; c < cols; c++) s += w[a * cols + c] * w[b * cols + c];
        worst = Math.max(worst, Math.abs(s - (a === b ? 4 : 0)));
      }
    }
    return worst;
  }
  test('tall, wide and square matrices are (semi-)orthogonal times gain', () => {
    const init = orthogonal({ gain: 2 });
    const rng = new Random(3);
    expect(gram(init.init([64, 16], rng), 64, 16, true)).toBeLessThan(1e-5);
    expect(gram(init.init([16, 64], rng), 16, 64, false)).toBeLessThan(1e-5);
    expect(gram(init.init([32, 32], rng), 32, 32, true)).toBeLessThan(1e-5);
    // Higher rank flattens all but the last dimension.
    expect(gram(init.init([4, 5, 8], rng), 20, 8, true)).toBeLessThan(1e-5);
  });
  test('rejects vectors and serialises its gain', () => {
    expect(() => new Orthogonal().init([5], new Random(1))).toThrow(ArgumentError);
    expect(serializeInitializer(orthogonal({ gain: 0.5, seed: 9 }))).toEqual({ className: 'Orthogonal', config: { gain: 0.5, seed: 9 } });
  });
});

describe('seeding', () => {
  test('the global generator: manualSeed reproduces', () => {
    manualSeed(123);
    const a = glorotUniform().init([10, 10], globalRandom);
    manualSeed(123);
    const b = glorotUniform().init([10, 10], globalRandom);
    expect(b).toEqual(a);
    const c = glorotUniform().init([10, 10], globalRandom);
    expect(c).not.toEqual(a);
  });
  test('a seed makes an initialiser independent of the generator it is given', () => {
    const spec = { className: 'GlorotNormal', config: { seed: 7 } };
    const a = getInitializer(spec).init([8, 8], new Random(1));
    const b = getInitializer(spec).init([8, 8], new Random(2));
    expect(b).toEqual(a);
    manualSeed(5);
    const g0 = new Random(5).nextUint32();
    // The seeded draw leaves the global generator where it was.
    getInitializer(spec).init([8, 8], globalRandom);
    expect(globalRandom.nextUint32()).toBe(g0);
    expect(getInitializer({ className: 'GlorotNormal', config: { seed: 8 } }).init([8, 8], new Random(1))).not.toEqual(a);
    const o1 = orthogonal({ seed: 4 }).init([6, 6], new Random(1));
    expect(orthogonal({ seed: 4 }).init([6, 6], new Random(2))).toEqual(o1);
  });
});

describe('names and configs', () => {
  test('every spelling resolves and round-trips through {className, config}', () => {
    const names = [
      'glorotUniform', 'glorot_uniform', 'GlorotUniform', 'glorotNormal', 'xavier_normal', 'heUniform', 'he_normal',
      'kaimingUniform', 'leCunNormal', 'lecun_uniform', 'orthogonal', 'Orthogonal', 'zeros', 'ones', 'constant',
      'randomUniform', 'random_normal', 'truncatedNormal', 'VarianceScaling', 'variance_scaling', 'identity',
    ];
    for (const name of names) {
      const init = getInitializer(name);
      const again = getInitializer(serializeInitializer(init));
      expect(again.className).toBe(init.className);
      expect(again.getConfig()).toEqual(init.getConfig());
    }
    expect(getInitializer('he_normal').className).toBe('HeNormal');
    expect(getInitializer('kaiming_uniform').className).toBe('HeUniform');
    expect(getInitializer('glorot_uniform').getConfig()).toEqual({});
    const vs = getInitializer({ className: 'VarianceScaling', config: { scale: 2, mode: 'fan_avg', distribution: 'normal', seed: 1 } });
    expect(vs.getConfig()).toEqual({ scale: 2, mode: 'fanAvg', distribution: 'truncatedNormal', seed: 1 });
    const inst = heUniform();
    expect(getInitializer(inst)).toBe(inst);
    expect(lecunUniform({ seed: 3 }).getConfig()).toEqual({ seed: 3 });
    expect(lecunNormal().className).toBe('LecunNormal');
    expect(glorotNormal().className).toBe('GlorotNormal');
  });
  test('bad names and arguments are typed errors', () => {
    expect(() => getInitializer('glorotish')).toThrow(ArgumentError);
    expect(() => getInitializer('glorotish')).toThrow(/dendrite.getInitializer: unknown initializer .*glorotUniform/);
    expect(() => getInitializer(42 as never)).toThrow(ArgumentError);
    expect(() => getInitializer({ className: 'Constant', config: { value: NaN } })).toThrow(ValueError);
    expect(() => getInitializer({ className: 'RandomUniform', config: { minval: 1, maxval: 0 } })).toThrow(ValueError);
    expect(() => varianceScaling({ mode: 'fan_sideways' as never })).toThrow(ArgumentError);
    expect(() => varianceScaling({ scale: 0 })).toThrow(ValueError);
    expect(() => glorotUniform().init([2, -1], new Random(1))).toThrow(ArgumentError);
    expect(() => getInitializer('identity').init([2, 2, 2], new Random(1))).toThrow(ArgumentError);
  });
});
