/**
 * Optimizer: the base of SGD, Adam, AdamW, RMSprop and Adagrad. Works PyTorch style
 * (`new Adam(model.parameters(), { learningRate })`, `step()`, `zeroGrad()`) and Keras style
 * (created without parameters, e.g. from the string 'adam'; `compile` attaches the model's).
 * `step()` updates every parameter in one native call.
 *
 * The base does everything but the rule: it keeps the parameter list, allocates each
 * parameter's state slots once (on its first update) and keeps them, evaluates the learning
 * rate (a number or a schedule of the step), folds clipping into the kernel's hyper-parameters
 * (global norm → gradScale, value → clipValue) and saves/restores the slots for checkpoints.
 */
import { releaseGrad } from '../autograd.js';
import type { OptimizerHyper, OptimizerRule } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { clipScale, globalNorm } from './clip.js';
import { checkRange, option, readOptions, type OptionSpec } from './options.js';
import { scheduleFromConfig, type LearningRateSchedule } from './schedules.js';

/** A learning rate: a constant, or a schedule of the 0-based step. */
export type LearningRate = number | LearningRateSchedule;

/** Options every optimiser accepts (Keras' snake_case spellings work too). */
export interface OptimizerOptions {
  /** Step size, or a schedule (a function of the step count, see schedules.ts). */
  learningRate?: LearningRate;
  /** Keras' old name for learningRate. */
  lr?: LearningRate;
  /** Weight decay (L2 added to the gradient; AdamW decouples it). Default 0 (AdamW: 0.004). */
  weightDecay?: number;
  /** Keras: clip each parameter's gradient to this L2 norm. */
  clipnorm?: number;
  /** Keras: clip every gradient element to [−clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Keras: scale all gradients together so their joint L2 norm is at most this. */
  globalClipnorm?: number;
}

/** One parameter's optimiser state: its update count and its slot arrays (rule order). */
export interface ParameterState {
  step: number;
  slots: Float32Array[];
}

/** Everything needed to resume an optimiser: see Optimizer.stateDict. */
export interface OptimizerStateDict {
  className: string;
  iterations: number;
  /** Learning rate when it is a constant (schedules are part of the config instead). */
  learningRate?: number;
  /** Per parameter, in parameters() order: its state, or null if it was never updated. */
  state: Array<ParameterState | null>;
}

/** What the base constructor receives: the parameters (if given) and the parsed options. */
export interface OptimizerArgs {
  readonly owner: string;
  readonly params: Tensor[] | null;
  readonly values: ReadonlyMap<string, unknown>;
}

/** Options the base reads for every optimiser; subclasses add their own. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'learningRate', aliases: ['lr'], type: { kind: 'raw' } },
  { name: 'weightDecay', type: { kind: 'number', min: 0 } },
  { name: 'clipnorm', type: { kind: 'optionalPositive' } },
  { name: 'clipvalue', type: { kind: 'optionalPositive' } },
  { name: 'globalClipnorm', type: { kind: 'optionalPositive' } },
];

function isIterable(v: unknown): v is Iterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/**
 * Sorts a constructor's `(params?, options?)` or `(options)` and reads the options against
 * COMMON_OPTIONS plus the subclass's `specs`.
 */
export function optimizerArgs(className: string, a: unknown, b: unknown, specs: readonly OptionSpec[]): OptimizerArgs {
  const owner = `dendrite.${className}`;
  let params: Tensor[] | null = null;
  let options: unknown = b;
  if (a instanceof Tensor) {
    throw new ArgumentError(`${owner}: pass the parameters as an array of tensors (e.g. model.parameters()), got a single Tensor`);
  } else if (isIterable(a)) {
    params = [...a] as Tensor[];
  } else if (a !== undefined && a !== null) {
    if (b !== undefined) {
      throw new ArgumentError(`${owner}: expected (params, options) or (options), got ${describe(a)} as params`);
    }
    options = a;
  }
  const values = readOptions(owner, options, [...COMMON_OPTIONS, ...specs]);
  return { owner, params, values };
}

function defaultHyper(): OptimizerHyper {
  return {
    lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-7, momentum: 0, dampening: 0, rho: 0.9,
    weightDecay: 0, decoupled: false, nesterov: false, amsgrad: false, centered: false,
    step: 1, gradScale: 1, clipValue: Infinity,
  };
}

