/**
 * Training callbacks with Keras' names and semantics: EarlyStopping, ModelCheckpoint,
 * LearningRateScheduler, ReduceLROnPlateau, LambdaCallback and History, plus the list fit()
 * runs them through. Factories as tfjs: `callbacks.earlyStopping({ patience: 3 })`.
 *
 * Any object with some of the hooks (onEpochEnd, ...) is a callback too; hooks may be async and
 * fit() awaits them.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { ReduceLROnPlateau as PlateauSchedule } from '../optim/schedules.js';
import { HistoryCallback } from './history.js';
import type { Callback, Logs, Model } from './model.js';

/** A base for callbacks: keeps the model fit() hands over. */
export abstract class CallbackBase implements Callback {
  /** The model being trained (set by fit before onTrainBegin). */
  model: Model | null = null;

  setModel(model: Model): void {
    this.model = model;
  }

  /** The model, or an error naming the callback when it is used outside fit(). */
  protected requireModel(who: string): Model {
    if (this.model === null) throw new ArgumentError(`dendrite.${who}: no model; the callback must be passed to fit()`);
    return this.model;
  }
}

export type MonitorMode = 'auto' | 'min' | 'max';

/** 'auto' watches accuracy-like figures for increases and everything else for decreases (Keras). */
function resolveMode(who: string, mode: unknown, monitor: string): 'min' | 'max' {
  if (mode === undefined || mode === 'auto') {
    return /acc|auc|precision|recall|f1|fmeasure/i.test(monitor) ? 'max' : 'min';
  }
  if (mode === 'min' || mode === 'max') return mode;
  throw new ArgumentError(`dendrite.${who}: mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
}

function monitorArg(who: string, monitor: unknown, fallback: string): string {
  if (monitor === undefined) return fallback;
  if (typeof monitor !== 'string' || monitor === '') {
    throw new ArgumentError(`dendrite.${who}: monitor must be a non-empty string, got ${describe(monitor)}`);
  }
  return monitor;
}

function nonNegative(who: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0) || Number.isNaN(v)) {
    throw new ArgumentError(`dendrite.${who}: ${name} must be a non-negative number, got ${describe(v)}`);
  }
  return v;
}

function nonNegativeInt(who: string, name: string, v: unknown, fallback: number): number {
  const n = nonNegative(who, name, v, fallback);
  if (!Number.isInteger(n)) throw new ArgumentError(`dendrite.${who}: ${name} must be a non-negative integer, got ${describe(v)}`);
  return n;
}

/** The monitored value from epoch logs, or null (with the available keys for the message). */
function monitored(logs: Logs | undefined, monitor: string): number | null {
  const v = logs?.[monitor];
  return typeof v === 'number' ? v : null;
}

/** Writes a callback's warning once per key (Keras warns when the monitored key is missing). */
const warned = new Set<string>();
function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, 'DendriteWarning');
}

// ---- EarlyStopping ---------------------------------------------------------------------------

export interface EarlyStoppingArgs {
  /** Figure watched (default 'val_loss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max' or 'auto' (from the monitor's name). */
  mode?: MonitorMode;
  /** Stop unless the monitored figure gets better than this. */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (default 0). */
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored figure has stopped improving for `patience` epochs (sets
 * model.stopTraining; fit ends after that epoch). With restoreBestWeights the weights (and
 * buffers, e.g. BatchNorm statistics) of the best epoch are restored when training ends, as in
 * Keras 3.
 */
export class EarlyStopping extends CallbackBase {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epoch at which training was stopped (0: not stopped). */
  stoppedEpoch = 0;
  /** Best value seen so far. */
  best = Number.POSITIVE_INFINITY;
  /** Epoch of the best value (-1 before the first). */
  bestEpoch = -1;
  private bestWeights: Tensor[] | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    const who = 'EarlyStopping';
    this.monitor = monitorArg(who, args.monitor, 'val_loss');
    // Keras takes the magnitude: the sign follows from the mode.
    const minDelta = args.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) {
      throw new ArgumentError(`dendrite.${who}: minDelta must be a finite number, got ${describe(minDelta)}`);
    }
    this.minDelta = Math.abs(minDelta);
    this.patience = nonNegativeInt(who, 'patience', args.patience, 0);
    this.mode = resolveMode(who, args.mode, this.monitor);
    if (args.baseline !== undefined && (typeof args.baseline !== 'number' || !Number.isFinite(args.baseline))) {
      throw new ArgumentError(`dendrite.${who}: baseline must be a finite number, got ${describe(args.baseline)}`);
    }
    this.baseline = args.baseline ?? null;
    this.restoreBestWeights = args.restoreBestWeights === true;
    this.startFromEpoch = nonNegativeInt(who, 'startFromEpoch', args.startFromEpoch, 0);
  }

  private isImprovement(value: number, reference: number): boolean {
    return this.mode === 'min' ? value < reference - this.minDelta : value > reference + this.minDelta;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs?: Logs): void {
    const model = this.requireModel('EarlyStopping');
    const current = monitored(logs, this.monitor);
    if (current === null || epoch < this.startFromEpoch) {
      if (current === null) {
        warnOnce(
          `EarlyStopping:${this.monitor}`,
          `dendrite.EarlyStopping: '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs ?? {}).join(', ')}); not stopping on it`,
        );
      }
      return;
    }
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = model.getWeights();
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // With a baseline, only beating it resets the count.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null && this.model !== null) {
      this.model.setWeights(this.bestWeights);
    }
  }
}

