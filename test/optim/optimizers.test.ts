import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, nativeAvailable, setBackend, type BackendName } from '../../src/backend/index.js';
import { ArgumentError, ShapeError, ValueError } from '../../src/errors.js';
import {
  Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD, adam, getOptimizer, sgd, stepDecay, train,
} from '../../src/optim/index.js';
import { tensor } from '../../src/ops/creation.js';
import { Tensor } from '../../src/tensor.js';

// Three steps on a three-element parameter with fixed gradients; the expected trajectories
// below are written from the update formulas, in float64, independently of the code under test.
const P0 = [0.5, -1.25, 2];
const GRADS = [
  [0.1, -0.3, 0.8],
  [0.4, 0.2, -0.5],
  [-0.2, 0.6, 0.05],
];

interface Opts {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  amsgrad?: boolean;
  decoupled?: boolean;
  rho?: number;
  centered?: boolean;
  init?: number;
}

/** Runs the rule on one coordinate at a time; returns the parameter after each step. */
function expectedTrajectory(rule: 'sgd' | 'adam' | 'rmsprop' | 'adagrad', o: Opts, p0 = P0, grads = GRADS): number[][] {
  const p = p0.slice();
  const n = p.length;
  const buf = new Array<number>(n).fill(0);
  const m = new Array<number>(n).fill(0);
  const v = new Array<number>(n).fill(0);
  const vmax = new Array<number>(n).fill(0);
  const avg = new Array<number>(n).fill(0);
  const acc = new Array<number>(n).fill(o.init ?? 0);
  const out: number[][] = [];
  const wd = o.weightDecay ?? 0;
  grads.forEach((gs, t) => {
    const step = t + 1;
    for (let i = 0; i < n; i++) {
      let g = gs[i]!;
      if (o.decoupled) p[i] = p[i]! * (1 - o.lr * wd);
      else g += wd * p[i]!;
      if (rule === 'sgd') {
        const mu = o.momentum ?? 0;
        if (mu === 0) {
          p[i] = p[i]! - o.lr * g;
        } else {
          buf[i] = step === 1 ? g : mu * buf[i]! + (1 - (o.dampening ?? 0)) * g;
          p[i] = p[i]! - o.lr * (o.nesterov ? g + mu * buf[i]! : buf[i]!);
        }
      } else if (rule === 'adam') {
        const b1 = o.beta1 ?? 0.9;
        const b2 = o.beta2 ?? 0.999;
        m[i] = b1 * m[i]! + (1 - b1) * g;
        v[i] = b2 * v[i]! + (1 - b2) * g * g;
        vmax[i] = Math.max(vmax[i]!, v[i]!);
        const vUsed = o.amsgrad ? vmax[i]! : v[i]!;
        const mHat = m[i]! / (1 - b1 ** step);
        const vHat = vUsed / (1 - b2 ** step);
        p[i] = p[i]! - (o.lr * mHat) / (Math.sqrt(vHat) + (o.eps ?? 1e-7));
      } else if (rule === 'rmsprop') {
        const rho = o.rho ?? 0.9;
        v[i] = rho * v[i]! + (1 - rho) * g * g;
        let denom = Math.sqrt(v[i]!) + (o.eps ?? 1e-7);
        if (o.centered) {
          avg[i] = rho * avg[i]! + (1 - rho) * g;
          denom = Math.sqrt(v[i]! - avg[i]! * avg[i]!) + (o.eps ?? 1e-7);
        }
        const mu = o.momentum ?? 0;
        if (mu > 0) {
          buf[i] = mu * buf[i]! + g / denom;
          p[i] = p[i]! - o.lr * buf[i]!;
        } else {
          p[i] = p[i]! - (o.lr * g) / denom;
        }
      } else {
        acc[i] = acc[i]! + g * g;
        p[i] = p[i]! - (o.lr * g) / (Math.sqrt(acc[i]!) + (o.eps ?? 1e-7));
      }
    }
    out.push(p.slice());
  });
  return out;
}

function param(values: readonly number[] = P0): Tensor {
  return tensor(values.slice(), [values.length], { requiresGrad: true });
}

function setGrad(p: Tensor, g: readonly number[]): void {
  p.grad = new Tensor(new Float32Array(g), p.shape);
}

/** Runs `opt` over `p` with the gradient sequence; the parameter after each step. */
function trajectory(opt: Optimizer, p: Tensor, grads = GRADS): number[][] {
  return grads.map((g) => {
    setGrad(p, g);
    opt.step();
    return Array.from(p.data);
  });
}

