/**
 * What the recurrent layers and cells share (not part of the public API): argument checks and
 * their base class, which owns the arguments common to both, the three weights and their config.
 */
import { ArgumentError, describe } from '../../errors.js';
import { type ActivationSpec, resolveActivation } from '../../ops/activation.js';
import { slice } from '../../ops/indexing.js';
import { reshape } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { type Initializer, type InitializerSpec, getInitializer, serializeInitializer } from '../initializers.js';
import { Layer, type LayerConfig } from '../layer.js';
import type { SimpleRNNCellArgs } from './recurrent_cells.js';

/** An initialiser spec as JSON (names stay strings, instances become {className, config}). */
export function initializerConfig(spec: InitializerSpec): unknown {
  if (typeof spec === 'string') return spec;
  if (typeof (spec as Initializer).init === 'function') return serializeInitializer(spec as Initializer);
  return spec;
}

/** A boolean option, or `fallback` when omitted; ArgumentError naming the layer otherwise. */
export function boolArg(layer: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentError(`dendrite.${layer}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** A positive integer `units`. */
export function unitsArg(layer: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`dendrite.${layer}: units must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** An activation option, or `fallback` when omitted; checked now so a bad name fails at construction. */
export function activationArg(layer: string, v: ActivationSpec | undefined, fallback: ActivationSpec): ActivationSpec {
  const spec = v ?? fallback;
  resolveActivation(layer, spec);
  return spec;
}

/**
 * Keras' unit_forget_bias around a bias initialiser: the forget gate's block (the second of
 * four) starts at 1 so the memory is kept early in training.
 */
function unitForgetBiasInit(base: Initializer, units: number): Initializer {
  return {
    className: 'UnitForgetBias',
    init(shape, rng) {
      const data = base.init(shape, rng);
      data.fill(1, units, 2 * units);
      return data;
    },
    getConfig: () => ({}),
  };
}

/** An LSTM's bias initialiser: `spec`, wrapped by unitForgetBiasInit when unitForgetBias is set. */
export function lstmBiasInit(spec: InitializerSpec, unitForgetBias: boolean, units: number): InitializerSpec {
  return unitForgetBias ? unitForgetBiasInit(getInitializer(spec), units) : spec;
}

/** Shape of a GRU's bias: with resetAfter, [2, 3·units] (input bias, then recurrent bias). */
export function gruBiasShape(resetAfter: boolean, units: number): number[] {
  return resetAfter ? [2, 3 * units] : [3 * units];
}

/** A GRU's bias split into the input bias (added to x·W) and the recurrent bias (resetAfter only). */
export function splitGruBias(
  bias: Tensor | null, resetAfter: boolean, units: number,
): { inputBias: Tensor | null; recurrentBias: Tensor | null } {
  if (bias === null || !resetAfter) return { inputBias: bias, recurrentBias: null };
  const g = 3 * units;
  return { inputBias: reshape(slice(bias, [0], [1]), [g]), recurrentBias: reshape(slice(bias, [1], [1]), [g]) };
}

/**
 * Base of the recurrent layers and cells: units, activation, bias and initialiser arguments,
 * the weights 'kernel' [features, gates·units], 'recurrent_kernel' [units, gates·units] and
 * 'bias', and their config.
 */
export abstract class RecurrentWeights<I, O> extends Layer<I, O> {
  readonly units: number;
  readonly activation: ActivationSpec;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly recurrentInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  /** Input projection [features, gates·units]; set by build. */
  kernel: Tensor | null = null;
  /** Recurrent kernel [units, gates·units]; set by build. */
  recurrentKernel: Tensor | null = null;
  /** Bias, or null without useBias; set by build. */
  bias: Tensor | null = null;
  /** Number of gate blocks in the kernels (1, 4 or 3). */
  protected abstract readonly gates: number;
  /** Number of state tensors (2 for LSTM). */
  protected abstract readonly stateCount: number;

  /** `args`: the arguments the layers and cells have in common (SimpleRNNCell's are exactly those). */
  constructor(args: SimpleRNNCellArgs) {
    super(args);
    const cls = new.target.name;
    this.units = unitsArg(cls, (args as { units?: unknown }).units);
    this.activation = activationArg(cls, args.activation, 'tanh');
    this.useBias = boolArg(cls, 'useBias', args.useBias, true);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = args.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    for (const spec of [this.kernelInitializer, this.recurrentInitializer, this.biasInitializer]) getInitializer(spec);
  }

  /** Bias shape (GRU with resetAfter overrides it). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** Bias initialiser (LSTM's unitForgetBias overrides it). */
  protected biasInit(): InitializerSpec {
    return this.biasInitializer;
  }

  /** Creates the weights for inputs of `features` features. */
  protected addRecurrentWeights(features: number): void {
    const g = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [features, g], this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, g], this.recurrentInitializer);
    this.bias = this.useBias ? this.addWeight('bias', this.biasShape(), this.biasInit()) : null;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: initializerConfig(this.kernelInitializer),
      recurrentInitializer: initializerConfig(this.recurrentInitializer),
      biasInitializer: initializerConfig(this.biasInitializer),
    };
  }
}
