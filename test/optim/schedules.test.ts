import { describe, expect, it } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import {
  ReduceLROnPlateau, SGD, cosineDecay, exponentialDecay, linearWarmup, scheduleFromConfig, stepDecay,
  type LearningRateSchedule,
} from '../../src/optim/index.js';

function values(s: LearningRateSchedule, steps: readonly number[]): number[] {
  return steps.map((t) => s(t));
}

function expectValues(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `index ${i}`).toBeCloseTo(expected[i]!, 12));
}

describe('learning-rate schedules', () => {
  it('stepDecay multiplies by gamma every stepSize steps', () => {
    const s = stepDecay({ initialLearningRate: 1, stepSize: 3, gamma: 0.5 });
    expectValues(values(s, [0, 1, 2, 3, 4, 5, 6, 7]), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(stepDecay({ initialLearningRate: 0.2, stepSize: 1 })(2)).toBeCloseTo(0.002, 15);
  });

  it('exponentialDecay, continuous and staircase', () => {
    const s = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expectValues(values(s, [0, 5, 10, 15, 20]), [0.1, 0.1 * Math.SQRT1_2, 0.05, 0.05 * Math.SQRT1_2, 0.025]);
    const st = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expectValues(values(st, [0, 9, 10, 15, 20]), [0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('cosineDecay with alpha floor and warmup', () => {
    const s = cosineDecay({ initialLearningRate: 1, decaySteps: 10 });
    // ½(1 + cos(π·t/10)) by hand: t=5 → 0.5; t=2 → ½(1 + cos(π/5)).
    expectValues(values(s, [0, 2, 5, 10, 30]), [1, 0.5 * (1 + Math.cos(Math.PI / 5)), 0.5, 0, 0]);
    const floor = cosineDecay({ initialLearningRate: 2, decaySteps: 10, alpha: 0.1 });
    expectValues(values(floor, [0, 5, 10, 50]), [2, 2 * (0.9 * 0.5 + 0.1), 0.2, 0.2]);
    const warm = cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    expectValues(values(warm, [0, 1, 2, 4, 9, 14, 100]), [0, 0.25, 0.5, 1, 0.5, 0, 0]);
  });

  it('linearWarmup ramps then hands over to the wrapped schedule', () => {
    expectValues(values(linearWarmup(0.1, { warmupSteps: 4 }), [0, 1, 2, 3, 4, 10]), [0, 0.025, 0.05, 0.075, 0.1, 0.1]);
    const inner = stepDecay({ initialLearningRate: 1, stepSize: 2, gamma: 0.1 });
    const w = linearWarmup(inner, { warmupSteps: 2, startFactor: 0.5 });
    expectValues(values(w, [0, 1, 2, 3, 4, 5, 6]), [0.5, 0.75, 1, 1, 0.1, 0.1, 0.01]);
    // A plain function can be wrapped too (it is just not serialisable).
    const f = linearWarmup((t) => 1 / (t + 1), { warmupSteps: 1 });
    expectValues(values(f, [0, 1, 2]), [0, 1, 0.5]);
    expect(f.className).toBeUndefined();
  });

  it('round-trips through { className, config } (and JSON)', () => {
    const all = [
      stepDecay({ initialLearningRate: 1, stepSize: 3, gamma: 0.5 }),
      exponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.9, staircase: true }),
      cosineDecay({ initialLearningRate: 0.01, decaySteps: 20, alpha: 0.05, warmupTarget: 0.1, warmupSteps: 5 }),
      linearWarmup(cosineDecay({ initialLearningRate: 1, decaySteps: 8 }), { warmupSteps: 3, startFactor: 0.2 }),
      linearWarmup(0.3, { warmupSteps: 2 }),
    ];
    const steps = [0, 1, 2, 3, 5, 8, 13, 21, 40];
    for (const s of all) {
      const json = JSON.parse(JSON.stringify({ className: s.className, config: s.config })) as unknown;
      const back = scheduleFromConfig(json);
      expect(back.className).toBe(s.className);
      expect(values(back, steps)).toEqual(values(s, steps));
    }
    // Keras' own spelling of a serialised schedule.
    const keras = scheduleFromConfig({
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5, staircase: false, name: 'ExponentialDecay' },
    });
    expect(keras(10)).toBeCloseTo(0.05, 15);
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => stepDecay({ initialLearningRate: 1 } as unknown as { initialLearningRate: number; stepSize: number })).toThrow(
      /dendrite\.stepDecay: option 'stepSize' is required/,
    );
    expect(() => stepDecay({ initialLearningRate: 1, stepSize: 0 })).toThrow(ValueError);
    expect(() => stepDecay({ initialLearningRate: -1, stepSize: 2 })).toThrow(ValueError);
    expect(() => exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0 })).toThrow(ValueError);
    expect(() => cosineDecay({ initialLearningRate: 1, decaySteps: 10, alpha: 2 })).toThrow(ValueError);
    expect(() => cosineDecay({ initialLearningRate: 1, decaySteps: 10, warmup: 3 } as unknown as { initialLearningRate: number; decaySteps: number })).toThrow(ArgumentError);
    expect(() => stepDecay({ initialLearningRate: 1, stepSize: 2 })(-1)).toThrow(ValueError);
    expect(() => stepDecay({ initialLearningRate: 1, stepSize: 2 })(NaN)).toThrow(ValueError);
    expect(() => scheduleFromConfig({ className: 'PolynomialDecay', config: {} })).toThrow(/valid ones are StepDecay/);
    expect(() => linearWarmup('x' as unknown as number, { warmupSteps: 2 })).toThrow(ArgumentError);
  });
});

