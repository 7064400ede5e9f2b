/**
 * Pooling over NHWC tensors on the backend's pool2d kernels: max (its backward routes each
 * gradient to the position the forward pass picked) and average (padded positions are not
 * counted, as Keras). The 1-D forms and the global poolings are the same kernels with a height
 * of one or a window covering the whole image.
 */
import { record } from '../autograd.js';
import type { Pool2dGeometry } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { alloc, allocOut, allocOutInt32, checkedSize } from './checks.js';
import { type PaddingMode, axisGeometry, normPadding, positiveInt, positivePair } from './conv.js';

/** Options of the 2-D poolings. */
export interface Pool2dOptions {
  /** Window: one number for both axes or [h, w] (default 2). */
  poolSize?: number | readonly [number, number];
  /** Step between windows (default: the pool size, so windows tile the input). */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same' (output ceil(in / stride)). */
  padding?: PaddingMode;
}

/** Options of the 1-D poolings. */
export interface Pool1dOptions {
  poolSize?: number;
  strides?: number;
  padding?: PaddingMode;
}

type PoolKind = 'max' | 'avg';

function checkInput(op: string, x: unknown, rank: number, layout: string): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: x must be a Tensor, got ${describe(x)}`);
  if (x.rank !== rank) throw new ShapeError(`dendrite.${op}: x must be ${rank}-D ${layout}, got ${fmtShape(x.shape)}`);
  return x;
}

function checkOptions(op: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`dendrite.${op}: options must be an object, got ${describe(options)}`);
  }
}

function poolCore(op: string, kind: PoolKind, x: Tensor, g: Pool2dGeometry, outShape: readonly number[]): Tensor {
  const be = getBackend();
  const y = allocOut(op, checkedSize(op, outShape));
  // pool2d writes every argmax entry (−1 for a window with no input).
  const argmax = kind === 'max' ? allocOutInt32(op, y.length) : null;
  if (y.length > 0) be.pool2d(kind, g, x.data, y, argmax);
  return record(new Tensor(y, outShape), op, [x], (grad) => {
    // The backward kernel overwrites dx; with no outputs it is not called and dx stays zero.
    const dx = y.length > 0 ? allocOut(op, x.size) : alloc(op, x.size);
    if (y.length > 0) be.pool2dBackward(kind, g, grad.data, argmax, dx);
    return [new Tensor(dx, x.shape)];
  });
}

function pool2d(op: string, kind: PoolKind, input: Tensor, options: Pool2dOptions): Tensor {
  const x = checkInput(op, input, 4, '[batch, height, width, channels]');
  checkOptions(op, options);
  const [kH, kW] = positivePair(op, 'poolSize', options.poolSize, 2);
  const [strideH, strideW] = options.strides === undefined ? [kH, kW] : positivePair(op, 'strides', options.strides, 1);
  const padding = normPadding(op, options.padding);
  const [batch, inH, inW, channels] = x.shape as [number, number, number, number];
  const rows = axisGeometry(op, 'row', inH, kH, strideH, 1, padding);
  const cols = axisGeometry(op, 'column', inW, kW, strideW, 1, padding);
  const g: Pool2dGeometry = {
    batch, inH, inW, channels, kH, kW, strideH, strideW, padTop: rows.padBefore, padLeft: cols.padBefore,
    outH: rows.out, outW: cols.out,
  };
  return poolCore(op, kind, x, g, [batch, rows.out, cols.out, channels]);
}

function pool1d(op: string, kind: PoolKind, input: Tensor, options: Pool1dOptions): Tensor {
  const x = checkInput(op, input, 3, '[batch, length, channels]');
  checkOptions(op, options);
  const k = positiveInt(op, 'poolSize', options.poolSize, 2);
  const stride = positiveInt(op, 'strides', options.strides, k);
  const padding = normPadding(op, options.padding);
  const [batch, len, channels] = x.shape as [number, number, number];
  const a = axisGeometry(op, 'step', len, k, stride, 1, padding);
  const g: Pool2dGeometry = {
    batch, inH: 1, inW: len, channels, kH: 1, kW: k, strideH: 1, strideW: stride, padTop: 0,
    padLeft: a.padBefore, outH: 1, outW: a.out,
  };
  return poolCore(op, kind, x, g, [batch, a.out, channels]);
}

/**
 * Max pooling of NHWC `x` [batch, height, width, channels] over poolSize windows (default 2×2,
 * strides default to the pool size). The gradient goes to each window's first maximum.
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  return pool2d('maxPool2d', 'max', x, options);
}

/**
 * Average pooling of NHWC `x` over poolSize windows; with 'same' padding the padded positions
 * are left out of each average.
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  return pool2d('avgPool2d', 'avg', x, options);
}

/** Max pooling of `x` [batch, length, channels] along the length (default window 2). */
export function maxPool1d(x: Tensor, options: Pool1dOptions = {}): Tensor {
  return pool1d('maxPool1d', 'max', x, options);
}

/** Average pooling of `x` [batch, length, channels] along the length (default window 2). */
export function avgPool1d(x: Tensor, options: Pool1dOptions = {}): Tensor {
  return pool1d('avgPool1d', 'avg', x, options);
}

function globalPool(op: string, kind: PoolKind, input: unknown): Tensor {
  if (!(input instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: x must be a Tensor, got ${describe(input)}`);
  const x = input;
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ShapeError(
      `dendrite.${op}: x must be 3-D [batch, length, channels] or 4-D [batch, height, width, channels], got ${fmtShape(x.shape)}`,
    );
  }
  const batch = x.shape[0]!;
  const channels = x.shape[x.rank - 1]!;
  const inH = x.rank === 4 ? x.shape[1]! : 1;
  const inW = x.shape[x.rank - 2]!;
  if (inH === 0 || inW === 0) {
    throw new ShapeError(`dendrite.${op}: x ${fmtShape(x.shape)} has no positions to pool over`);
  }
  // One window over the whole image: [batch, 1, 1, channels] is [batch, channels] in memory.
  const g: Pool2dGeometry = {
    batch, inH, inW, channels, kH: inH, kW: inW, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: 1, outW: 1,
  };
  return poolCore(op, kind, x, g, [batch, channels]);
}

/**
 * Mean over every position of `x` ([batch, length, channels] or [batch, height, width,
 * channels]), giving [batch, channels].
 */
export function globalAvgPool(x: Tensor): Tensor {
  return globalPool('globalAvgPool', 'avg', x);
}

/** Maximum over every position of `x` (3-D or 4-D, channels last), giving [batch, channels]. */
export function globalMaxPool(x: Tensor): Tensor {
  return globalPool('globalMaxPool', 'max', x);
}
