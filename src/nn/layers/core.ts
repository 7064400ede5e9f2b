/**
 * Core layers (tfjs-layers names and options): Dense, Flatten, Reshape, Activation, ReLU,
 * LeakyReLU, ELU, Softmax and Dropout, plus the activation-name resolution that every layer with
 * an `activation` option shares (resolveLayerActivation / applyLayerActivation).
 */
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../../errors.js';
import * as act from '../../ops/activation.js';
import type { ActivationSpec } from '../../ops/activation.js';
import { dropout as dropoutOp } from '../../ops/dropout.js';
import { clamp } from '../../ops/elementwise.js';
import { dense as denseOp } from '../../ops/matmul.js';
import { reshape as reshapeOp } from '../../ops/shape.js';
import { Random } from '../../random.js';
import { Tensor } from '../../tensor.js';
import { type Initializer, type InitializerSpec, getInitializer, serializeInitializer } from '../initializers.js';
import { type CallArgs, Layer, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';

// ── activations by name ────────────────────────────────────────────────────────────────────

/** An activation as a layer option: a Keras/tfjs name ('relu', 'leaky_relu', 'softmax', ...) or null (linear). */
export type LayerActivationName = string | null;

/** A resolved layer activation: the part a fused kernel can apply, then an optional row-wise op. */
export interface LayerActivation {
  /** The name as given ('linear' for none): what getConfig stores. */
  readonly name: string;
  /** Elementwise activation for a fused epilogue (dense, conv); null is the identity. */
  readonly fused: ActivationSpec | null;
  /** Applied after the fused part: softmax / log-softmax over the last axis, or relu6's clamp. */
  readonly post: 'softmax' | 'logSoftmax' | 'relu6' | null;
}

// Keyed by the name lower-cased without underscores, so 'leakyRelu', 'leaky_relu', 'LeakyReLU' meet.
const LAYER_ACTIVATIONS: Record<string, Pick<LayerActivation, 'fused' | 'post'>> = {
  linear: { fused: null, post: null },
  identity: { fused: null, post: null },
  relu: { fused: 'relu', post: null },
  relu6: { fused: null, post: 'relu6' },
  // Keras' leaky_relu activation slope (the LeakyReLU layer's default is 0.3).
  leakyrelu: { fused: { name: 'leakyRelu', alpha: 0.2 }, post: null },
  elu: { fused: 'elu', post: null },
  selu: { fused: 'selu', post: null },
  sigmoid: { fused: 'sigmoid', post: null },
  hardsigmoid: { fused: 'hardSigmoid', post: null },
  tanh: { fused: 'tanh', post: null },
  softplus: { fused: 'softplus', post: null },
  softsign: { fused: 'softsign', post: null },
  swish: { fused: 'silu', post: null },
  silu: { fused: 'silu', post: null },
  gelu: { fused: 'gelu', post: null },
  gelutanh: { fused: 'geluTanh', post: null },
  gelunew: { fused: 'geluTanh', post: null },
  softmax: { fused: null, post: 'softmax' },
  logsoftmax: { fused: null, post: 'logSoftmax' },
};

const ACTIVATION_NAMES = [
  'linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign',
  'swish', 'silu', 'gelu', 'geluTanh', 'softmax', 'logSoftmax',
];

/**
 * Resolves a layer's `activation` option (camelCase or snake_case; null/undefined is linear).
 * ArgumentError naming `layer` and the valid names for an unknown one.
 */
export function resolveLayerActivation(layer: string, spec: unknown): LayerActivation {
  if (spec === undefined || spec === null) return { name: 'linear', fused: null, post: null };
  const entry = typeof spec === 'string' ? LAYER_ACTIVATIONS[spec.replace(/_/g, '').toLowerCase()] : undefined;
  if (entry === undefined) {
    throw new ArgumentError(`dendrite.${layer}: unknown activation ${describe(spec)} (known: ${ACTIVATION_NAMES.join(', ')})`);
  }
  return { name: spec as string, ...entry };
}

/** Applies an elementwise activation spec as its own op (the unfused path). */
function applyFused(x: Tensor, spec: ActivationSpec | null): Tensor {
  if (spec === null) return x;
  if (typeof spec === 'object') return spec.name === 'leakyRelu' ? act.leakyRelu(x, spec.alpha) : applyFused(x, spec.name);
  switch (spec) {
    case 'relu': return act.relu(x);
    case 'leakyRelu': return act.leakyRelu(x);
    case 'elu': return act.elu(x);
    case 'selu': return act.selu(x);
    case 'sigmoid': return act.sigmoid(x);
    case 'hardSigmoid': return act.hardSigmoid(x);
    case 'tanh': return act.tanh(x);
    case 'softplus': return act.softplus(x);
    case 'softsign': return act.softsign(x);
    case 'silu': return act.silu(x);
    case 'gelu': return act.gelu(x);
    case 'geluTanh': return act.gelu(x, { approximate: 'tanh' });
    default: throw new ArgumentError(`dendrite.activation: internal: no op for ${describe(spec)}`);
  }
}

/** Applies the row-wise part of a resolved activation (after a fused epilogue did the rest). */
export function applyPostActivation(x: Tensor, a: LayerActivation): Tensor {
  switch (a.post) {
    case 'softmax': return act.softmax(x, -1);
    case 'logSoftmax': return act.logSoftmax(x, -1);
    case 'relu6': return clamp(x, 0, 6);
    default: return x;
  }
}

/** Applies a resolved activation to `x` (both parts, as separate ops). */
export function applyLayerActivation(x: Tensor, a: LayerActivation): Tensor {
  return applyPostActivation(applyFused(x, a.fused), a);
}

// ── argument helpers ───────────────────────────────────────────────────────────────────────

function positiveIntArg(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ArgumentError(`dendrite.${layer}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  if (v <= 0) throw new ValueError(`dendrite.${layer}: ${name} must be a positive integer, got ${v}`);
  return v;
}

function boolArg(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ArgumentError(`dendrite.${layer}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

function numberArg(layer: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ArgumentError(`dendrite.${layer}: ${name} must be a finite number, got ${describe(v)}`);
  }
  return v;
}

/** Resolves an initialiser option, naming the layer and option in the error. */
export function initializerArg(layer: string, name: string, spec: unknown, dflt: InitializerSpec): Initializer {
  try {
    return getInitializer((spec ?? dflt) as InitializerSpec);
  } catch (err) {
    if (err instanceof Error) err.message = `dendrite.${layer}: ${name}: ${err.message}`;
    throw err;
  }
}

/** The single input shape of a single-input layer. */
export function singleShape(layer: string, inputShape: Shape | Shape[]): Shape {
  if (inputShape.length > 0 && Array.isArray(inputShape[0])) {
    throw new ArgumentError(`dendrite.${layer}: takes a single input, got ${inputShape.length} shapes`);
  }
  return inputShape as Shape;
}

/** Formats a shape with unknown dimensions as Keras does: (None, 32). */
export function fmtShapeNull(shape: Shape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function checkTensorInput(layer: Layer<Tensor, Tensor>, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${layer.className}: layer '${layer.name}' input must be a Tensor, got ${describe(x)}`);
  return x;
}

// ── Dense ──────────────────────────────────────────────────────────────────────────────────

/** Arguments of Dense. */
export interface DenseArgs extends LayerArgs {
  /** Output features. */
  units: number;
  /** Activation name (default linear). */
  activation?: LayerActivationName;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** tfjs shorthand for inputShape: [inputDim]. */
  inputDim?: number;
}

/**
 * Fully connected layer: activation(x·kernel + bias) with kernel [in, units] (Keras layout), on
 * inputs [batch, ..., in]. Runs as the fused dense op (GEMM + bias + activation in one call);
 * softmax is applied after it over the last axis.
 */
export class Dense extends Layer<Tensor, Tensor> {
  readonly className: string = 'Dense';
  readonly units: number;
  readonly activation: LayerActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(args: DenseArgs) {
    const a = (args ?? {}) as DenseArgs;
    super(a.inputDim !== undefined && a.inputShape === undefined && a.batchInputShape === undefined
      ? { ...a, inputShape: [positiveIntArg('Dense', 'inputDim', a.inputDim)] }
      : a);
    this.units = positiveIntArg('Dense', 'units', a.units);
    this.activation = resolveLayerActivation('Dense', a.activation);
    this.useBias = boolArg('Dense', 'useBias', a.useBias, true);
    this.kernelInitializer = initializerArg('Dense', 'kernelInitializer', a.kernelInitializer, 'glorotUniform');
    this.biasInitializer = initializerArg('Dense', 'biasInitializer', a.biasInitializer, 'zeros');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('Dense', inputShape);
    const inF = shape[shape.length - 1];
    if (shape.length < 2 || typeof inF !== 'number') {
      throw new ShapeError(
        `dendrite.Dense: layer '${this.name}' needs an input of rank >= 2 with a known last dimension, got ${fmtShapeNull(shape)}`,
      );
    }
    this.kernel = this.addWeight('kernel', [inF, this.units], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer);
    super.build(shape);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  protected call(input: Tensor): Tensor {
    const x = checkTensorInput(this, input);
    const kernel = this.kernel!;
    const inF = kernel.shape[0]!;
    if (x.rank < 2 || x.shape[x.rank - 1] !== inF) {
      throw new ShapeError(
        `dendrite.Dense: layer '${this.name}' expects input [batch, ..., ${inF}] (kernel ${fmtShape(kernel.shape)}), got ${fmtShape(x.shape)}`,
      );
    }
    const y = denseOp(x, kernel, this.bias, this.activation.fused);
    return applyPostActivation(y, this.activation);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}

/** tfjs-style factory: `dense({ units: 10, activation: 'softmax' })`. */
export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}

// ── Flatten, Reshape ───────────────────────────────────────────────────────────────────────

/** Flattens every dimension but the batch: [batch, d1, d2, ...] → [batch, d1·d2·...]. A view, no copy. */
export class Flatten extends Layer<Tensor, Tensor> {
  readonly className: string = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    let n: number | null = 1;
    for (const d of inputShape.slice(1)) n = n === null || d === null ? null : n * d;
    return [inputShape[0] ?? null, n];
  }

  protected call(input: Tensor): Tensor {
    const x = checkTensorInput(this, input);
    if (x.rank === 0) throw new ShapeError(`dendrite.Flatten: layer '${this.name}' needs a batch dimension, got a rank-0 tensor`);
    const batch = x.shape[0]!;
    const rest = x.shape.slice(1).reduce((p, d) => p * d, 1);
    return reshapeOp(x, [batch, rest]);
  }
}

/** tfjs-style factory. */
export function flatten(args: LayerArgs = {}): Flatten {
  return new Flatten(args);
}

/** Arguments of Reshape. */
export interface ReshapeArgs extends LayerArgs {
  /** Shape of one sample (no batch dimension); one entry may be -1 (inferred). */
  targetShape: readonly number[];
}

/** Reshapes each sample to `targetShape` (the batch dimension is kept). A view, no copy. */
export class Reshape extends Layer<Tensor, Tensor> {
  readonly className: string = 'Reshape';
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    super(args ?? {});
    const t: unknown = args?.targetShape;
    if (!Array.isArray(t) || t.some((d) => !Number.isInteger(d) || (d < 0 && d !== -1)) || t.filter((d) => d === -1).length > 1) {
      throw new ArgumentError(
        `dendrite.Reshape: targetShape must be an array of non-negative integers with at most one -1, got ${Array.isArray(t) ? `[${t.join(', ')}]` : describe(t)}`,
      );
    }
    this.targetShape = [...(t as number[])];
  }

  /** The sample shape for `sample` known elements (null: unknown), or a ShapeError. */
  private resolve(sample: number | null, given: string): (number | null)[] {
    const t = this.targetShape;
    const known = t.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const infer = t.indexOf(-1);
    if (sample === null) return t.map((d) => (d === -1 ? null : d));
    if (infer >= 0 ? known === 0 || sample % known !== 0 : known !== sample) {
      throw new ShapeError(
        `dendrite.Reshape: layer '${this.name}' cannot reshape ${given} (${sample} values per sample) into [${t.join(', ')}]`,
      );
    }
    return t.map((d) => (d === -1 ? sample / known : d));
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('Reshape', inputShape);
    this.computeOutputShape(shape);
    super.build(shape);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    const sample = rest.some((d) => d === null) ? null : (rest as number[]).reduce((p, d) => p * d, 1);
    return [inputShape[0] ?? null, ...this.resolve(sample, fmtShapeNull(inputShape))];
  }

  protected call(input: Tensor): Tensor {
    const x = checkTensorInput(this, input);
    if (x.rank === 0) throw new ShapeError(`dendrite.Reshape: layer '${this.name}' needs a batch dimension, got a rank-0 tensor`);
    const batch = x.shape[0]!;
    const sample = x.shape.slice(1).reduce((p, d) => p * d, 1);
    return reshapeOp(x, [batch, ...(this.resolve(sample, fmtShape(x.shape)) as number[])]);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

/** tfjs-style factory. */
export function reshape(args: ReshapeArgs): Reshape {
  return new Reshape(args);
}

// ── activation layers ──────────────────────────────────────────────────────────────────────

/** Arguments of Activation. */
export interface ActivationArgs extends LayerArgs {
  activation: LayerActivationName;
}

/** Applies an activation by name (every activation of the core, softmax and linear). */
export class Activation extends Layer<Tensor, Tensor> {
  readonly className: string = 'Activation';
  readonly activation: LayerActivation;

  constructor(args: ActivationArgs) {
    super(args ?? {});
    this.activation = resolveLayerActivation('Activation', args?.activation);
  }

  protected call(input: Tensor): Tensor {
    return applyLayerActivation(checkTensorInput(this, input), this.activation);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

/** tfjs-style factory: `activation({ activation: 'relu' })`. */
export function activation(args: ActivationArgs): Activation {
  return new Activation(args);
}

/** Arguments of ReLU. */
export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (default none). */
  maxValue?: number | null;
}

/** max(x, 0), optionally capped at maxValue. */
export class ReLU extends Layer<Tensor, Tensor> {
  readonly className: string = 'ReLU';
  readonly maxValue: number | null;

  constructor(args: ReLUArgs = {}) {
    super(args);
    const m = args.maxValue ?? null;
    if (m !== null && (typeof m !== 'number' || !(m >= 0))) {
      throw new ArgumentError(`dendrite.ReLU: maxValue must be a non-negative number or null, got ${describe(m)}`);
    }
    this.maxValue = m;
  }

  protected call(input: Tensor): Tensor {
    const x = checkTensorInput(this, input);
    return this.maxValue === null ? act.relu(x) : clamp(x, 0, this.maxValue);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maxValue: this.maxValue };
  }
}

/** tfjs-style factory. */
export function reLU(args: ReLUArgs = {}): ReLU {
  return new ReLU(args);
}

/** Arguments of LeakyReLU and ELU. */
export interface AlphaArgs extends LayerArgs {
  alpha?: number;
}

/** x for x > 0, alpha·x otherwise (alpha default 0.3, as Keras and tfjs). */
export class LeakyReLU extends Layer<Tensor, Tensor> {
  readonly className: string = 'LeakyReLU';
  readonly alpha: number;

  constructor(args: AlphaArgs = {}) {
    super(args);
    this.alpha = numberArg('LeakyReLU', 'alpha', args.alpha, 0.3);
  }

  protected call(input: Tensor): Tensor {
    return act.leakyRelu(checkTensorInput(this, input), this.alpha);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** tfjs-style factory. */
export function leakyReLU(args: AlphaArgs = {}): LeakyReLU {
  return new LeakyReLU(args);
}

/** x for x > 0, alpha·(eˣ − 1) otherwise (alpha default 1). */
export class ELU extends Layer<Tensor, Tensor> {
  readonly className: string = 'ELU';
  readonly alpha: number;

  constructor(args: AlphaArgs = {}) {
    super(args);
    this.alpha = numberArg('ELU', 'alpha', args.alpha, 1);
  }

  protected call(input: Tensor): Tensor {
    return act.elu(checkTensorInput(this, input), this.alpha);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** tfjs-style factory. */
export function elu(args: AlphaArgs = {}): ELU {
  return new ELU(args);
}

/** Arguments of Softmax. */
export interface SoftmaxArgs extends LayerArgs {
  /** Axis to normalise over (default -1). */
  axis?: number;
}

/** Softmax over `axis` (default last). */
export class Softmax extends Layer<Tensor, Tensor> {
  readonly className: string = 'Softmax';
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new ArgumentError(`dendrite.Softmax: axis must be an integer, got ${describe(axis)}`);
    this.axis = axis;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('Softmax', inputShape);
    if (this.axis >= shape.length || this.axis < -shape.length) {
      throw new ShapeError(`dendrite.Softmax: layer '${this.name}' axis ${this.axis} is out of range for input ${fmtShapeNull(shape)}`);
    }
    super.build(shape);
  }

  protected call(input: Tensor): Tensor {
    return act.softmax(checkTensorInput(this, input), this.axis);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** tfjs-style factory. */
export function softmax(args: SoftmaxArgs = {}): Softmax {
  return new Softmax(args);
}

// ── Dropout ────────────────────────────────────────────────────────────────────────────────

/** Arguments of Dropout. */
export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Seeds the layer's own generator (default: the global one). */
  seed?: number;
}

/**
 * Inverted dropout: in training, zeroes each input with probability `rate` and scales the rest
 * by 1/(1 − rate); in evaluation, the identity. Masks come from the global generator (manualSeed
 * makes them reproducible) or, with `seed`, from the layer's own generator.
 */
export class Dropout extends Layer<Tensor, Tensor> {
  readonly className: string = 'Dropout';
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly rng: Random | undefined;

  constructor(args: DropoutArgs) {
    super(args ?? {});
    const rate: unknown = args?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ValueError(`dendrite.Dropout: rate must be a number in [0, 1), got ${describe(rate)}`);
    }
    this.rate = rate;
    if (args.seed !== undefined && (typeof args.seed !== 'number' || !Number.isFinite(args.seed))) {
      throw new ArgumentError(`dendrite.Dropout: seed must be a finite number, got ${describe(args.seed)}`);
    }
    this.seed = args.seed;
    this.rng = args.seed === undefined ? undefined : new Random(args.seed);
  }

  protected call(input: Tensor, args: CallArgs & { training: boolean }): Tensor {
    const x = checkTensorInput(this, input);
    if (!args.training) return x;
    return dropoutOp(x, this.rate, { rng: this.rng });
  }

  override getConfig(): LayerConfig {
    const config: LayerConfig = { ...super.getConfig(), rate: this.rate };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

/** tfjs-style factory: `dropout({ rate: 0.5 })`. */
export function dropout(args: DropoutArgs): Dropout {
  return new Dropout(args);
}

registerLayer('Dense', Dense as never);
registerLayer('Flatten', Flatten as never);
registerLayer('Reshape', Reshape as never);
registerLayer('Activation', Activation as never);
registerLayer('ReLU', ReLU as never);
registerLayer('LeakyReLU', LeakyReLU as never);
registerLayer('ELU', ELU as never);
registerLayer('Softmax', Softmax as never);
registerLayer('Dropout', Dropout as never);
