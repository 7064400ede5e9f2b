/** Native optimiser steps and sum of squares against the reference, on every ISA path. */
import { describe, expect, it } from 'vitest';
import type { OptimizerHyper, OptimizerRule } from '../../src/backend/backend.js';
import { optimizerStateSlots } from '../../src/backend/reference/optim.js';
import { Random } from '../../src/random.js';
import {
  ISAS, compareArrays, detachedArray, expectOpError, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

/** Parameter sizes of one step: empty, single, odd, around vector widths, and one large. */
const PARAM_SIZES = [0, 1, 7, 17, 1000, 100003];

function hyper(over: Partial<OptimizerHyper> = {}): OptimizerHyper {
  return {
    lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0, dampening: 0, rho: 0.9,
    weightDecay: 0, decoupled: false, nesterov: false, amsgrad: false, centered: false,
    step: 1, gradScale: 1, clipValue: Infinity, ...over,
  };
}

interface Case { name: string; rule: OptimizerRule; h: Partial<OptimizerHyper> }

const CASES: Case[] = [
  { name: 'sgd', rule: 'sgd', h: { lr: 0.1 } },
  { name: 'sgd momentum dampening', rule: 'sgd', h: { lr: 0.1, momentum: 0.9, dampening: 0.1 } },
  { name: 'sgd nesterov', rule: 'sgd', h: { lr: 0.1, momentum: 0.8, nesterov: true } },
  { name: 'sgd l2 clip', rule: 'sgd', h: { lr: 0.1, momentum: 0.9, weightDecay: 0.01, clipValue: 0.3 } },
  { name: 'sgd decoupled scale', rule: 'sgd', h: { lr: 0.1, weightDecay: 0.05, decoupled: true, gradScale: 0.25 } },
  { name: 'adam', rule: 'adam', h: {} },
  { name: 'adam amsgrad', rule: 'adam', h: { amsgrad: true } },
  { name: 'adam l2', rule: 'adam', h: { weightDecay: 0.01 } },
  { name: 'adamw', rule: 'adam', h: { weightDecay: 0.01, decoupled: true } },
  { name: 'adam clip scale amsgrad', rule: 'adam', h: { clipValue: 0.4, gradScale: 1.5, amsgrad: true, eps: 1e-3 } },
  { name: 'rmsprop', rule: 'rmsprop', h: {} },
  { name: 'rmsprop momentum', rule: 'rmsprop', h: { momentum: 0.9 } },
  { name: 'rmsprop centered', rule: 'rmsprop', h: { centered: true } },
  { name: 'rmsprop momentum centered l2', rule: 'rmsprop', h: { momentum: 0.5, centered: true, weightDecay: 0.02 } },
  { name: 'rmsprop decoupled clip', rule: 'rmsprop', h: { weightDecay: 0.1, decoupled: true, clipValue: 0.2, rho: 0.99 } },
  { name: 'adagrad', rule: 'adagrad', h: { lr: 0.1 } },
  { name: 'adagrad decoupled scale', rule: 'adagrad', h: { lr: 0.1, weightDecay: 0.01, decoupled: true, gradScale: 2 } },
];

/** Whether slot s of the rule holds a running mean of squares (kept non-negative). */
function squareSlot(rule: OptimizerRule, h: OptimizerHyper, s: number): boolean {
  if (rule === 'adam') return s >= 1;
  if (rule === 'adagrad') return true;
  if (rule === 'rmsprop') return s === 0;
  return false;
}

interface Problem {
  params: Float32Array[];
  state: Float32Array[][];
  /** Gradients of each step. */
  grads: Float32Array[][];
}

function problem(seed: number, rule: OptimizerRule, h: OptimizerHyper, sizes: number[], steps: number): Problem {
  const rng = new Random(seed);
  const params = sizes.map((n) => randomArray(rng, n, -2, 2));
  const slots = optimizerStateSlots(rule, h);
  const state: Float32Array[][] = [];
  for (let s = 0; s < slots; s++) {
    // Adagrad's accumulator starts at the caller's value; the others from non-zero states too,
    // as in the middle of training (rmsprop's centred avg stays small against its sq).
    const sq = squareSlot(rule, h, s);
    state.push(sizes.map((n) => randomArray(rng, n, sq ? 0.5 : -0.1, sq ? 1 : 0.1)));
  }
  const grads: Float32Array[][] = [];
  for (let t = 0; t < steps; t++) grads.push(sizes.map((n) => randomArray(rng, n, -1, 1)));
  return { params, state, grads };
}

function clone(p: Problem): Problem {
  return {
    params: p.params.map((a) => a.slice()),
    state: p.state.map((slot) => slot.map((a) => a.slice())),
    grads: p.grads,
  };
}

function run(
  backend: typeof native | typeof reference, rule: OptimizerRule, h: OptimizerHyper, p: Problem, firstStep = 1,
): void {
  p.grads.forEach((g, t) => backend.optimizerStep(rule, p.params, g, p.state, { ...h, step: firstStep + t }));
}

function expectProblemsClose(got: Problem, want: Problem, atol: number, rtol: number, what: string): void {
  got.params.forEach((a, i) => {
    const r = compareArrays(a, want.params[i]!, atol, rtol);
    expect(r.ok, `${what}: params[${i}] ${r.message}`).toBe(true);
  });
  got.state.forEach((slot, s) => slot.forEach((a, i) => {
    const r = compareArrays(a, want.state[s]![i]!, atol, rtol);
    expect(r.ok, `${what}: state[${s}][${i}] ${r.message}`).toBe(true);
  }));
}

describe('optimizerStep: native against the reference', () => {
  for (const c of CASES) {
    it(`${c.name}: three steps over parameters of sizes ${PARAM_SIZES.join(', ')}`, () => {
      const h = hyper(c.h);
      const base = problem(11, c.rule, h, PARAM_SIZES, 3);
      const want = clone(base);
      run(reference, c.rule, h, want);
      for (const isa of ISAS) {
        for (const threads of [1, 2]) {
          const got = clone(base);
          withIsa(isa, () => withThreads(threads, () => run(native, c.rule, h, got)));
          expectProblemsClose(got, want, 2e-6, 2e-5, `${isa}, ${threads} threads`);
        }
      }
    });
  }

  it('sgd momentum from a later step uses the stored buffer (step > 1 on the first call)', () => {
    const h = hyper({ lr: 0.1, momentum: 0.9, dampening: 0.5 });
    const base = problem(12, 'sgd', h, [33, 5], 1);
    const want = clone(base);
    run(reference, 'sgd', h, want, 4);
    for (const isa of ISAS) {
      const got = clone(base);
      withIsa(isa, () => run(native, 'sgd', h, got, 4));
      expectProblemsClose(got, want, 1e-6, 1e-5, isa);
    }
  });

  it('many small parameters split over two threads map back to the right elements', () => {
    const sizes = Array.from({ length: 300 }, (_, i) => (i * 37) % 401);
    for (const rule of ['adam', 'sgd'] as const) {
      const h = hyper(rule === 'sgd' ? { momentum: 0.9 } : {});
      const base = problem(13, rule, h, sizes, 2);
      const want = clone(base);
      run(reference, rule, h, want);
      for (const isa of ISAS) {
        const got = clone(base);
        withIsa(isa, () => withThreads(2, () => run(native, rule, h, got)));
        expectProblemsClose(got, want, 2e-6, 2e-5, `${rule} ${isa}`);
      }
    }
  });

  it('NaN and ±Inf gradients propagate as the reference says', () => {
    const specials = [NaN, Infinity, -Infinity];
    for (const c of CASES) {
      const h = hyper(c.h);
      const base = problem(14, c.rule, h, [37, 3], 2);
      for (const g of base.grads) {
        g[0]![3] = specials[0]!;
        g[0]![20] = specials[1]!;
        g[0]![36] = specials[2]!;
        g[1]![1] = specials[1]!;
      }
      const want = clone(base);
      run(reference, c.rule, h, want);
      // The special positions really are non-finite or clipped as expected.
      expect(Number.isNaN(want.params[0]![3]!), `${c.name}: NaN gradient gives a NaN parameter`).toBe(true);
      for (const isa of ISAS) {
        const got = clone(base);
        withIsa(isa, () => run(native, c.rule, h, got));
        expectProblemsClose(got, want, 2e-6, 2e-5, `${c.name} ${isa}`);
      }
    }
  });

  it('Adam, two elements, two steps: hand-computed values', () => {
    // Step 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so p −= lr·g/(|g| + eps) = ±0.1.
    // Step 2 (g = [−1, 0.5]), element 0: m = 0.9·0.05 − 0.1 = −0.055, m̂ = −0.055/0.19,
    // v = 0.999·0.00025 + 0.001 = 0.00124975, v̂ = v/0.001999 = 0.625188, p = 0.9 + 0.036610.
    for (const isa of ISAS) {
      withIsa(isa, () => {
        const p = new Float32Array([1, 2]);
        const m = new Float32Array(2);
        const v = new Float32Array(2);
        const h = hyper({ lr: 0.1 });
        native.optimizerStep('adam', [p], [new Float32Array([0.5, -0.25])], [[m], [v]], { ...h, step: 1 });
        expect(p[0]).toBeCloseTo(0.9, 6);
        expect(p[1]).toBeCloseTo(2.1, 6);
        expect(m[0]).toBeCloseTo(0.05, 7);
        expect(v[1]).toBeCloseTo(6.25e-5, 10);
        native.optimizerStep('adam', [p], [new Float32Array([-1, 0.5])], [[m], [v]], { ...h, step: 2 });
        expect(p[0]).toBeCloseTo(0.9366103542, 6);
        expect(p[1]).toBeCloseTo(2.0633896442, 6);
        expect(m[0]).toBeCloseTo(-0.055, 7);
        expect(v[0]).toBeCloseTo(0.00124975, 9);
      });
    }
  });

  it('SGD with momentum and Nesterov, hand-computed: p = 1, g = 2, momentum 0.5, lr 0.1', () => {
    // Step 1: buf = g = 2, update = g + 0.5·buf = 3, p = 0.7. Step 2 (g = 2): buf = 0.5·2 + 2 = 3,
    // update = 2 + 1.5 = 3.5, p = 0.35.
    const p = new Float32Array([1]);
    const buf = new Float32Array([123]);
    const h = hyper({ lr: 0.1, momentum: 0.5, nesterov: true });
    native.optimizerStep('sgd', [p], [new Float32Array([2])], [[buf]], { ...h, step: 1 });
    expect(buf[0]).toBe(2);
    expect(p[0]).toBeCloseTo(0.7, 6);
    native.optimizerStep('sgd', [p], [new Float32Array([2])], [[buf]], { ...h, step: 2 });
    expect(buf[0]).toBe(3);
    expect(p[0]).toBeCloseTo(0.35, 6);
  });

  it('RMSprop (centred, momentum) and Adagrad, two steps: hand-computed values on both backends', () => {
    for (const backend of [native, reference]) {
      // RMSprop, rho 0.9, momentum 0.5, lr 0.1, g = 0.5 twice. Step 1: sq = 0.025, avg = 0.05,
      // √(sq − avg²) = 0.15, mom = 0.5/0.15, p = 1 − 0.1·3.3333 = 0.66667. Step 2: sq = 0.0475,
      // avg = 0.095, √0.038475 = 0.196150, mom = 1.66667 + 2.549064, p = 0.245094.
      const p = new Float32Array([1]);
      const st = [[new Float32Array(1)], [new Float32Array(1)], [new Float32Array(1)]];
      const h = hyper({ lr: 0.1, momentum: 0.5, centered: true, rho: 0.9 });
      backend.optimizerStep('rmsprop', [p], [new Float32Array([0.5])], st, { ...h, step: 1 });
      expect(p[0], backend.name).toBeCloseTo(0.6666666889, 6);
      backend.optimizerStep('rmsprop', [p], [new Float32Array([0.5])], st, { ...h, step: 2 });
      expect(p[0], backend.name).toBeCloseTo(0.2450936754, 6);
      expect(st[0]![0]![0]).toBeCloseTo(0.0475, 7);
      expect(st[2]![0]![0]).toBeCloseTo(0.095, 7);
      // Adagrad from an accumulator of 0.1, lr 0.1, g = 0.5 then −0.25: sum 0.35 then 0.4125,
      // p = 1 − 0.05/√0.35 = 0.9154846, then + 0.025/√0.4125 = 0.9544095.
      const q = new Float32Array([1]);
      const sum = new Float32Array([0.1]);
      const ha = hyper({ lr: 0.1, eps: 1e-10 });
      backend.optimizerStep('adagrad', [q], [new Float32Array([0.5])], [[sum]], { ...ha, step: 1 });
      expect(q[0], backend.name).toBeCloseTo(0.9154845745, 6);
      backend.optimizerStep('adagrad', [q], [new Float32Array([-0.25])], [[sum]], { ...ha, step: 2 });
      expect(q[0], backend.name).toBeCloseTo(0.9544095217, 6);
      expect(sum[0]).toBeCloseTo(0.4125, 7);
    }
  });

  it('one gradient array may serve several parameters (read-only sharing)', () => {
    const g = new Float32Array([1, -1, 0.5]);
    const a = new Float32Array([1, 1, 1]);
    const b = new Float32Array([2, 2, 2]);
    native.optimizerStep('sgd', [a, b], [g, g], [], hyper({ lr: 0.5 }));
    expect(Array.from(a)).toEqual([0.5, 1.5, 0.75]);
    expect(Array.from(b)).toEqual([1.5, 2.5, 1.75]);
  });
});

describe('optimizerStep: argument checks', () => {
  const addon = native.addon;
  const H = (over: Partial<Record<number, number>> = {}): Float64Array => {
    // lr, beta1, beta2, eps, momentum, dampening, rho, weightDecay, decoupled, nesterov,
    // amsgrad, centered, step, gradScale, clipValue
    const h = new Float64Array([0.01, 0.9, 0.999, 1e-8, 0, 0, 0.9, 0, 0, 0, 0, 0, 1, 1, Infinity]);
    for (const [k, v] of Object.entries(over)) h[Number(k)] = v!;
    return h;
  };
  const f = (n: number): Float32Array => new Float32Array(n);
  const ADAM = 1;

  it('rejects mismatched counts, lengths and slot counts', () => {
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [], [[f(3)], [f(3)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(4)], [[f(3)], [f(3)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(3)], [[f(3)], [f(2)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(3)], [[f(3)]], H()), RangeError, 'optimizerStep');
    // amsgrad needs a third slot; centred rmsprop with momentum needs three.
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(3)], [[f(3)], [f(3)]], H({ 10: 1 })), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(2, [f(3)], [f(3)], [[f(3)], [f(3)]], H({ 4: 0.9, 11: 1 })), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(3)], [[f(3)], []], H()), RangeError, 'optimizerStep');
    // sgd without momentum takes no state, with momentum one slot.
    expectOpError(() => addon.optimizerStep(0, [f(3)], [f(3)], [[f(3)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(0, [f(3)], [f(3)], [], H({ 4: 0.5 })), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(4, [f(3)], [f(3)], [], H()), RangeError, 'optimizerStep');
  });

  it('rejects wrong types and detached buffers', () => {
    expectOpError(() => addon.optimizerStep(0, [new Float64Array(3) as unknown as Float32Array], [f(3)], [], H()), TypeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(0, f(3) as unknown as Float32Array[], [f(3)], [], H()), TypeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(0, [f(3)], [f(3)], [], new Float32Array(15) as unknown as Float64Array), TypeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(0, [detachedArray(3)], [f(3)], [], H()), TypeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(3)], [f(3)], [[f(3)], [3 as unknown as Float32Array]], H()), TypeError, 'optimizerStep');
    // A getter that detaches an earlier parameter's buffer while the arrays are read.
    const first = f(1000);
    const params: Float32Array[] = [first];
    Object.defineProperty(params, 1, {
      get: () => { const buf = first.buffer as ArrayBuffer; structuredClone(buf, { transfer: [buf] }); return f(3); },
      enumerable: true,
    });
    expectOpError(() => addon.optimizerStep(0, params, [f(1000), f(3)], [], H()), TypeError, 'optimizerStep');
  });

  it('rejects bad hyper-parameters', () => {
    const ok = (): void => addon.optimizerStep(0, [f(3)], [f(3)], [], H());
    ok();
    const bad: Array<[number, number]> = [
      [0, NaN], [0, Infinity], [3, -Infinity], [12, 0], [12, 1.5], [12, NaN], [13, Infinity],
      [14, -1], [14, NaN], [8, 2], [9, 0.5],
    ];
    for (const [k, v] of bad) {
      expectOpError(() => addon.optimizerStep(0, [f(3)], [f(3)], [], H({ [k]: v })), RangeError, 'optimizerStep');
    }
    expectOpError(() => addon.optimizerStep(0, [f(3)], [f(3)], [], new Float64Array(14)), RangeError, 'optimizerStep');
  });

  it('rejects parameters or state sharing memory with any other array', () => {
    const buf = new Float32Array(20);
    const p = buf.subarray(0, 10);
    const overlapping = buf.subarray(5, 15);
    const disjoint = buf.subarray(10, 20);
    // param = its own grad, param overlapping state, state overlapping another param's grad,
    // two params overlapping, the same state array twice.
    expectOpError(() => addon.optimizerStep(0, [p], [p], [], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [p], [f(10)], [[overlapping], [f(10)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(ADAM, [f(10), f(10)], [f(10), overlapping], [[p, f(10)], [f(10), f(10)]], H()), RangeError, 'optimizerStep');
    expectOpError(() => addon.optimizerStep(0, [p, overlapping], [f(10), f(10)], [], H()), RangeError, 'optimizerStep');
    const s = f(10);
    expectOpError(() => addon.optimizerStep(ADAM, [f(10)], [f(10)], [[s], [s]], H()), RangeError, 'optimizerStep');
    // Adjacent views of one buffer are fine.
    addon.optimizerStep(0, [p], [disjoint], [], H());
  });

  it('a failed check changes nothing', () => {
    const p = new Float32Array([1, 2, 3]);
    const g = new Float32Array([1, 1, 1]);
    expectOpError(() => addon.optimizerStep(0, [p, p.subarray(1)], [g, g.subarray(1)], [], H({ 0: 1 })), RangeError, 'optimizerStep');
    expect(Array.from(p)).toEqual([1, 2, 3]);
  });
});

describe('sumOfSquares', () => {
  it('matches the float64 reference on every path, the same on 1 and 2 threads', () => {
    const rng = new Random(21);
    const arrays = [...PARAM_SIZES, 70001, 5].map((n) => randomArray(rng, n, -3, 3));
    const want = reference.sumOfSquares(arrays);
    for (const isa of ISAS) {
      const one = withIsa(isa, () => withThreads(1, () => native.sumOfSquares(arrays)));
      const two = withIsa(isa, () => withThreads(2, () => native.sumOfSquares(arrays)));
      expect(Math.abs(one - want) / want, isa).toBeLessThan(1e-12);
      expect(two, `${isa}: thread count changes nothing`).toBe(one);
    }
  });

  it('small cases, empty lists, NaN and Inf', () => {
    expect(native.sumOfSquares([])).toBe(0);
    expect(native.sumOfSquares([new Float32Array(0)])).toBe(0);
    // 3² + 4² in one array and 1e20² (beyond float range: float64 accumulation keeps it).
    expect(native.sumOfSquares([new Float32Array([3, 4])])).toBe(25);
    const big = native.sumOfSquares([new Float32Array([3, 4]), new Float32Array([1e20])]);
    expect(big / (25 + Math.fround(1e20) ** 2)).toBeCloseTo(1, 12);
    expect(native.sumOfSquares([new Float32Array([1, NaN, 2])])).toBeNaN();
    expect(native.sumOfSquares([new Float32Array([1, -Infinity])])).toBe(Infinity);
    expectOpError(() => native.addon.sumOfSquares([new Float64Array(2) as unknown as Float32Array]), TypeError, 'sumOfSquares');
  });
});
