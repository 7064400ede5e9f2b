/**
 * Normalisation layers: BatchNormalization (batch statistics in training, moving averages in
 * inference) and LayerNormalization (per-sample statistics over trailing axes). Both run as one
 * autograd op each (src/ops/norm.ts).
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../../errors.js';
import { batchNormInference, batchNormTrain, layerNorm } from '../../ops/norm.js';
import { Tensor } from '../../tensor.js';
import { type Initializer, type InitializerSpec, serializeInitializer } from '../initializers.js';
import { type CallArgs, Layer, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';
import { fmtShapeNull, initializerArg, singleShape } from './core.js';

function numberArg(layer: string, name: string, v: unknown, dflt: number, min: number, max = Infinity): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ArgumentError(`dendrite.${layer}: ${name} must be a number in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

function boolArg(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ArgumentError(`dendrite.${layer}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

function checkInput(layer: Layer<Tensor, Tensor>, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ArgumentError(`dendrite.${layer.className}: layer '${layer.name}' input must be a Tensor, got ${describe(x)}`);
  }
  return x;
}

/** Arguments of BatchNormalization (tfjs names). */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The channel axis, counted with the batch dimension (default -1, the last). */
  axis?: number;
  /** Decay of the moving averages (default 0.99). */
  momentum?: number;
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
}

/**
 * Batch normalisation over the channel axis. In training (and when trainable), each channel is
 * normalised with the mean and biased variance of the batch (all axes but the channel axis), and
 * the moving statistics are updated as Keras 3 does:
 *   moving = moving·momentum + batch·(1 − momentum),
 * with the same biased variance (PyTorch uses the unbiased one for its running variance; with
 * batches of a few hundred values per channel the difference is below 1%). In evaluation, or when
 * the layer is frozen (trainable false, as Keras), the moving statistics normalise instead.
 * Weights, in Keras' order: gamma, beta (trainable), moving_mean, moving_variance (buffers).
 */
export class BatchNormalization extends Layer<Tensor, Tensor> {
  readonly className: string = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  movingMean: Tensor | null = null;
  movingVariance: Tensor | null = null;
  /** The channel axis in [1, rank) once built, and the input rank it was built for. */
  private channelAxis = -1;
  private inputRank = 0;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const L = 'BatchNormalization';
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new ArgumentError(`dendrite.${L}: axis must be an integer, got ${describe(axis)}`);
    this.axis = axis;
    this.momentum = numberArg(L, 'momentum', args.momentum, 0.99, 0, 1);
    this.epsilon = numberArg(L, 'epsilon', args.epsilon, 1e-3, 0);
    this.center = boolArg(L, 'center', args.center, true);
    this.scale = boolArg(L, 'scale', args.scale, true);
    this.betaInitializer = initializerArg(L, 'betaInitializer', args.betaInitializer, 'zeros');
    this.gammaInitializer = initializerArg(L, 'gammaInitializer', args.gammaInitializer, 'ones');
    this.movingMeanInitializer = initializerArg(L, 'movingMeanInitializer', args.movingMeanInitializer, 'zeros');
    this.movingVarianceInitializer = initializerArg(L, 'movingVarianceInitializer', args.movingVarianceInitializer, 'ones');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('BatchNormalization', inputShape);
    const rank = shape.length;
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 1 || axis >= rank) {
      throw new ShapeError(
        `dendrite.BatchNormalization: layer '${this.name}' axis ${this.axis} is not a channel axis of input ${fmtShapeNull(shape)} (the batch axis 0 cannot be one)`,
      );
    }
    const channels = shape[axis];
    if (typeof channels !== 'number') {
      throw new ShapeError(`dendrite.BatchNormalization: layer '${this.name}' needs a known size on axis ${this.axis}, got ${fmtShapeNull(shape)}`);
    }
    this.channelAxis = axis;
    this.inputRank = rank;
    if (this.scale) this.gamma = this.addWeight('gamma', [channels], this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', [channels], this.betaInitializer);
    this.movingMean = this.addWeight('moving_mean', [channels], this.movingMeanInitializer, { trainable: false });
    this.movingVariance = this.addWeight('moving_variance', [channels], this.movingVarianceInitializer, { trainable: false });
    super.build(shape);
  }

  protected call(input: Tensor, args: CallArgs & { training: boolean }): Tensor {
    const x = checkInput(this, input);
    const mean = this.movingMean!;
    const channels = mean.shape[0]!;
    if (x.rank !== this.inputRank || x.shape[this.channelAxis] !== channels) {
      throw new ShapeError(
        `dendrite.BatchNormalization: layer '${this.name}' was built for rank-${this.inputRank} inputs with ${channels} channels on axis ${this.channelAxis}, got ${fmtShape(x.shape)}`,
      );
    }
    if (!args.training || !this.trainable) {
      return batchNormInference(x, mean, this.movingVariance!, this.gamma, this.beta, this.channelAxis, this.epsilon);
    }
    const { y, stats } = batchNormTrain(x, this.gamma, this.beta, this.channelAxis, this.epsilon);
    if (stats.count > 0) {
      const m = this.momentum;
      const md = mean.data;
      const vd = this.movingVariance!.data;
      for (let c = 0; c < channels; c++) {
        md[c] = md[c]! * m + stats.mean[c]! * (1 - m);
        vd[c] = vd[c]! * m + stats.variance[c]! * (1 - m);
      }
    }
    return y;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer),
    };
  }
}