// ---- ModelCheckpoint -------------------------------------------------------------------------

export interface ModelCheckpointArgs {
  /**
   * Where to save; may use Keras' template fields: '{epoch}' (1-based), '{epoch:03d}', and any
   * log key, e.g. '{val_loss:.4f}'. A directory for model.save, a file for saveWeightsOnly.
   */
  filepath: string;
  /** Figure compared by saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** Only save when the monitored figure improves on the best so far (default false). */
  saveBestOnly?: boolean;
  /** model.saveWeights(file) instead of model.save(dir) (default false). */
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** Save every `saveFreq` epochs (default 1). */
  saveFreq?: number;
}

/** Keras' filepath templates: {epoch}, {epoch:02d}, {val_loss:.2f}. */
export function formatFilepath(template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const value = key === 'epoch' ? epoch + 1 : logs[key];
    if (value === undefined) {
      throw new ArgumentError(`dendrite.ModelCheckpoint: filepath field '{${key}}' is neither 'epoch' nor a log key (${Object.keys(logs).join(', ')})`);
    }
    if (spec === undefined || spec === '') return String(value);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfe]?)$/.exec(spec);
    if (m === null) throw new ArgumentError(`dendrite.ModelCheckpoint: unsupported format '${whole}' in filepath`);
    const [, zero, width, precision, kind] = m;
    let s: string;
    if (kind === 'd') s = String(Math.round(value));
    else if (kind === 'e') s = value.toExponential(precision === undefined ? 6 : Number(precision));
    else s = precision === undefined ? String(value) : value.toFixed(Number(precision));
    const w = width === '' || width === undefined ? 0 : Number(width);
    return s.padStart(w, zero === '0' ? '0' : ' ');
  });
}

/**
 * Saves the model (or only its weights) at the end of epochs: every `saveFreq` epochs, or only
 * when the monitored figure improves (saveBestOnly). Saving is awaited, so a checkpoint is on
 * disk before the next epoch starts.
 */
export class ModelCheckpoint extends CallbackBase {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: 'min' | 'max';
  readonly saveFreq: number;
  best = Number.POSITIVE_INFINITY;
  /** Paths written so far, in order. */
  readonly saved: string[] = [];

  constructor(args: ModelCheckpointArgs) {
    super();
    const who = 'ModelCheckpoint';
    if (args === null || typeof args !== 'object' || typeof args.filepath !== 'string' || args.filepath === '') {
      throw new ArgumentError(`dendrite.${who}: filepath must be a non-empty string, got ${describe(args?.filepath)}`);
    }
    this.filepath = args.filepath;
    this.monitor = monitorArg(who, args.monitor, 'val_loss');
    this.saveBestOnly = args.saveBestOnly === true;
    this.saveWeightsOnly = args.saveWeightsOnly === true;
    this.mode = resolveMode(who, args.mode, this.monitor);
    this.saveFreq = nonNegativeInt(who, 'saveFreq', args.saveFreq, 1);
    if (this.saveFreq === 0) throw new ArgumentError(`dendrite.${who}: saveFreq must be at least 1`);
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const model = this.requireModel('ModelCheckpoint');
    if ((epoch + 1) % this.saveFreq !== 0) return;
    if (this.saveBestOnly) {
      const current = monitored(logs, this.monitor);
      if (current === null) {
        warnOnce(
          `ModelCheckpoint:${this.monitor}`,
          `dendrite.ModelCheckpoint: '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ')}); skipping`,
        );
        return;
      }
      const better = this.mode === 'min' ? current < this.best : current > this.best;
      if (!better) return;
      this.best = current;
    }
    const path = formatFilepath(this.filepath, epoch, logs);
    if (this.saveWeightsOnly) await model.saveWeights(path);
    else await model.save(path);
    this.saved.push(path);
  }
}