function expectClose(actual: number[][], expected: number[][], tol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => row.forEach((a, i) => {
    const e = expected[t]![i]!;
    if (Math.abs(a - e) > tol * (1 + Math.abs(e))) {
      throw new Error(`step ${t + 1}, element ${i}: got ${a}, expected ${e}`);
    }
  }));
}

const backends: BackendName[] = nativeAvailable() ? ['reference', 'native'] : ['reference'];

describe.each(backends)('optimisers on the %s backend', (name) => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend().name;
    setBackend(name);
  });
  afterAll(() => setBackend(before));

  it('SGD: plain, momentum, dampening, Nesterov, weight decay', () => {
    // Hand-computed first steps: plain SGD lr 0.1 moves by −0.1·g.
    const p = param();
    const traj = trajectory(new SGD([p], { learningRate: 0.1 }), p);
    expect(traj[0]![0]).toBeCloseTo(0.49, 6);
    expect(traj[0]![1]).toBeCloseTo(-1.22, 6);
    expectClose(traj, expectedTrajectory('sgd', { lr: 0.1 }));
    // Momentum 0.9: buf₂ = 0.9·0.1 + 0.4 = 0.49 → p = 0.49 − 0.049 = 0.441.
    const q = param();
    const mom = trajectory(new SGD([q], { lr: 0.1, momentum: 0.9 }), q);
    expect(mom[1]![0]).toBeCloseTo(0.441, 6);
    expectClose(mom, expectedTrajectory('sgd', { lr: 0.1, momentum: 0.9 }));
    const cases: Array<[Record<string, unknown>, Opts]> = [
      [{ momentum: 0.9, dampening: 0.5 }, { lr: 0.1, momentum: 0.9, dampening: 0.5 }],
      [{ momentum: 0.8, nesterov: true }, { lr: 0.1, momentum: 0.8, nesterov: true }],
      [{ momentum: 0.9, nesterov: true, weightDecay: 0.05 }, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.05 }],
      [{ weight_decay: 0.1 }, { lr: 0.1, weightDecay: 0.1 }],
    ];
    for (const [options, o] of cases) {
      const r = param();
      expectClose(trajectory(new SGD([r], { learningRate: 0.1, ...options }), r), expectedTrajectory('sgd', o));
    }
  });

  it('Adam: defaults, betas, amsgrad, L2 weight decay; AdamW decoupled', () => {
    const p = param();
    const traj = trajectory(new Adam([p], { learningRate: 0.1 }), p);
    // First Adam step moves every coordinate by lr·sign(g) (up to ε): m̂ = g, v̂ = g².
    expect(traj[0]![0]).toBeCloseTo(0.5 - 0.1, 5);
    expect(traj[0]![1]).toBeCloseTo(-1.25 + 0.1, 5);
    expectClose(traj, expectedTrajectory('adam', { lr: 0.1 }));
    const cases: Array<[Record<string, unknown>, Opts]> = [
      [{ beta1: 0.8, beta2: 0.99, eps: 1e-3 }, { lr: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-3 }],
      [{ amsgrad: true, beta2: 0.9 }, { lr: 0.1, amsgrad: true, beta2: 0.9 }],
      [{ weightDecay: 0.2 }, { lr: 0.1, weightDecay: 0.2 }],
    ];
    for (const [options, o] of cases) {
      const r = param();
      expectClose(trajectory(new Adam([r], { learningRate: 0.1, ...options }), r), expectedTrajectory('adam', o));
    }
    const w = param();
    expectClose(
      trajectory(new AdamW([w], { learningRate: 0.1, weightDecay: 0.2 }), w),
      expectedTrajectory('adam', { lr: 0.1, weightDecay: 0.2, decoupled: true }),
    );
    // AdamW's default decay (0.004, Keras') is in effect.
    const d = param();
    const adamw = new AdamW([d], { learningRate: 0.1 });
    expect(adamw.weightDecay).toBe(0.004);
    expect(adamw).toBeInstanceOf(Adam);
    expectClose(trajectory(adamw, d), expectedTrajectory('adam', { lr: 0.1, weightDecay: 0.004, decoupled: true }));
  });

  it('RMSprop: plain, momentum, centered, both', () => {
    const cases: Array<[Record<string, unknown>, Opts]> = [
      [{}, { lr: 0.01 }],
      [{ rho: 0.8, epsilon: 1e-4 }, { lr: 0.01, rho: 0.8, eps: 1e-4 }],
      [{ momentum: 0.9 }, { lr: 0.01, momentum: 0.9 }],
      [{ centered: true }, { lr: 0.01, centered: true }],
      [{ centered: true, momentum: 0.5, weightDecay: 0.1 }, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.1 }],
    ];
    for (const [options, o] of cases) {
      const r = param();
      expectClose(trajectory(new RMSprop([r], { learningRate: 0.01, ...options }), r), expectedTrajectory('rmsprop', o));
    }
    // First step, plain: sq = 0.1·g², so p moves by lr·g/(√0.1·|g|) = lr·sign(g)/√0.1.
    const h = param();
    trajectory(new RMSprop([h], { learningRate: 0.01 }), h, [GRADS[0]!]);
    expect(h.data[0]).toBeCloseTo(0.5 - 0.01 / Math.sqrt(0.1), 5);
  });

  it('Adagrad: initial accumulator, epsilon, weight decay', () => {
    const cases: Array<[Record<string, unknown>, Opts]> = [
      [{}, { lr: 0.1, init: 0.1 }],
      [{ initialAccumulatorValue: 0, eps: 1e-10 }, { lr: 0.1, init: 0, eps: 1e-10 }],
      [{ weightDecay: 0.3, initial_accumulator_value: 0.5 }, { lr: 0.1, init: 0.5, weightDecay: 0.3 }],
    ];
    for (const [options, o] of cases) {
      const r = param();
      expectClose(trajectory(new Adagrad([r], { learningRate: 0.1, ...options }), r), expectedTrajectory('adagrad', o));
    }
    // First step by hand: sum = 0.1 + 0.01 = 0.11, p = 0.5 − 0.1·0.1/√0.11.
    const h = param();
    trajectory(new Adagrad([h], { learningRate: 0.1 }), h, [GRADS[0]!]);
    expect(h.data[0]).toBeCloseTo(0.5 - 0.01 / Math.sqrt(0.11), 6);
  });

  it('skips a parameter without a gradient and counts steps per parameter', () => {
    const a = param();
    const frozen = param([1, 2]);
    const late = param([0.3, -0.7, 1.1]);
    const opt = new Adam([a, frozen, late], { learningRate: 0.1 });
    setGrad(a, GRADS[0]!);
    opt.step();
    expect(Array.from(frozen.data)).toEqual([1, 2]);
    expect(opt.stateDict().state[1]).toBeNull();
    expect(opt.stateDict().state[2]).toBeNull();
    // `late` gets gradients from step 2 on: its bias correction starts at its own first step.
    const lateTraj: number[][] = [];
    for (const g of GRADS.slice(1)) {
      setGrad(a, g);
      setGrad(late, g);
      opt.step();
      lateTraj.push(Array.from(late.data));
    }
    expect(Array.from(frozen.data)).toEqual([1, 2]);
    expectClose(lateTraj, expectedTrajectory('adam', { lr: 0.1 }, [0.3, -0.7, 1.1], GRADS.slice(1)));
    expect(opt.iterations).toBe(3);
    expect(opt.stateDict().state[0]!.step).toBe(3);
    expect(opt.stateDict().state[2]!.step).toBe(2);
  });

  it('clips by value and by global norm inside the step', () => {
    // SGD lr 1: the update is exactly the (clipped) gradient.
    const p = param([0, 0, 0]);
    const opt = new SGD([p], { learningRate: 1, clipvalue: 0.25 });
    setGrad(p, [0.1, -0.3, 0.8]);
    opt.step();
    expectClose([Array.from(p.data)], [[-0.1, 0.25, -0.25]]);

    const a = param([0, 0]);
    const b = param([0, 0, 0]);
    const g = new SGD([a, b], { learningRate: 1, globalClipnorm: 1 });
    setGrad(a, [3, 0]);
    setGrad(b, [0, 4, 0]); // joint norm 5 → scale 1/(5 + 1e-6)
    g.step();
    const s = 1 / (5 + 1e-6);
    expectClose([Array.from(a.data), Array.from(b.data)], [[-3 * s, 0], [0, -4 * s, 0]]);
    // Below the limit nothing is scaled.
    setGrad(a, [0.3, 0]);
    setGrad(b, [0, 0.4, 0]);
    g.step();
    expectClose([Array.from(a.data), Array.from(b.data)], [[-3 * s - 0.3, 0], [0, -4 * s - 0.4, 0]]);

    // Keras clipnorm: each parameter on its own.
    const c = param([0, 0]);
    const d = param([0, 0]);
    const k = new SGD([c, d], { learningRate: 1, clipnorm: 1 });
    setGrad(c, [3, 4]);
    setGrad(d, [0.3, 0.4]);
    k.step();
    const sc = 1 / (5 + 1e-6);
    expectClose([Array.from(c.data), Array.from(d.data)], [[-3 * sc, -4 * sc], [-0.3, -0.4]]);

    // Value and norm together: scaled first, then clamped.
    const e = param([0, 0]);
    const both = new SGD([e], { learningRate: 1, globalClipnorm: 1, clipvalue: 0.7 });
    setGrad(e, [3, 4]);
    both.step();
    expectClose([Array.from(e.data)], [[-3 * sc, -0.7]]);
  });

  it('follows a schedule given as the learning rate', () => {
    const p = param([0, 0]);
    const opt = new SGD([p], { learningRate: stepDecay({ initialLearningRate: 1, stepSize: 2, gamma: 0.5 }) });
    const rates: number[] = [];
    let before = 0;
    for (let t = 0; t < 5; t++) {
      expect(opt.learningRate).toBe([1, 1, 0.5, 0.5, 0.25][t]);
      setGrad(p, [1, 0]);
      opt.step();
      rates.push(before - p.data[0]!);
      before = p.data[0]!;
    }
    expectClose([rates], [[1, 1, 0.5, 0.5, 0.25]]);
    expect(() => {
      opt.learningRate = 0.1;
    }).toThrow(ArgumentError);
    opt.setLearningRate(0.125);
    expect(opt.learningRate).toBe(0.125);
    opt.learningRate = 0.0625;
    expect(opt.learningRate).toBe(0.0625);
    // A schedule returning garbage is caught before the kernel runs.
    const bad = new SGD([p], { learningRate: () => NaN });
    setGrad(p, [1, 0]);
    expect(() => bad.step()).toThrow(ValueError);
  });

  it('stateDict round trip resumes identically', () => {
    for (const make of [
      (ps: Tensor[]) => new Adam(ps, { learningRate: 0.05, amsgrad: true }),
      (ps: Tensor[]) => new SGD(ps, { learningRate: 0.05, momentum: 0.9, nesterov: true }),
      (ps: Tensor[]) => new RMSprop(ps, { learningRate: 0.05, momentum: 0.5, centered: true }),
      (ps: Tensor[]) => new Adagrad(ps, { learningRate: 0.05 }),
    ]) {
      const a = param();
      const first = make([a]);
      trajectory(first, a, GRADS.slice(0, 2));
      const saved = first.stateDict();
      const b = param(Array.from(a.data));
      const second = make([b]);
      second.loadStateDict(saved);
      // The dict was copied in: changing it now has no effect.
      for (const st of saved.state) st?.slots.forEach((s) => s.fill(123));
      expect(second.iterations).toBe(2);
      const ta = trajectory(first, a, GRADS);
      const tb = trajectory(second, b, GRADS);
      expect(tb).toEqual(ta);
    }
    const p = param();
    const opt = new Adam([p]);
    trajectory(opt, p, [GRADS[0]!]);
    expect(() => new SGD([param()]).loadStateDict(opt.stateDict())).toThrow(ArgumentError);
    expect(() => new Adam([param([1, 2])]).loadStateDict(opt.stateDict())).toThrow(ShapeError);
    expect(() => new Adam([param(), param()]).loadStateDict(opt.stateDict())).toThrow(ArgumentError);
    expect(() => new Adam([param()], { amsgrad: true }).loadStateDict(opt.stateDict())).toThrow(ArgumentError);
  });

  it('allocates state once and reuses gradient buffers through zeroGrad', () => {
    const x = param([1, 2, 3]);
    const opt = new Adam([x], { learningRate: 0.01 });
    x.mul(x).sum().backward();
    const gradBuffer = x.grad!.data;
    opt.step();
    const slots = (opt as unknown as { states: WeakMap<Tensor, { slots: Float32Array[] }> }).states.get(x)!.slots;
    opt.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(x).sum().backward();
    expect(x.grad!.data).toBe(gradBuffer);
    opt.step();
    const slotsAfter = (opt as unknown as { states: WeakMap<Tensor, { slots: Float32Array[] }> }).states.get(x)!.slots;
    expect(slotsAfter[0]).toBe(slots[0]);
    expect(slotsAfter[1]).toBe(slots[1]);
  });

  it('Keras-style attach: created without parameters, setParameters keeps known state', () => {
    const opt = getOptimizer('adam');
    expect(opt.parameters()).toEqual([]);
    opt.step(); // nothing to do, still counts
    expect(opt.iterations).toBe(1);
    const a = param();
    const b = param([1, 1, 1]);
    opt.setParameters([a, a]);
    expect(opt.parameters()).toEqual([a]);
    setGrad(a, GRADS[0]!);
    opt.step();
    opt.setParameters([b, a]);
    expect(opt.stateDict().state[0]).toBeNull();
    expect(opt.stateDict().state[1]!.step).toBe(1);
    expect(() => opt.setParameters([a, 3 as unknown as Tensor])).toThrow(ArgumentError);
    expect(() => opt.setParameters([a.mul(2)])).toThrow(ArgumentError);
    // A gradient of the wrong size is refused before the kernel runs.
    a.grad = new Tensor(new Float32Array([1, 2]), [2]);
    expect(() => opt.step()).toThrow(/dendrite\.Adam\.step: a parameter of shape \[3\] has a gradient of shape \[2\]/);
    expect(() => opt.step()).toThrow(ShapeError);
  });

  for (const [label, make, steps] of [
    ['SGD', (x: Tensor) => new SGD([x], { learningRate: 0.1 }), 100],
    ['SGD momentum', (x: Tensor) => new SGD([x], { learningRate: 0.05, momentum: 0.9, nesterov: true }), 200],
    ['Adam', (x: Tensor) => new Adam([x], { learningRate: 0.1 }), 400],
    ['AdamW', (x: Tensor) => new AdamW([x], { learningRate: 0.1, weightDecay: 0 }), 400],
    ['RMSprop', (x: Tensor) => new RMSprop([x], { learningRate: 0.01, centered: true }), 800],
    ['Adagrad', (x: Tensor) => new Adagrad([x], { learningRate: 0.5 }), 300],
  ] as const) {
    it(`${label} minimises (x − 3)²`, () => {
      const x = param([0, 5, -2]);
      const opt = make(x);
      for (let i = 0; i < steps; i++) {
        const d = x.sub(3);
        d.mul(d).sum().backward();
        opt.step();
        opt.zeroGrad();
      }
      for (const v of x.data) expect(Math.abs(v - 3)).toBeLessThan(1e-3);
    });
  }
});

