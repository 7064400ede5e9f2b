/**
 * Learning-rate schedules. A schedule is a function of the step — the number of updates
 * already applied, 0 for the first (Keras' `optimizer.iterations`) — returning the rate that
 * update uses; pass it as an optimiser's `learningRate`. The factories here also attach a
 * Keras-style `className` and `config`, so an optimiser using one can be saved and rebuilt
 * (scheduleFromConfig). ReduceLROnPlateau is not a function of the step: it watches a metric
 * and lowers an optimiser's learning rate, driven by the training loop's callback.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import { checkRange, option, readOptions, type OptionSpec } from './options.js';

/** A learning rate as a function of the 0-based step. */
export interface LearningRateSchedule {
  (step: number): number;
  /** Keras class name ('CosineDecay') when the schedule can be serialised. */
  readonly className?: string;
  /** Arguments rebuilding the schedule with scheduleFromConfig. */
  readonly config?: Readonly<Record<string, unknown>>;
}

function checkStep(name: string, step: number): void {
  if (typeof step !== 'number' || !(step >= 0) || !Number.isFinite(step)) {
    throw new ValueError(`dendrite.${name}: the step must be a finite number >= 0, got ${describe(step)}`);
  }
}

function makeSchedule(
  className: string, config: Record<string, unknown>, fn: (step: number) => number,
): LearningRateSchedule {
  const schedule = (step: number): number => {
    checkStep(className, step);
    return fn(step);
  };
  return Object.assign(schedule, { className, config: Object.freeze({ ...config }) });
}

const LR: OptionSpec = { name: 'initialLearningRate', aliases: ['learningRate', 'lr'], type: { kind: 'number', min: 0 } };

function required<T>(owner: string, values: ReadonlyMap<string, unknown>, name: string): T {
  if (!values.has(name)) throw new ArgumentError(`dendrite.${owner}: option '${name}' is required`);
  return values.get(name) as T;
}

export interface StepDecayArgs {
  initialLearningRate: number;
  /** Steps between reductions. */
  stepSize: number;
  /** Factor applied every stepSize steps (default 0.1). */
  gamma?: number;
}

/** PyTorch's StepLR: lr(step) = initialLearningRate · gamma^⌊step / stepSize⌋. */
export function stepDecay(args: StepDecayArgs): LearningRateSchedule {
  const v = readOptions('dendrite.stepDecay', args, [
    LR,
    { name: 'stepSize', aliases: ['stepsize'], type: { kind: 'integer', min: 1 } },
    { name: 'gamma', type: { kind: 'number', min: 0, minExclusive: true } },
  ]);
  const lr0 = required<number>('stepDecay', v, 'initialLearningRate');
  const stepSize = required<number>('stepDecay', v, 'stepSize');
  const gamma = option(v, 'gamma', 0.1);
  return makeSchedule('StepDecay', { initialLearningRate: lr0, stepSize, gamma }, (step) =>
    lr0 * Math.pow(gamma, Math.floor(step / stepSize)));
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals of decaySteps (default false: continuously). */
  staircase?: boolean;
}

/** Keras' ExponentialDecay: lr(step) = initialLearningRate · decayRate^(step / decaySteps) (floored when staircase). */
export function exponentialDecay(args: ExponentialDecayArgs): LearningRateSchedule {
  const v = readOptions('dendrite.exponentialDecay', args, [
    LR,
    { name: 'decaySteps', type: { kind: 'number', min: 0, minExclusive: true } },
    { name: 'decayRate', type: { kind: 'number', min: 0, minExclusive: true } },
    { name: 'staircase', type: { kind: 'boolean' } },
  ]);
  const lr0 = required<number>('exponentialDecay', v, 'initialLearningRate');
  const decaySteps = required<number>('exponentialDecay', v, 'decaySteps');
  const decayRate = required<number>('exponentialDecay', v, 'decayRate');
  const staircase = option(v, 'staircase', false);
  return makeSchedule('ExponentialDecay', { initialLearningRate: lr0, decaySteps, decayRate, staircase }, (step) => {
    const p = step / decaySteps;
    return lr0 * Math.pow(decayRate, staircase ? Math.floor(p) : p);
  });
}

export interface CosineDecayArgs {
  /** The rate at step 0 (the start of the warmup when there is one). */
  initialLearningRate: number;
  /** Length of the cosine part, after any warmup. */
  decaySteps: number;
  /** Floor, as a fraction of the peak rate (default 0). */
  alpha?: number;
  /** Peak rate reached by linear warmup (default: no warmup, the peak is initialLearningRate). */
  warmupTarget?: number;
  /** Warmup length in steps (default 0). */
  warmupSteps?: number;
}

