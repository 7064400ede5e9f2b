/**
 * Pooling layers with tfjs-layers names and options: MaxPooling1D/2D, AveragePooling1D/2D
 * (Keras' MaxPool2D/AvgPool2D aliases too) and the global poolings, all channels-last and
 * without weights.
 */
import { ArgumentError, ShapeError, fmtShape } from '../../errors.js';
import { type PaddingMode, normPadding } from '../../ops/conv.js';
import {
  avgPool1d as avgPool1dOp, avgPool2d as avgPool2dOp, globalAvgPool, globalMaxPool, maxPool1d as maxPool1dOp,
  maxPool2d as maxPool2dOp,
} from '../../ops/pool.js';
import type { Tensor } from '../../tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';
import { checkDataFormat, checkSpatialRank, spatialInts, spatialOutputSizes } from './spatial_args.js';

/** Arguments of the 2-D poolings. */
export interface Pooling2DLayerArgs extends LayerArgs {
  /** Window: one number or [h, w] (default [2, 2]). */
  poolSize?: number | readonly [number, number];
  /** Step between windows (default: poolSize). */
  strides?: number | readonly [number, number] | null;
  /** 'valid' (default) or 'same'; padded positions never win a max nor count in an average. */
  padding?: PaddingMode;
  /** Only 'channelsLast' (Keras: 'channels_last'). */
  dataFormat?: 'channelsLast' | 'channels_last';
}

/** Arguments of the 1-D poolings. */
export interface Pooling1DLayerArgs extends LayerArgs {
  /** Window length (default 2; a one-element array is accepted). */
  poolSize?: number | readonly [number];
  strides?: number | readonly [number] | null;
  padding?: PaddingMode;
  dataFormat?: 'channelsLast' | 'channels_last';
}

/** Arguments of the global poolings. */
export interface GlobalPoolingLayerArgs extends LayerArgs {
  dataFormat?: 'channelsLast' | 'channels_last';
}

type PoolKind = 'max' | 'avg';

/** Max or average pooling over `spatial` (1 or 2) axes. */
abstract class Pooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';

  protected constructor(
    private readonly spatial: 1 | 2, private readonly kind: PoolKind, args: Pooling2DLayerArgs | Pooling1DLayerArgs,
  ) {
    super(args);
    const op = new.target.name;
    if (args === null || typeof args !== 'object') throw new ArgumentError(`dendrite.${op}: arguments must be an object`);
    const a = args as unknown as Record<string, unknown>;
    this.poolSize = spatialInts(op, 'poolSize', a.poolSize, spatial, 2);
    this.strides = a.strides === undefined || a.strides === null
      ? [...this.poolSize] : spatialInts(op, 'strides', a.strides, spatial, 1);
    this.padding = normPadding(op, args.padding) as 'valid' | 'same';
    checkDataFormat(op, args.dataFormat);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    checkSpatialRank(this, inputShape, this.spatial);
    return [
      inputShape[0] ?? null,
      ...spatialOutputSizes(this.className, inputShape, this.spatial, this.poolSize, this.strides, this.padding),
      inputShape[this.spatial + 1] ?? null,
    ];
  }

  protected call(input: Tensor, _args: Required<Pick<CallArgs, 'training'>> & CallArgs): Tensor {
    checkSpatialRank(this, input.shape, this.spatial);
    if (this.spatial === 2) {
      const options = {
        poolSize: this.poolSize as [number, number], strides: this.strides as [number, number], padding: this.padding,
      };
      return this.kind === 'max' ? maxPool2dOp(input, options) : avgPool2dOp(input, options);
    }
    const options = { poolSize: this.poolSize[0]!, strides: this.strides[0]!, padding: this.padding };
    return this.kind === 'max' ? maxPool1dOp(input, options) : avgPool1dOp(input, options);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
    };
  }
}

/** Max over poolSize windows of [batch, height, width, channels] input. */
export class MaxPooling2D extends Pooling {
  readonly className = 'MaxPooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(2, 'max', args);
  }
}

/** Mean over poolSize windows of [batch, height, width, channels] input. */
export class AveragePooling2D extends Pooling {
  readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(2, 'avg', args);
  }
}

/** Max over windows along the steps of [batch, steps, channels] input. */
export class MaxPooling1D extends Pooling {
  readonly className = 'MaxPooling1D';
  constructor(args: Pooling1DLayerArgs = {}) {
    super(1, 'max', args);
  }
}

/** Mean over windows along the steps of [batch, steps, channels] input. */
export class AveragePooling1D extends Pooling {
  readonly className = 'AveragePooling1D';
  constructor(args: Pooling1DLayerArgs = {}) {
    super(1, 'avg', args);
  }
}

/** Pools every position of each channel into one value: [batch, ..., channels] → [batch, channels]. */
abstract class GlobalPooling extends Layer {
  protected constructor(private readonly spatial: 1 | 2, private readonly kind: PoolKind, args: GlobalPoolingLayerArgs) {
    super(args);
    checkDataFormat(new.target.name, args.dataFormat);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    checkSpatialRank(this, inputShape, this.spatial);
    return [inputShape[0] ?? null, inputShape[this.spatial + 1] ?? null];
  }