// ---- Learning-rate callbacks -----------------------------------------------------------------

function requireOptimizer(who: string, model: Model): NonNullable<Model['optimizer']> {
  if (model.optimizer === null) throw new ArgumentError(`dendrite.${who}: the model has no optimizer; compile() it first`);
  return model.optimizer;
}

function checkRate(who: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new ValueError(`dendrite.${who}: the learning rate must be a finite non-negative number, got ${describe(lr)}`);
  }
  return lr;
}

/** `(epoch, lr) → new lr`: epoch is 0-based, lr the current rate. */
export type Schedule = (epoch: number, lr: number) => number;

/** Sets the optimiser's learning rate at the start of each epoch from `schedule(epoch, lr)`; logs 'lr'. */
export class LearningRateScheduler extends CallbackBase {
  readonly schedule: Schedule;

  constructor(schedule: Schedule) {
    super();
    if (typeof schedule !== 'function') {
      throw new ArgumentError(`dendrite.LearningRateScheduler: schedule must be a function (epoch, lr) => lr, got ${describe(schedule)}`);
    }
    this.schedule = schedule;
  }

  onEpochBegin(epoch: number): void {
    const opt = requireOptimizer('LearningRateScheduler', this.requireModel('LearningRateScheduler'));
    opt.learningRate = checkRate('LearningRateScheduler', this.schedule(epoch, opt.learningRate));
  }

  onEpochEnd(_epoch: number, logs?: Logs): void {
    if (logs !== undefined && this.model?.optimizer) logs.lr = this.model.optimizer.learningRate;
  }
}

export interface ReduceLROnPlateauArgs {
  /** Figure watched (default 'val_loss'). */
  monitor?: string;
  /** Multiplier applied to the rate (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (default 0). */
  minLr?: number;
}

/**
 * Multiplies the learning rate by `factor` when the monitored figure plateaus (Keras); logs
 * 'lr'. The plateau logic is the optimiser package's ReduceLROnPlateau, fed once per epoch.
 */
export class ReduceLROnPlateau extends CallbackBase {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly options: Omit<ReduceLROnPlateauArgs, 'monitor' | 'mode'>;
  private plateau: PlateauSchedule | null = null;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    const who = 'ReduceLROnPlateau';
    if (args === null || typeof args !== 'object') throw new ArgumentError(`dendrite.${who}: expected an object of options, got ${describe(args)}`);
    const { monitor, mode, ...options } = args;
    this.monitor = monitorArg(who, monitor, 'val_loss');
    this.mode = resolveMode(who, mode, this.monitor);
    this.options = options;
    // Checks the options now rather than when training starts.
    new PlateauSchedule({ learningRate: 1 }, { ...options, mode: this.mode });
  }

  /** The plateau tracker (best value, wait and cooldown counters) once training has begun. */
  get state(): PlateauSchedule | null {
    return this.plateau;
  }

  onTrainBegin(): void {
    const opt = requireOptimizer('ReduceLROnPlateau', this.requireModel('ReduceLROnPlateau'));
    this.plateau = new PlateauSchedule(opt, { ...this.options, mode: this.mode });
  }

  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const opt = requireOptimizer('ReduceLROnPlateau', this.requireModel('ReduceLROnPlateau'));
    if (this.plateau === null || this.plateau.target !== opt) this.onTrainBegin();
    // Keras logs the rate the epoch ran with.
    logs.lr = opt.learningRate;
    const current = monitored(logs, this.monitor);
    if (current === null) {
      warnOnce(
        `ReduceLROnPlateau:${this.monitor}`,
        `dendrite.ReduceLROnPlateau: '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ')})`,
      );
      return;
    }
    this.plateau!.update(current);
  }
}

// ---- Lambda ----------------------------------------------------------------------------------

/** Hooks for a one-off callback. */
export type LambdaArgs = Omit<Callback, 'setModel'>;