/**
 * Keras' CosineDecay. With a warmup, the rate rises linearly from initialLearningRate to
 * warmupTarget over warmupSteps; then (or from step 0 without warmup) it follows
 * peak · ((1 − alpha)·½(1 + cos(π·t/decaySteps)) + alpha), t = steps since the warmup, and
 * stays at alpha · peak once t passes decaySteps.
 */
export function cosineDecay(args: CosineDecayArgs): LearningRateSchedule {
  const v = readOptions('dendrite.cosineDecay', args, [
    LR,
    { name: 'decaySteps', type: { kind: 'integer', min: 1 } },
    { name: 'alpha', type: { kind: 'number', min: 0, max: 1 } },
    { name: 'warmupTarget', type: { kind: 'number', min: 0 } },
    { name: 'warmupSteps', type: { kind: 'integer', min: 0 } },
  ]);
  const lr0 = required<number>('cosineDecay', v, 'initialLearningRate');
  const decaySteps = required<number>('cosineDecay', v, 'decaySteps');
  const alpha = option(v, 'alpha', 0);
  const target = option<number | null>(v, 'warmupTarget', null);
  const warmupSteps = target === null ? 0 : option(v, 'warmupSteps', 0);
  const peak = target ?? lr0;
  const config: Record<string, unknown> = { initialLearningRate: lr0, decaySteps, alpha };
  if (target !== null) Object.assign(config, { warmupTarget: target, warmupSteps });
  return makeSchedule('CosineDecay', config, (step) => {
    if (step < warmupSteps) return lr0 + (peak - lr0) * (step / warmupSteps);
    const t = Math.min(step - warmupSteps, decaySteps);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * t) / decaySteps));
    return peak * ((1 - alpha) * cosine + alpha);
  });
}

export interface LinearWarmupArgs {
  /** Steps of warmup. */
  warmupSteps: number;
  /** Fraction of the target rate at step 0 (default 0). */
  startFactor?: number;
}

/**
 * Linear warmup in front of another schedule (or a constant rate): for step < warmupSteps the
 * rate is after(0) · (startFactor + (1 − startFactor) · step / warmupSteps); from then on it is
 * after(step − warmupSteps), so the wrapped schedule starts where the warmup ends.
 */
export function linearWarmup(after: number | LearningRateSchedule, args: LinearWarmupArgs): LearningRateSchedule {
  const v = readOptions('dendrite.linearWarmup', args, [
    { name: 'warmupSteps', type: { kind: 'integer', min: 0 } },
    { name: 'startFactor', type: { kind: 'number', min: 0, max: 1 } },
  ]);
  const warmupSteps = required<number>('linearWarmup', v, 'warmupSteps');
  const startFactor = option(v, 'startFactor', 0);
  let inner: (step: number) => number;
  let innerConfig: unknown;
  if (typeof after === 'number') {
    checkRange('dendrite.linearWarmup', 'after', after, { min: 0 });
    inner = () => after;
    innerConfig = after;
  } else if (typeof after === 'function') {
    inner = after;
    innerConfig = after.className !== undefined ? { className: after.className, config: after.config ?? {} } : undefined;
  } else {
    throw new ArgumentError(`dendrite.linearWarmup: the schedule must be a number or a function of the step, got ${describe(after)}`);
  }
  const fn = (step: number): number =>
    step < warmupSteps
      ? inner(0) * (startFactor + ((1 - startFactor) * step) / warmupSteps)
      : inner(step - warmupSteps);
  // A wrapped function without a config cannot be serialised; neither can the warmup then.
  if (innerConfig === undefined) {
    return (step: number): number => {
      checkStep('LinearWarmup', step);
      return fn(step);
    };
  }
  return makeSchedule('LinearWarmup', { after: innerConfig, warmupSteps, startFactor }, fn);
}