/** Parameters that share one kernel call: same step count and gradient scale. */
interface Group {
  step: number;
  scale: number;
  params: Float32Array[];
  grads: Float32Array[];
  slots: Float32Array[][];
}

export abstract class Optimizer {
  /** Keras class name ('Adam'), the key getOptimizer and serialisation use. */
  abstract readonly className: string;
  /** The backend update rule. */
  protected abstract readonly rule: OptimizerRule;

  /** L2 weight decay (decoupled for AdamW). */
  readonly weightDecay: number;
  /** Per-parameter gradient norm limit (Keras clipnorm), or null. */
  readonly clipnorm: number | null;
  /** Element-wise gradient limit (Keras clipvalue), or null. */
  readonly clipvalue: number | null;
  /** Joint gradient norm limit (Keras global_clipnorm), or null. */
  readonly globalClipnorm: number | null;

  private lr: LearningRate;
  private iterationCount = 0;
  private params: Tensor[] = [];
  /** State by tensor, so setParameters keeps it for tensors seen before and drops it with them. */
  private states = new WeakMap<Tensor, ParameterState>();
  /** Reused every step: the backend reads it during the call only. */
  private readonly hyper: OptimizerHyper = defaultHyper();

  /**
   * @param args from optimizerArgs
   * @param defaultLr the class's default learning rate
   * @param defaultWeightDecay the class's default weight decay (AdamW's is not 0)
   */
  protected constructor(args: OptimizerArgs, defaultLr: number, defaultWeightDecay = 0) {
    const v = args.values;
    this.lr = parseLearningRate(args.owner, option<unknown>(v, 'learningRate', defaultLr));
    this.weightDecay = option(v, 'weightDecay', defaultWeightDecay);
    this.clipnorm = option<number | null>(v, 'clipnorm', null);
    this.clipvalue = option<number | null>(v, 'clipvalue', null);
    this.globalClipnorm = option<number | null>(v, 'globalClipnorm', null);
    if (this.clipnorm !== null && this.globalClipnorm !== null) {
      throw new ArgumentError(`${args.owner}: give clipnorm (per parameter) or globalClipnorm (all together), not both`);
    }
    if (args.params !== null) this.setParameters(args.params);
  }

  /** Number of state slots per parameter for this configuration (OptimizerHyper's order). */
  protected abstract slotCount(): number;
  /** Value a slot starts at (Adagrad's initial accumulator); 0 by default. */
  protected initialSlotValue(_slot: number): number {
    return 0;
  }
  /** Writes the rule's own fields (betas, momentum, …) into the kernel's hyper-parameters. */
  protected abstract writeHyper(h: OptimizerHyper): void;
  /** The rule's own options, by their public names. */
  protected abstract ruleConfig(): Record<string, unknown>;

  /**
   * Current learning rate: the constant, or the schedule's value for the next step. Setting
   * it replaces a constant; an optimiser driven by a schedule refuses (use setLearningRate).
   */
  get learningRate(): number {
    return typeof this.lr === 'function' ? this.lr(this.iterationCount) : this.lr;
  }

  set learningRate(value: number) {
    if (typeof this.lr === 'function') {
      throw new ArgumentError(
        `dendrite.${this.className}: the learning rate follows a schedule and cannot be set to a number; call setLearningRate() to replace the schedule`,
      );
    }
    if (typeof value !== 'number') {
      throw new ArgumentError(`dendrite.${this.className}: learningRate must be a number, got ${describe(value)}`);
    }
    checkRange(`dendrite.${this.className}`, 'learningRate', value, { min: 0 });
    this.lr = value;
  }

  /** Replaces the learning rate with a constant or a schedule. */
  setLearningRate(value: LearningRate): void {
    this.lr = parseLearningRate(`dendrite.${this.className}`, value);
  }

  /** The schedule driving the learning rate, or null when it is a constant. */
  get learningRateSchedule(): LearningRateSchedule | null {
    return typeof this.lr === 'function' ? this.lr : null;
  }

  /** Number of step() calls so far. */
  get iterations(): number {
    return this.iterationCount;
  }