/** A callback from plain functions: `callbacks.lambda({ onEpochEnd: (epoch, logs) => ... })`. */
export class LambdaCallback extends CallbackBase {
  constructor(hooks: LambdaArgs) {
    super();
    if (hooks === null || typeof hooks !== 'object') {
      throw new ArgumentError(`dendrite.LambdaCallback: expected an object of hooks, got ${describe(hooks)}`);
    }
    for (const name of HOOKS) {
      const fn = hooks[name];
      if (fn === undefined) continue;
      if (typeof fn !== 'function') throw new ArgumentError(`dendrite.LambdaCallback: ${name} must be a function, got ${describe(fn)}`);
      (this as Callback)[name] = fn as never;
    }
  }
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

// ---- CallbackList ----------------------------------------------------------------------------

type Hook = (typeof HOOKS)[number];

/**
 * Runs a list of callbacks in order, awaiting only hooks that return a promise (so a list of
 * synchronous hooks costs no microtask per batch). `hasBatchHooks` tells fit whether to build
 * batch logs at all.
 */
export class CallbackList {
  readonly callbacks: readonly Callback[];
  readonly hasBatchBegin: boolean;
  readonly hasBatchEnd: boolean;

  constructor(callbacks: readonly Callback[]) {
    callbacks.forEach((cb, i) => {
      if (cb === null || typeof cb !== 'object') {
        throw new ArgumentError(`dendrite.fit: callbacks[${i}] must be an object with hooks (onEpochEnd, ...), got ${describe(cb)}`);
      }
      for (const name of HOOKS) {
        const fn = cb[name];
        if (fn !== undefined && typeof fn !== 'function') {
          throw new ArgumentError(`dendrite.fit: callbacks[${i}].${name} must be a function, got ${describe(fn)}`);
        }
      }
    });
    this.callbacks = callbacks;
    this.hasBatchBegin = callbacks.some((cb) => cb.onBatchBegin !== undefined);
    this.hasBatchEnd = callbacks.some((cb) => cb.onBatchEnd !== undefined);
  }

  setModel(model: Model): void {
    for (const cb of this.callbacks) cb.setModel?.(model);
  }

  trainBegin(logs?: Logs): Promise<void> | void {
    return this.run('onTrainBegin', undefined, logs);
  }

  trainEnd(logs?: Logs): Promise<void> | void {
    return this.run('onTrainEnd', undefined, logs);
  }

  epochBegin(epoch: number, logs?: Logs): Promise<void> | void {
    return this.run('onEpochBegin', epoch, logs);
  }

  epochEnd(epoch: number, logs?: Logs): Promise<void> | void {
    return this.run('onEpochEnd', epoch, logs);
  }

  batchBegin(batch: number, logs?: Logs): Promise<void> | void {
    return this.run('onBatchBegin', batch, logs);
  }

  batchEnd(batch: number, logs?: Logs): Promise<void> | void {
    return this.run('onBatchEnd', batch, logs);
  }

  /** Calls `hook` on each callback in order; goes async only from the first promise on. */
  private run(hook: Hook, index: number | undefined, logs: Logs | undefined): Promise<void> | void {
    const cbs = this.callbacks;
    for (let i = 0; i < cbs.length; i++) {
      const r = call(cbs[i]!, hook, index, logs);
      if (r !== undefined && typeof (r as Promise<void>).then === 'function') return this.finish(r as Promise<void>, hook, i + 1, index, logs);
    }
    return undefined;
  }

  private async finish(pending: Promise<void>, hook: Hook, from: number, index: number | undefined, logs: Logs | undefined): Promise<void> {
    await pending;
    const cbs = this.callbacks;
    for (let i = from; i < cbs.length; i++) await call(cbs[i]!, hook, index, logs);
  }
}

function call(cb: Callback, hook: Hook, index: number | undefined, logs: Logs | undefined): unknown {
  switch (hook) {
    case 'onTrainBegin':
    case 'onTrainEnd':
      return cb[hook]?.(logs);
    default:
      return cb[hook]?.(index!, logs);
  }
}

// ---- Factories -------------------------------------------------------------------------------

/** tfjs-style factories: `callbacks.earlyStopping({ patience: 2 })`. */
export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs): EarlyStopping => new EarlyStopping(args),
  modelCheckpoint: (args: ModelCheckpointArgs): ModelCheckpoint => new ModelCheckpoint(args),
  learningRateScheduler: (schedule: Schedule): LearningRateScheduler => new LearningRateScheduler(schedule),
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs): ReduceLROnPlateau => new ReduceLROnPlateau(args),
  lambda: (hooks: LambdaArgs): LambdaCallback => new LambdaCallback(hooks),
  history: (): HistoryCallback => new HistoryCallback(),
};

export { HistoryCallback };