describe('getOptimizer and options', () => {
  it('resolves names in any case and spelling', () => {
    const cases: Array<[string, new () => Optimizer]> = [
      ['sgd', SGD], ['SGD', SGD], ['adam', Adam], ['Adam', Adam], ['ADAM', Adam], ['adamw', AdamW],
      ['AdamW', AdamW], ['adam_w', AdamW], ['rmsprop', RMSprop], ['RMSprop', RMSprop], ['rms_prop', RMSprop],
      ['adagrad', Adagrad], ['Adagrad', Adagrad],
    ];
    for (const [name, cls] of cases) {
      const opt = getOptimizer(name);
      expect(opt.constructor).toBe(cls);
    }
    const a = new Adam();
    expect(getOptimizer(a)).toBe(a);
    expect(new Adam().learningRate).toBe(0.001);
    expect(new SGD().learningRate).toBe(0.01);
    expect(new RMSprop().learningRate).toBe(0.001);
    expect(new Adagrad().learningRate).toBe(0.001);
    expect(new Adam().epsilon).toBe(1e-7);
  });

  it('unknown names list the valid ones', () => {
    expect(() => getOptimizer('adamax')).toThrow(ArgumentError);
    expect(() => getOptimizer('adamax')).toThrow(/dendrite\.getOptimizer: unknown optimizer 'adamax'.*'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'/);
    expect(() => getOptimizer(42 as unknown as string)).toThrow(ArgumentError);
    expect(() => getOptimizer({ className: 7 } as unknown as { className: string })).toThrow(ArgumentError);
  });

  it('builds from Keras configs and round-trips getConfig', () => {
    const keras = {
      class_name: 'Adam',
      config: {
        name: 'adam', learning_rate: 0.002, weight_decay: null, clipnorm: null, global_clipnorm: null,
        clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null,
        loss_scale_factor: null, gradient_accumulation_steps: null, beta_1: 0.85, beta_2: 0.995,
        epsilon: 1e-8, amsgrad: true,
      },
    };
    const opt = getOptimizer(keras as unknown as { className: string }) as Adam;
    expect(opt).toBeInstanceOf(Adam);
    expect([opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, opt.amsgrad]).toEqual([0.002, 0.85, 0.995, 1e-8, true]);
    for (const o of [
      new SGD({ learningRate: 0.3, momentum: 0.7, nesterov: true, clipvalue: 2 }),
      new AdamW({ lr: 0.01, weightDecay: 0.02, globalClipnorm: 1 }),
      new RMSprop({ rho: 0.8, centered: true, momentum: 0.1, clipnorm: 3 }),
      new Adagrad({ initialAccumulatorValue: 0.2, eps: 1e-6 }),
      new Adam({ learningRate: stepDecay({ initialLearningRate: 0.1, stepSize: 10 }) }),
    ]) {
      const config = JSON.parse(JSON.stringify(o.getConfig())) as Record<string, unknown>;
      const back = getOptimizer({ className: o.className, config });
      expect(back.constructor).toBe(o.constructor);
      expect(back.getConfig()).toEqual(o.getConfig());
    }
    const sched = getOptimizer({ className: 'Adam', config: new Adam({ learningRate: stepDecay({ initialLearningRate: 0.1, stepSize: 10 }) }).getConfig() });
    expect(sched.learningRate).toBe(0.1);
  });

  it('rejects bad options with typed errors naming the optimiser', () => {
    expect(() => new Adam({ lerning_rate: 0.1 } as unknown as { learningRate: number })).toThrow(/dendrite\.Adam: unknown option 'lerning_rate'/);
    expect(() => new Adam({ learningRate: -1 })).toThrow(ValueError);
    expect(() => new Adam({ learningRate: NaN })).toThrow(ValueError);
    expect(() => new Adam({ learningRate: '0.1' as unknown as number })).toThrow(ArgumentError);
    expect(() => new Adam({ beta1: 1 })).toThrow(ValueError);
    expect(() => new Adam({ eps: 1e-8, epsilon: 1e-7 })).toThrow(/given twice/);
    expect(() => new Adam({ amsgrad: 1 as unknown as boolean })).toThrow(ArgumentError);
    expect(() => new SGD({ nesterov: true })).toThrow(/dendrite\.SGD: nesterov needs momentum > 0/);
    expect(() => new SGD({ momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(ArgumentError);
    expect(() => new SGD({ clipnorm: 0 })).toThrow(ValueError);
    expect(() => new SGD({ clipnorm: 1, globalClipnorm: 1 })).toThrow(ArgumentError);
    expect(() => new RMSprop({ rho: 1.5 })).toThrow(ValueError);
    expect(() => new Adagrad({ initialAccumulatorValue: -0.1 })).toThrow(ValueError);
    expect(() => new Adam({ use_ema: true } as unknown as { learningRate: number })).toThrow(ArgumentError);
    expect(() => new Adam(param() as unknown as Tensor[])).toThrow(/array of tensors/);
    expect(() => new Adam({ learningRate: 0.1 } as unknown as Tensor[], { learningRate: 0.1 })).toThrow(ArgumentError);
    const opt = new Adam();
    expect(() => {
      opt.learningRate = -0.5;
    }).toThrow(ValueError);
  });

  it('lowercase and tfjs-style factories', () => {
    expect(sgd(0.5).learningRate).toBe(0.5);
    expect(sgd({ momentum: 0.5 }).momentum).toBe(0.5);
    expect(adam().learningRate).toBe(0.001);
    expect(adam(0.02).learningRate).toBe(0.02);
    const m = train.momentum(0.1, 0.9, true);
    expect([m.learningRate, m.momentum, m.nesterov]).toEqual([0.1, 0.9, true]);
    const a = train.adam(0.01, 0.8, 0.9, 1e-6);
    expect([a.learningRate, a.beta1, a.beta2, a.epsilon]).toEqual([0.01, 0.8, 0.9, 1e-6]);
    const r = train.rmsprop(0.01, 0.95, 0.1, 1e-6, true);
    expect([r.rho, r.momentum, r.epsilon, r.centered]).toEqual([0.95, 0.1, 1e-6, true]);
    expect(train.adagrad(0.1, 0.3).initialAccumulatorValue).toBe(0.3);
    expect(train.sgd(0.2)).toBeInstanceOf(SGD);
  });
});