/** Rebuilds a schedule from its `{ className, config }` (also Keras' `class_name`). */
export function scheduleFromConfig(spec: unknown): LearningRateSchedule {
  if (typeof spec !== 'object' || spec === null) {
    throw new ArgumentError(`dendrite.scheduleFromConfig: expected { className, config }, got ${describe(spec)}`);
  }
  const s = spec as Record<string, unknown>;
  const className = s.className ?? s.class_name;
  const config = (s.config ?? {}) as Record<string, unknown>;
  if (typeof className !== 'string') {
    throw new ArgumentError(`dendrite.scheduleFromConfig: expected a string className, got ${describe(className)}`);
  }
  switch (className.toLowerCase().replace(/[_-]/g, '')) {
    case 'stepdecay': return stepDecay(config as unknown as StepDecayArgs);
    case 'exponentialdecay': return exponentialDecay(config as unknown as ExponentialDecayArgs);
    case 'cosinedecay': return cosineDecay(config as unknown as CosineDecayArgs);
    case 'linearwarmup': {
      const { after, ...rest } = config;
      const inner = typeof after === 'number' ? after : scheduleFromConfig(after);
      return linearWarmup(inner, rest as unknown as LinearWarmupArgs);
    }
    default:
      throw new ArgumentError(
        `dendrite.scheduleFromConfig: unknown schedule '${className}'; valid ones are StepDecay, ExponentialDecay, CosineDecay, LinearWarmup`,
      );
  }
}

/** Anything with a settable learning rate (an Optimizer). */
export interface HasLearningRate {
  learningRate: number;
}

export interface ReduceLROnPlateauArgs {
  /** 'min' (default): lower values are better (a loss); 'max': higher are (an accuracy). */
  mode?: 'min' | 'max';
  /** Multiplier applied on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Updates without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4, absolute, as Keras). */
  minDelta?: number;
  /** Updates to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The rate is never lowered below this (default 0). */
  minLr?: number;
}

/**
 * Keras' ReduceLROnPlateau logic: call `update(value)` once per epoch with the watched metric;
 * after `patience` updates without an improvement of more than minDelta, the target's
 * learningRate is multiplied by factor (not below minLr), then `cooldown` updates pass before
 * waiting starts again.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  /** Best value seen so far (±Infinity before the first update). */
  best: number;
  /** Updates since the last improvement. */
  wait = 0;
  /** Updates of cooldown left. */
  cooldownCounter = 0;

  constructor(readonly target: HasLearningRate, args: ReduceLROnPlateauArgs = {}) {
    if (typeof target !== 'object' || target === null || typeof target.learningRate !== 'number') {
      throw new ArgumentError(`dendrite.ReduceLROnPlateau: the target must have a numeric learningRate (an Optimizer), got ${describe(target)}`);
    }
    const v = readOptions('dendrite.ReduceLROnPlateau', args, [
      { name: 'mode', type: { kind: 'raw' } },
      { name: 'factor', type: { kind: 'number', min: 0, max: 1, minExclusive: true, maxExclusive: true } },
      { name: 'patience', type: { kind: 'integer', min: 0 } },
      { name: 'minDelta', aliases: ['epsilon'], type: { kind: 'number', min: 0 } },
      { name: 'cooldown', type: { kind: 'integer', min: 0 } },
      { name: 'minLr', type: { kind: 'number', min: 0 } },
    ]);
    const mode = option<unknown>(v, 'mode', 'min');
    if (mode !== 'min' && mode !== 'max') {
      throw new ArgumentError(`dendrite.ReduceLROnPlateau: mode must be 'min' or 'max', got ${describe(mode)}`);
    }
    this.mode = mode;
    this.factor = option(v, 'factor', 0.1);
    this.patience = option(v, 'patience', 10);
    this.minDelta = option(v, 'minDelta', 1e-4);
    this.cooldown = option(v, 'cooldown', 0);
    this.minLr = option(v, 'minLr', 0);
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Forgets the best value and the counters (e.g. at the start of training). */
  reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  private improves(value: number): boolean {
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }

  /** Feeds one metric value; returns true when this call lowered the learning rate. */
  update(value: number): boolean {
    if (typeof value !== 'number') {
      throw new ArgumentError(`dendrite.ReduceLROnPlateau.update: expected a number, got ${describe(value)}`);
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    // NaN never improves, so a diverging loss counts towards patience.
    if (this.improves(value)) {
      this.best = value;
      this.wait = 0;
      return false;
    }
    // As Keras: the update that ends the cooldown already counts towards patience.
    if (this.cooldownCounter > 0) return false;
    this.wait++;
    if (this.wait < this.patience) return false;
    const old = this.target.learningRate;
    if (!(old > this.minLr)) return false;
    this.target.learningRate = Math.max(old * this.factor, this.minLr);
    this.cooldownCounter = this.cooldown;
    this.wait = 0;
    return true;
  }
}
