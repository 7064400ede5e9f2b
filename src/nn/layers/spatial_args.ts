/**
 * Argument and shape checks shared by the channels-last spatial layers (the convolutions and the
 * poolings): data format, window-like arguments, input rank and output sizes per spatial axis.
 */
import { ArgumentError, ShapeError, describe } from '../../errors.js';
import { axisOutputSize, positiveInt, positivePair } from '../../ops/conv.js';
import type { Shape } from '../layer.js';

/** Number of spatial axes: 1 ([batch, steps, channels]) or 2 ([batch, height, width, channels]). */
export type SpatialRank = 1 | 2;

/** Accepts only channels-last, in tfjs' or Keras' spelling (or nothing). */
export function checkDataFormat(op: string, format: unknown): void {
  if (format === undefined || format === 'channelsLast' || format === 'channels_last') return;
  if (format === 'channelsFirst' || format === 'channels_first') {
    throw new ArgumentError(
      `dendrite.${op}: dataFormat '${format}' is not supported; only 'channelsLast' (batch, ..., channels) is`,
    );
  }
  throw new ArgumentError(`dendrite.${op}: dataFormat must be 'channelsLast', got ${describe(format)}`);
}

/** A window-like argument (kernelSize, poolSize, strides, ...) as one positive integer per spatial axis. */
export function spatialInts(op: string, name: string, v: unknown, spatial: SpatialRank, dflt: number): number[] {
  return spatial === 2 ? positivePair(op, name, v, dflt) : [positiveInt(op, name, v, dflt)];
}

/** Formats a shape with unknown dimensions: [null, 28, 28, 1]. */
export function fmtShapeNull(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]` : describe(shape);
}

/** The input layout a spatial layer expects, for error messages. */
export function spatialLayout(spatial: SpatialRank): string {
  return spatial === 2 ? '[batch, height, width, channels]' : '[batch, steps, channels]';
}

/** Throws unless `shape` has the batch axis, `spatial` axes and the channel axis. */
export function checkSpatialRank(
  layer: { readonly className: string; readonly name: string }, shape: unknown, spatial: SpatialRank,
): void {
  const rank = spatial + 2;
  if (!Array.isArray(shape) || shape.length !== rank) {
    throw new ShapeError(
      `dendrite.${layer.className}: layer '${layer.name}' expects ${rank}-D input ${spatialLayout(spatial)}, got ${fmtShapeNull(shape)}`,
    );
  }
}

/**
 * Output sizes of the spatial axes of `inputShape` (null where the input size is unknown);
 * without `dilation`, every axis has dilation 1.
 */
export function spatialOutputSizes(
  op: string, inputShape: Shape, spatial: SpatialRank, window: readonly number[], strides: readonly number[],
  padding: 'valid' | 'same' | 'causal', dilation?: readonly number[],
): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < spatial; i++) {
    const axis = spatial === 2 ? (i === 0 ? 'row' : 'column') : 'step';
    out.push(axisOutputSize(op, axis, inputShape[i + 1] ?? null, window[i]!, strides[i]!, dilation?.[i] ?? 1, padding));
  }
  return out;
}