  protected call(input: Tensor, _args: Required<Pick<CallArgs, 'training'>> & CallArgs): Tensor {
    checkSpatialRank(this, input.shape, this.spatial);
    if (input.shape.slice(1, -1).some((d) => d === 0)) {
      throw new ShapeError(`dendrite.${this.className}: layer '${this.name}' got input ${fmtShape(input.shape)} with no positions to pool`);
    }
    return this.kind === 'max' ? globalMaxPool(input) : globalAvgPool(input);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dataFormat: 'channelsLast' };
  }
}

/** Mean over height and width: [batch, height, width, channels] → [batch, channels]. */
export class GlobalAveragePooling2D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling2D';
  constructor(args: GlobalPoolingLayerArgs = {}) {
    super(2, 'avg', args);
  }
}

/** Max over height and width: [batch, height, width, channels] → [batch, channels]. */
export class GlobalMaxPooling2D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling2D';
  constructor(args: GlobalPoolingLayerArgs = {}) {
    super(2, 'max', args);
  }
}

/** Mean over steps: [batch, steps, channels] → [batch, channels]. */
export class GlobalAveragePooling1D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling1D';
  constructor(args: GlobalPoolingLayerArgs = {}) {
    super(1, 'avg', args);
  }
}

/** Max over steps: [batch, steps, channels] → [batch, channels]. */
export class GlobalMaxPooling1D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling1D';
  constructor(args: GlobalPoolingLayerArgs = {}) {
    super(1, 'max', args);
  }
}

// Keras' alias class names.
export const MaxPool2D = MaxPooling2D;
export const AvgPool2D = AveragePooling2D;
export const MaxPool1D = MaxPooling1D;
export const AvgPool1D = AveragePooling1D;
export const GlobalAvgPool2D = GlobalAveragePooling2D;
export const GlobalMaxPool2D = GlobalMaxPooling2D;
export const GlobalAvgPool1D = GlobalAveragePooling1D;
export const GlobalMaxPool1D = GlobalMaxPooling1D;

const CLASSES: Array<[string, new (args: never) => Layer]> = [
  ['MaxPooling2D', MaxPooling2D], ['AveragePooling2D', AveragePooling2D],
  ['MaxPooling1D', MaxPooling1D], ['AveragePooling1D', AveragePooling1D],
  ['GlobalAveragePooling2D', GlobalAveragePooling2D], ['GlobalMaxPooling2D', GlobalMaxPooling2D],
  ['GlobalAveragePooling1D', GlobalAveragePooling1D], ['GlobalMaxPooling1D', GlobalMaxPooling1D],
  ['MaxPool2D', MaxPooling2D], ['AvgPool2D', AveragePooling2D], ['MaxPool1D', MaxPooling1D],
  ['AvgPool1D', AveragePooling1D], ['GlobalAvgPool2D', GlobalAveragePooling2D],
  ['GlobalMaxPool2D', GlobalMaxPooling2D], ['GlobalAvgPool1D', GlobalAveragePooling1D],
  ['GlobalMaxPool1D', GlobalMaxPooling1D],
];
for (const [name, ctor] of CLASSES) registerLayer(name, ctor);

/** tfjs `tf.layers.maxPooling2d`. */
export function maxPooling2d(args: Pooling2DLayerArgs = {}): MaxPooling2D {
  return new MaxPooling2D(args);
}
/** tfjs `tf.layers.averagePooling2d`. */
export function averagePooling2d(args: Pooling2DLayerArgs = {}): AveragePooling2D {
  return new AveragePooling2D(args);
}
/** tfjs `tf.layers.maxPooling1d`. */
export function maxPooling1d(args: Pooling1DLayerArgs = {}): MaxPooling1D {
  return new MaxPooling1D(args);
}
/** tfjs `tf.layers.averagePooling1d`. */
export function averagePooling1d(args: Pooling1DLayerArgs = {}): AveragePooling1D {
  return new AveragePooling1D(args);
}
/** tfjs `tf.layers.globalAveragePooling2d`. */
export function globalAveragePooling2d(args: GlobalPoolingLayerArgs = {}): GlobalAveragePooling2D {
  return new GlobalAveragePooling2D(args);
}
/** tfjs `tf.layers.globalMaxPooling2d`. */
export function globalMaxPooling2d(args: GlobalPoolingLayerArgs = {}): GlobalMaxPooling2D {
  return new GlobalMaxPooling2D(args);
}
/** tfjs `tf.layers.globalAveragePooling1d`. */
export function globalAveragePooling1d(args: GlobalPoolingLayerArgs = {}): GlobalAveragePooling1D {
  return new GlobalAveragePooling1D(args);
}
/** tfjs `tf.layers.globalMaxPooling1d`. */
export function globalMaxPooling1d(args: GlobalPoolingLayerArgs = {}): GlobalMaxPooling1D {
  return new GlobalMaxPooling1D(args);
}

// tfjs' short aliases of the factories.
export const maxPool2d = maxPooling2d;
export const avgPool2d = averagePooling2d;
export const avgPooling2d = averagePooling2d;
export const maxPool1d = maxPooling1d;
export const avgPool1d = averagePooling1d;
export const avgPooling1d = averagePooling1d;
export const globalMaxPool2d = globalMaxPooling2d;
export const globalMaxPool1d = globalMaxPooling1d;