/** tfjs-style factory. */
export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}

/** Arguments of LayerNormalization (tfjs names). */
export interface LayerNormalizationArgs extends LayerArgs {
  /** Axis or axes to normalise over, counted with the batch dimension; trailing and contiguous (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
}

/**
 * Layer normalisation: each sample is normalised over `axis` (default the last) to zero mean and
 * unit (biased) variance, then scaled by gamma and shifted by beta (shape: the normalised axes).
 * The axes must be the trailing ones (e.g. -1, or [-2, -1]).
 */
export class LayerNormalization extends Layer<Tensor, Tensor> {
  readonly className: string = 'LayerNormalization';
  readonly axis: number | readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  private normShape: number[] = [];
  private inputRank = 0;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    const L = 'LayerNormalization';
    const axis = args.axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || list.some((a) => !Number.isInteger(a))) {
      throw new ArgumentError(`dendrite.${L}: axis must be an integer or a non-empty array of integers, got ${describe(axis)}`);
    }
    this.axis = Array.isArray(axis) ? [...(axis as number[])] : (axis as number);
    this.epsilon = numberArg(L, 'epsilon', args.epsilon, 1e-3, 0);
    this.center = boolArg(L, 'center', args.center, true);
    this.scale = boolArg(L, 'scale', args.scale, true);
    this.betaInitializer = initializerArg(L, 'betaInitializer', args.betaInitializer, 'zeros');
    this.gammaInitializer = initializerArg(L, 'gammaInitializer', args.gammaInitializer, 'ones');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('LayerNormalization', inputShape);
    const rank = shape.length;
    const list = (Array.isArray(this.axis) ? this.axis : [this.axis]) as number[];
    const axes = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    const trailing = axes.length === list.length && axes.every((a, i) => a === rank - axes.length + i) && axes[0]! >= 1;
    if (!trailing) {
      throw new ShapeError(
        `dendrite.LayerNormalization: layer '${this.name}' axis ${JSON.stringify(this.axis)} must name distinct trailing axes (not the batch axis) of input ${fmtShapeNull(shape)}`,
      );
    }
    const dims = axes.map((a) => shape[a]);
    if (dims.some((d) => typeof d !== 'number')) {
      throw new ShapeError(`dendrite.LayerNormalization: layer '${this.name}' needs known sizes on the normalised axes, got ${fmtShapeNull(shape)}`);
    }
    this.normShape = dims as number[];
    this.inputRank = rank;
    if (this.scale) this.gamma = this.addWeight('gamma', this.normShape, this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', this.normShape, this.betaInitializer);
    super.build(shape);
  }

  protected call(input: Tensor): Tensor {
    const x = checkInput(this, input);
    const k = this.normShape.length;
    if (x.rank !== this.inputRank || this.normShape.some((d, i) => x.shape[x.rank - k + i] !== d)) {
      throw new ShapeError(
        `dendrite.LayerNormalization: layer '${this.name}' was built for rank-${this.inputRank} inputs ending in ${fmtShape(this.normShape)}, got ${fmtShape(x.shape)}`,
      );
    }
    return layerNorm(x, this.normShape, this.gamma, this.beta, this.epsilon);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      axis: Array.isArray(this.axis) ? [...this.axis] : this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
    };
  }
}

/** tfjs-style factory. */
export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization {
  return new LayerNormalization(args);
}

registerLayer('BatchNormalization', BatchNormalization as never);
registerLayer('LayerNormalization', LayerNormalization as never);
