/**
 * Convolution layers, tfjs-layers/Keras style: Conv1D and Conv2D over channels-last input with
 * Keras-layout kernels ('kernel' [kH, kW, inC, filters], or [k, inC, filters] in 1-D) and an
 * optional 'bias' [filters]. The work is one conv op with the bias and activation fused in.
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../../errors.js';
import { type PaddingMode, conv1d as conv1dOp, conv2d as conv2dOp, normPadding } from '../../ops/conv.js';
import type { Tensor } from '../../tensor.js';
import { type Initializer, type InitializerSpec, getInitializer, serializeInitializer } from '../initializers.js';
import { type LayerActivation, applyPostActivation, resolveLayerActivation } from './core.js';
import { type CallArgs, Layer, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';
import {
  checkDataFormat, checkSpatialRank, fmtShapeNull, spatialInts, spatialLayout, spatialOutputSizes,
} from './spatial_args.js';

/** Arguments shared by the convolution layers (tfjs-layers names). */
export interface BaseConvLayerArgs extends LayerArgs {
  /** Number of output channels. */
  filters: number;
  /**
   * Activation applied to the output, by name (camelCase or snake_case; default 'linear': none).
   * Elementwise ones are fused into the convolution; 'softmax' runs over the channels.
   */
  activation?: string | null;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** Only channels-last (NHWC) exists: 'channelsLast' or Keras' 'channels_last'. */
  dataFormat?: 'channelsLast' | 'channels_last';
}

/** Conv2D arguments. */
export interface Conv2DLayerArgs extends BaseConvLayerArgs {
  /** Window: one number or [h, w]. */
  kernelSize: number | readonly [number, number];
  /** Default 1. */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same' (TensorFlow's padding; either case). */
  padding?: PaddingMode;
  /** Default 1. */
  dilationRate?: number | readonly [number, number];
}

/** Conv1D arguments. */
export interface Conv1DLayerArgs extends BaseConvLayerArgs {
  /** Window length (a number, or a one-element array as Keras writes it). */
  kernelSize: number | readonly [number];
  strides?: number | readonly [number];
  /** 'valid' (default), 'same' or 'causal' (only past inputs, as Keras). */
  padding?: PaddingMode | 'causal';
  dilationRate?: number | readonly [number];
}

/** An initialiser as a config entry: names stay names, anything else becomes {className, config}. */
function initializerConfig(spec: InitializerSpec, init: Initializer): InitializerSpec {
  return typeof spec === 'string' ? spec : serializeInitializer(init);
}

/**
 * What the two convolution layers share: argument checks, weights, shape inference and config.
 * `spatial` is the number of spatial axes (1 or 2).
 */
abstract class Conv extends Layer {
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly dilationRate: number[];
  readonly padding: 'valid' | 'same' | 'causal';
  readonly useBias: boolean;
  protected readonly act: LayerActivation;
  private readonly kernelInitSpec: InitializerSpec;
  private readonly biasInitSpec: InitializerSpec;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  /** Set by build. */
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  protected constructor(
    private readonly spatial: 1 | 2, args: Conv2DLayerArgs | Conv1DLayerArgs,
  ) {
    super(args);
    const op = new.target.name;
    const a = args as unknown as Record<string, unknown>;
    if (typeof args.filters !== 'number' || !Number.isInteger(args.filters) || args.filters < 1) {
      throw new ArgumentError(`dendrite.${op}: filters must be a positive integer, got ${describe(args.filters)}`);
    }
    this.filters = args.filters;
    if (args.kernelSize === undefined) throw new ArgumentError(`dendrite.${op}: kernelSize is required`);
    this.kernelSize = spatialInts(op, 'kernelSize', a.kernelSize, spatial, 1);
    this.strides = spatialInts(op, 'strides', a.strides, spatial, 1);
    this.dilationRate = spatialInts(op, 'dilationRate', a.dilationRate, spatial, 1);
    this.padding = normPadding(op, args.padding, spatial === 1);
    checkDataFormat(op, args.dataFormat);
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') {
      throw new ArgumentError(`dendrite.${op}: useBias must be a boolean, got ${describe(args.useBias)}`);
    }
    this.useBias = args.useBias ?? true;
    this.act = resolveLayerActivation(op, args.activation);
    this.kernelInitSpec = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitSpec = args.biasInitializer ?? 'zeros';
    this.kernelInit = getInitializer(this.kernelInitSpec);
    this.biasInit = getInitializer(this.biasInitSpec);
  }

  /** Input rank including the batch dimension. */
  private get inputRank(): number {
    return this.spatial + 2;
  }

  private checkInputShape(shape: Shape): number | null {
    checkSpatialRank(this, shape, this.spatial);
    return shape[shape.length - 1] ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const channels = this.checkInputShape(shape);
    if (channels === null) {
      throw new ShapeError(
        `dendrite.${this.className}: layer '${this.name}' needs a known channel count (last dimension), got ${fmtShapeNull(shape)}`,
      );
    }
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInit);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    this.checkInputShape(inputShape);
    return [
      inputShape[0] ?? null,
      ...spatialOutputSizes(
        this.className, inputShape, this.spatial, this.kernelSize, this.strides, this.padding, this.dilationRate,
      ),
      this.filters,
    ];
  }

  protected call(input: Tensor, _args: Required<Pick<CallArgs, 'training'>> & CallArgs): Tensor {
    const kernel = this.kernel!;
    const inC = kernel.shape[kernel.rank - 2]!;
    if (input.rank !== this.inputRank || input.shape[input.rank - 1] !== inC) {
      throw new ShapeError(
        `dendrite.${this.className}: layer '${this.name}' expects input ${spatialLayout(this.spatial)} with ${inC} channels, got ${fmtShape(input.shape)}`,
      );
    }
    const options = { bias: this.bias, activation: this.act.fused, padding: this.padding };
    const y = this.spatial === 2
      ? conv2dOp(input, kernel, {
        ...options, padding: this.padding as 'valid' | 'same', strides: this.strides as [number, number],
        dilationRate: this.dilationRate as [number, number],
      })
      : conv1dOp(input, kernel, { ...options, strides: this.strides[0]!, dilationRate: this.dilationRate[0]! });
    return applyPostActivation(y, this.act);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: this.act.name,
      useBias: this.useBias,
      kernelInitializer: initializerConfig(this.kernelInitSpec, this.kernelInit),
      biasInitializer: initializerConfig(this.biasInitSpec, this.biasInit),
    };
  }
}

/**
 * 2-D convolution over [batch, height, width, channels] input: `filters` output channels, a
 * kernelSize window, strides, 'valid'/'same' padding and dilation, then bias and activation.
 */
export class Conv2D extends Conv {
  readonly className = 'Conv2D';
  constructor(args: Conv2DLayerArgs) {
    super(2, args);
  }
}

/**
 * 1-D convolution over [batch, steps, channels] input (kernel [k, inC, filters]); padding may
 * also be 'causal'.
 */
export class Conv1D extends Conv {
  readonly className = 'Conv1D';
  constructor(args: Conv1DLayerArgs) {
    super(1, args);
  }
}

registerLayer('Conv2D', Conv2D);
registerLayer('Conv1D', Conv1D);
// Keras' aliases.
registerLayer('Convolution2D', Conv2D);
registerLayer('Convolution1D', Conv1D);

/** tfjs `tf.layers.conv2d`. */
export function conv2d(args: Conv2DLayerArgs): Conv2D {
  return new Conv2D(args);
}

/** tfjs `tf.layers.conv1d`. */
export function conv1d(args: Conv1DLayerArgs): Conv1D {
  return new Conv1D(args);
}