  /** Replaces the parameter list (Keras-style attach); state is kept for tensors seen before. */
  setParameters(params: Iterable<Tensor>): void {
    if (!isIterable(params) || params instanceof Tensor) {
      throw new ArgumentError(`dendrite.${this.className ?? 'Optimizer'}.setParameters: expected an iterable of Tensors, got ${describe(params)}`);
    }
    const list: Tensor[] = [];
    const seen = new Set<Tensor>();
    let i = 0;
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new ArgumentError(`dendrite.${this.className ?? 'Optimizer'}: parameter ${i} must be a Tensor, got ${describe(p)}`);
      }
      if (!p.isLeaf) {
        throw new ArgumentError(`dendrite.${this.className ?? 'Optimizer'}: parameter ${i} (shape ${fmtShape(p.shape)}) is computed by '${p.gradFn}'; optimise leaf tensors`);
      }
      i++;
      // A tensor listed twice would be updated twice per step.
      if (seen.has(p)) continue;
      seen.add(p);
      list.push(p);
    }
    this.params = list;
  }

  /** The parameters being optimised. */
  parameters(): Tensor[] {
    return this.params.slice();
  }

  /** Learning rate for the coming step, checked (a schedule may return anything). */
  private stepLearningRate(): number {
    const lr = this.learningRate;
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
      throw new ValueError(`dendrite.${this.className}.step: the learning rate must be a finite number >= 0, got ${describe(lr)} at step ${this.iterationCount}`);
    }
    return lr;
  }

  private stateOf(p: Tensor): ParameterState {
    let st = this.states.get(p);
    if (st === undefined) {
      const slots: Float32Array[] = [];
      for (let s = 0; s < this.slotCount(); s++) {
        const a = new Float32Array(p.size);
        const init = this.initialSlotValue(s);
        if (init !== 0) a.fill(init);
        slots.push(a);
      }
      st = { step: 0, slots };
      this.states.set(p, st);
    }
    return st;
  }

  /**
   * Applies one update from each parameter's .grad (parameters without grad are skipped).
   * All parameters go to the backend in one optimizerStep call; only parameters with a
   * different update count (one that joined later) or a different per-parameter clip scale
   * (clipnorm) need a call of their own.
   */
  step(): void {
    const lr = this.stepLearningRate();
    const active: Tensor[] = [];
    const grads: Float32Array[] = [];
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      if (g.size !== p.size) {
        throw new ShapeError(
          `dendrite.${this.className}.step: a parameter of shape ${fmtShape(p.shape)} has a gradient of shape ${fmtShape(g.shape)}`,
        );
      }
      active.push(p);
      grads.push(g.data);
    }
    const globalScale = this.globalClipnorm === null ? 1 : clipScale(globalNorm(grads), this.globalClipnorm);

    const groups: Group[] = [];
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!;
      const st = this.stateOf(p);
      const step = st.step + 1;
      const scale = this.clipnorm === null ? globalScale : clipScale(globalNorm([grads[i]!]), this.clipnorm);
      let group = groups.find((gr) => gr.step === step && Object.is(gr.scale, scale));
      if (group === undefined) {
        group = { step, scale, params: [], grads: [], slots: st.slots.map(() => []) };
        groups.push(group);
      }
      group.params.push(p.data);
      group.grads.push(grads[i]!);
      for (let s = 0; s < st.slots.length; s++) group.slots[s]!.push(st.slots[s]!);
    }

    const h = this.hyper;
    this.writeHyper(h);
    h.lr = lr;
    h.weightDecay = this.weightDecay;
    h.clipValue = this.clipvalue ?? Infinity;
    const backend = getBackend();
    for (const g of groups) {
      h.step = g.step;
      h.gradScale = g.scale;
      backend.optimizerStep(this.rule, g.params, g.grads, g.slots, h);
    }
    for (const p of active) this.states.get(p)!.step++;
    this.iterationCount++;
  }

  /** Clears every parameter's gradient, keeping the buffers for reuse by the next backward. */
  zeroGrad(): void {
    for (const p of this.params) releaseGrad(p);
  }

  /** JSON-serialisable hyper-parameters; getOptimizer({ className, config }) rebuilds the optimiser. */
  getConfig(): Record<string, unknown> {
    let learningRate: unknown;
    if (typeof this.lr === 'number') {
      learningRate = this.lr;
    } else if (this.lr.className !== undefined) {
      learningRate = { className: this.lr.className, config: { ...(this.lr.config ?? {}) } };
    } else {
      // A plain function cannot be serialised: keep the rate it gives now.
      learningRate = this.learningRate;
    }
    return {
      learningRate,
      ...this.ruleConfig(),
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      clipvalue: this.clipvalue,
      globalClipnorm: this.globalClipnorm,
    };
  }

  /**
   * A copy of the optimiser's progress: the step count and, for each parameter in
   * parameters() order, its update count and slot arrays. loadStateDict on an optimiser of
   * the same class and configuration over parameters of the same shapes resumes exactly.
   */
  stateDict(): OptimizerStateDict {
    const out: OptimizerStateDict = {
      className: this.className,
      iterations: this.iterationCount,
      state: this.params.map((p) => {
        const st = this.states.get(p);
        return st === undefined ? null : { step: st.step, slots: st.slots.map((s) => s.slice()) };
      }),
    };
    if (typeof this.lr === 'number') out.learningRate = this.lr;
    return out;
  }

  /** Restores what stateDict returned (copied in; the arrays given are not kept). */
  loadStateDict(dict: OptimizerStateDict): void {
    const owner = `dendrite.${this.className}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null) throw new ArgumentError(`${owner}: expected a state dict, got ${describe(dict)}`);
    if (typeof dict.className !== 'string' || dict.className.toLowerCase() !== this.className.toLowerCase()) {
      throw new ArgumentError(`${owner}: the state is from ${describe(dict.className)}, not '${this.className}'`);
    }
    if (!Number.isInteger(dict.iterations) || dict.iterations < 0) {
      throw new ValueError(`${owner}: iterations must be an integer >= 0, got ${describe(dict.iterations)}`);
    }
    if (!Array.isArray(dict.state) || dict.state.length !== this.params.length) {
      throw new ArgumentError(
        `${owner}: the state has ${Array.isArray(dict.state) ? dict.state.length : describe(dict.state)} parameters, this optimiser ${this.params.length}`,
      );
    }
    const slots = this.slotCount();
    // Check everything before changing anything, so a bad dict leaves the optimiser as it was.
    dict.state.forEach((st, i) => {
      if (st === null) return;
      const p = this.params[i]!;
      if (typeof st !== 'object' || !Number.isInteger(st.step) || st.step < 0 || !Array.isArray(st.slots)) {
        throw new ArgumentError(`${owner}: state ${i} must be { step, slots }, got ${describe(st)}`);
      }
      if (st.slots.length !== slots) {
        throw new ArgumentError(`${owner}: state ${i} has ${st.slots.length} slots, this configuration uses ${slots}`);
      }
      st.slots.forEach((a, s) => {
        if (!(a instanceof Float32Array) || a.length !== p.size) {
          throw new ShapeError(
            `${owner}: slot ${s} of state ${i} must be a Float32Array of ${p.size} elements (parameter shape ${fmtShape(p.shape)}), got ${a instanceof Float32Array ? `${a.length} elements` : describe(a)}`,
          );
        }
      });
    });
    if (dict.learningRate !== undefined && typeof this.lr === 'number') this.learningRate = dict.learningRate;
    dict.state.forEach((st, i) => {
      const p = this.params[i]!;
      if (st === null) {
        this.states.delete(p);
        return;
      }
      const own = this.stateOf(p);
      own.step = st.step;
      st.slots.forEach((a, s) => own.slots[s]!.set(a));
    });
    this.iterationCount = dict.iterations;
  }
}

/** A learning rate option: a number >= 0, a schedule function, or a serialised schedule. */
export function parseLearningRate(owner: string, value: unknown): LearningRate {
  if (typeof value === 'number') {
    checkRange(owner, 'learningRate', value, { min: 0 });
    return value;
  }
  if (typeof value === 'function') return value as LearningRateSchedule;
  if (typeof value === 'object' && value !== null && ('className' in value || 'class_name' in value)) {
    return scheduleFromConfig(value);
  }
  throw new ArgumentError(`${owner}: learningRate must be a number or a schedule (a function of the step), got ${describe(value)}`);
}