describe('ReduceLROnPlateau', () => {
  it('reduces after patience updates without improvement', () => {
    const target = { learningRate: 1 };
    const r = new ReduceLROnPlateau(target, { patience: 2, factor: 0.5 });
    const reduced = [1, 0.9, 0.9, 0.9, 0.9, 0.9].map((v) => r.update(v));
    expect(reduced).toEqual([false, false, false, true, false, true]);
    expect(target.learningRate).toBe(0.25);
    expect(r.best).toBe(0.9);
  });

  it('needs an improvement larger than minDelta', () => {
    const target = { learningRate: 1 };
    const r = new ReduceLROnPlateau(target, { patience: 1, minDelta: 0.01 });
    r.update(1);
    expect(r.update(0.995)).toBe(true); // not better than 1 − 0.01
    expect(target.learningRate).toBeCloseTo(0.1, 15);
    expect(r.update(0.98)).toBe(false); // better than 1 − 0.01: new best
    expect(r.best).toBe(0.98);
  });

  it('waits out the cooldown (Keras counting) and respects minLr', () => {
    const target = { learningRate: 1 };
    const r = new ReduceLROnPlateau(target, { patience: 1, factor: 0.5, cooldown: 2 });
    const lrs = [1, 1, 1, 1, 1, 1].map((v) => {
      r.update(v);
      return target.learningRate;
    });
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25, 0.25, 0.125]);

    const t2 = { learningRate: 1 };
    const floor = new ReduceLROnPlateau(t2, { patience: 0, factor: 0.1, minLr: 0.05 });
    expect([1, 2, 2, 2].map((v) => floor.update(v))).toEqual([false, true, true, false]);
    expect(t2.learningRate).toBe(0.05);
  });

  it("mode 'max' for accuracies; NaN never improves", () => {
    const target = { learningRate: 0.1 };
    const r = new ReduceLROnPlateau(target, { mode: 'max', patience: 2 });
    expect([0.5, 0.6, 0.6, 0.55].map((v) => r.update(v))).toEqual([false, false, false, true]);
    expect(target.learningRate).toBeCloseTo(0.01, 15);
    const t2 = { learningRate: 1 };
    const n = new ReduceLROnPlateau(t2, { patience: 2 });
    expect([1, NaN, NaN].map((v) => n.update(v))).toEqual([false, false, true]);
    n.reset();
    expect([n.best, n.wait, n.cooldownCounter]).toEqual([Infinity, 0, 0]);
  });

  it("drives an optimizer's learning rate", () => {
    const opt = new SGD({ learningRate: 0.1 });
    const r = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
    r.update(2);
    r.update(2);
    expect(opt.learningRate).toBeCloseTo(0.05, 15);
  });

  it('rejects bad arguments', () => {
    expect(() => new ReduceLROnPlateau({ learningRate: 1 }, { factor: 1 })).toThrow(ValueError);
    expect(() => new ReduceLROnPlateau({ learningRate: 1 }, { mode: 'auto' as 'min' })).toThrow(ArgumentError);
    expect(() => new ReduceLROnPlateau({ learningRate: 1 }, { patience: 1.5 })).toThrow(ValueError);
    expect(() => new ReduceLROnPlateau({} as { learningRate: number })).toThrow(/dendrite\.ReduceLROnPlateau/);
    expect(() => new ReduceLROnPlateau({ learningRate: 1 }).update('0.5' as unknown as number)).toThrow(ArgumentError);
  });
});
