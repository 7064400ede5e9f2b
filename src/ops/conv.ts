/**
 * Convolutions over NHWC tensors with Keras-layout kernels ([kH, kW, inC, outC]), forward and
 * backward side by side on the backend's conv2d kernels. conv1d is the 2-D op with a height of
 * one; both share one core that works on the callers' buffers directly (a reshape is only a
 * different reading of the same data), so weight gradients still reach the leaves' .grad in
 * place through gradSink.
 */
import { gradSink, record } from '../autograd.js';
import type { ActivationName, Conv2dGeometry } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import {
  type ActivationSpec, backwardFromOutput, derivableFromOutput, resolveActivation,
} from './activation.js';
import { alloc, allocOut, checkedSize } from './checks.js';

/** Padding modes: TensorFlow's 'valid' and 'same' (either case); 'causal' for conv1d only. */
export type PaddingMode = 'valid' | 'same' | 'VALID' | 'SAME';

/** Options of conv2d. */
export interface Conv2dOptions {
  /** Step between output pixels: one number for both axes or [strideH, strideW] (default 1). */
  strides?: number | readonly [number, number];
  /** 'valid' (no padding, default) or 'same' (output ceil(in / stride), TensorFlow's split). */
  padding?: PaddingMode;
  /** Spacing between kernel taps: one number or [dilationH, dilationW] (default 1). */
  dilationRate?: number | readonly [number, number];
  /** Bias [outC] added to every output pixel. */
  bias?: Tensor | null;
  /** Activation applied to the result (fused into the op). */
  activation?: ActivationSpec | null;
}

/** Options of conv1d. */
export interface Conv1dOptions {
  strides?: number;
  /** As conv2d, plus 'causal': left padding only, so output t sees inputs ≤ t·stride. */
  padding?: PaddingMode | 'causal';
  dilationRate?: number;
  bias?: Tensor | null;
  activation?: ActivationSpec | null;
}

/** Output size and leading padding of one spatial axis. */
export interface AxisGeometry {
  readonly out: number;
  readonly padBefore: number;
}

/** Normalises a padding option to 'valid', 'same' (or 'causal' where allowed). */
export function normPadding(op: string, padding: unknown, allowCausal = false): 'valid' | 'same' | 'causal' {
  if (padding === undefined) return 'valid';
  if (typeof padding === 'string') {
    const p = padding.toLowerCase();
    if (p === 'valid' || p === 'same') return p;
    if (p === 'causal' && allowCausal) return p;
  }
  throw new ArgumentError(
    `dendrite.${op}: padding must be 'valid' or 'same'${allowCausal ? " or 'causal'" : ''}, got ${describe(padding)}`,
  );
}

/** A positive integer, or a pair of them (one number is used for every axis). */
export function positivePair(op: string, name: string, v: unknown, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  const pair = typeof v === 'number' ? [v, v] : v;
  if (
    !Array.isArray(pair) || pair.length !== 2 ||
    !pair.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)
  ) {
    throw new ArgumentError(
      `dendrite.${op}: ${name} must be a positive integer or a pair of them, got ${Array.isArray(v) ? `[${v.map(String).join(', ')}]` : describe(v)}`,
    );
  }
  return [pair[0] as number, pair[1] as number];
}

/** A single positive integer (1-D ops; a one-element array is accepted, as Keras writes it). */
export function positiveInt(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const d = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
    throw new ArgumentError(
      `dendrite.${op}: ${name} must be a positive integer, got ${Array.isArray(v) ? `[${v.map(String).join(', ')}]` : describe(v)}`,
    );
  }
  return d;
}

/**
 * Output size and leading padding of one axis of length `size` under a window of `k` taps
 * spaced `dilation` apart, moved by `stride`. 'same': out = ceil(size / stride) with TensorFlow's
 * padding (the odd pixel goes after); 'valid': out = floor((size − span) / stride) + 1, a
 * ShapeError when the window (span (k − 1)·dilation + 1) is longer than the axis; 'causal': all
 * padding before, out = ceil(size / stride).
 */
export function axisGeometry(
  op: string, axis: string, size: number, k: number, stride: number, dilation: number,
  padding: 'valid' | 'same' | 'causal',
): AxisGeometry {
  const span = (k - 1) * dilation + 1;
  if (padding === 'valid') {
    if (span > size) {
      throw new ShapeError(
        `dendrite.${op}: the window spans ${span} ${axis} positions (size ${k}, dilation ${dilation}) but the input has only ${size} with 'valid' padding`,
      );
    }
    return { out: Math.floor((size - span) / stride) + 1, padBefore: 0 };
  }
  const out = Math.ceil(size / stride);
  if (padding === 'causal') return { out, padBefore: span - 1 };
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** The same for a size that may be unknown (null): shape inference in layers. */
export function axisOutputSize(
  op: string, axis: string, size: number | null, k: number, stride: number, dilation: number,
  padding: 'valid' | 'same' | 'causal',
): number | null {
  return size === null ? null : axisGeometry(op, axis, size, k, stride, dilation, padding).out;
}

function checkTensorArg(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor, got ${describe(v)}`);
  return v;
}

function checkOptions(op: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`dendrite.${op}: options must be an object, got ${describe(options)}`);
  }
}

/**
 * The shared forward/backward. `x`, `w`, `b` are the caller's tensors (any rank; their buffers
 * are read as the NHWC / HWIO layout `g` describes); the result has `outShape`.
 */
function convCore(
  op: string, x: Tensor, w: Tensor, b: Tensor | null, g: Conv2dGeometry, outShape: readonly number[],
  act: ActivationName, alpha: number,
): Tensor {
  const be = getBackend();
  const reduction = g.kH * g.kW * g.inC;
  // Written in full by the kernel (or by the bias alone when there are no input channels).
  const y = reduction > 0 || b !== null ? allocOut(op, checkedSize(op, outShape)) : alloc(op, checkedSize(op, outShape));
  const pixels = g.batch * g.outH * g.outW;
  const fused = derivableFromOutput(act, alpha);
  let z: Float32Array | null = null;
  if (y.length > 0) {
    if (reduction === 0) {
      // No input channels: the output is the bias alone.
      if (b !== null) for (let p = 0; p < pixels; p++) y.set(b.data, p * g.outC);
    } else if (fused) {
      // The activation runs inside the conv, on each block of rows while it is in cache.
      be.conv2d(g, x.data, w.data, b?.data ?? null, y, act, alpha);
    } else {
      be.conv2d(g, x.data, w.data, b?.data ?? null, y);
    }
    if (act !== 'identity') {
      if (fused) {
        if (reduction === 0) be.activation(act, y, y, alpha);
      } else {
        z = y.slice();
        be.activation(act, z, y, alpha);
      }
    }
  }
  const inputs = b === null ? [x, w] : [x, w, b];
  return record(new Tensor(y, outShape), op, inputs, (grad) => {
    let dz: Float32Array;
    if (act === 'identity' || y.length === 0) dz = grad.data;
    else if (z === null) dz = backwardFromOutput(act, alpha, y, grad.data);
    else {
      dz = alloc(op, y.length);
      be.activationBackward(act, z, y, grad.data, dz, alpha);
    }
    const out: Array<Tensor | null> = [null, null, null];
    const live = y.length > 0 && reduction > 0;
    if (x.requiresGrad) {
      const dx = live ? allocOut(op, x.size) : alloc(op, x.size);
      if (live) be.conv2dBackwardInput(g, dz, w.data, dx);
      out[0] = new Tensor(dx, x.shape);
    }
    const wSink = w.requiresGrad ? gradSink(w) : null;
    const bSink = b !== null && b.requiresGrad ? gradSink(b) : null;
    let dbDone = false;
    if (w.requiresGrad) {
      const dw = wSink?.data ?? alloc(op, w.size);
      const beta = wSink?.beta ?? 0;
      // The filter kernel also sums the bias gradient when both use the same beta.
      const withBias = b !== null && b.requiresGrad && (bSink?.beta ?? 0) === beta;
      const db = withBias ? bSink?.data ?? alloc(op, g.outC) : null;
      if (live) {
        be.conv2dBackwardFilter(g, x.data, dz, dw, db, beta);
      } else if (beta === 0) {
        dw.fill(0);
      }
      if (wSink === null) out[1] = new Tensor(dw, w.shape);
      if (db !== null) {
        dbDone = true;
        if (!live) writeColumnSums(db, dz, pixels, g.outC, beta);
        if (bSink === null) out[2] = new Tensor(db, b!.shape);
      }
    }
    if (b !== null && b.requiresGrad && !dbDone) {
      if (bSink === null) {
        const db = alloc(op, g.outC);
        writeColumnSums(db, dz, pixels, g.outC, 0);
        out[2] = new Tensor(db, b.shape);
      } else {
        writeColumnSums(bSink.data, dz, pixels, g.outC, bSink.beta);
      }
    }
    return out;
  });
}

/** dst = beta·dst + column sums of the rows×cols matrix m (beta 0 or 1). */
function writeColumnSums(dst: Float32Array, m: Float32Array, rows: number, cols: number, beta: number): void {
  if (cols === 0) return;
  if (rows === 0) {
    if (beta === 0) dst.fill(0);
    return;
  }
  if (beta === 0) {
    getBackend().reduce('sum', m, 1, rows, cols, dst, 0);
    return;
  }
  const s = new Float32Array(cols);
  getBackend().reduce('sum', m, 1, rows, cols, s, 0);
  for (let i = 0; i < cols; i++) dst[i]! += s[i]!;
}

function checkBias(op: string, bias: unknown, outC: number, kernel: Tensor): Tensor | null {
  if (bias === undefined || bias === null) return null;
  const b = checkTensorArg(op, 'bias', bias);
  if (b.rank !== 1 || b.shape[0] !== outC) {
    throw new ShapeError(
      `dendrite.${op}: bias ${fmtShape(b.shape)} does not match kernel ${fmtShape(kernel.shape)}: expected [${outC}]`,
    );
  }
  return b;
}

/**
 * 2-D convolution (cross-correlation, as every framework computes it) of NHWC `x`
 * [batch, height, width, inC] with `kernel` [kH, kW, inC, outC], giving [batch, outH, outW,
 * outC]. Padding follows TensorFlow: 'same' gives ceil(in / stride) outputs per axis with the
 * odd padded pixel at the end; 'valid' gives floor((in − (k − 1)·dilation − 1) / stride) + 1.
 * Differentiable in x, kernel and bias.
 */
export function conv2d(x: Tensor, kernel: Tensor, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkTensorArg(op, 'x', x);
  checkTensorArg(op, 'kernel', kernel);
  checkOptions(op, options);
  if (x.rank !== 4) {
    throw new ShapeError(`dendrite.${op}: x must be 4-D [batch, height, width, channels], got ${fmtShape(x.shape)}`);
  }
  if (kernel.rank !== 4) {
    throw new ShapeError(`dendrite.${op}: kernel must be 4-D [kH, kW, inC, outC], got ${fmtShape(kernel.shape)}`);
  }
  const [batch, inH, inW, inC] = x.shape as [number, number, number, number];
  const [kH, kW, kC, outC] = kernel.shape as [number, number, number, number];
  if (kC !== inC) {
    throw new ShapeError(
      `dendrite.${op}: x ${fmtShape(x.shape)} has ${inC} channels but kernel ${fmtShape(kernel.shape)} expects ${kC}`,
    );
  }
  if (kH === 0 || kW === 0) throw new ShapeError(`dendrite.${op}: kernel ${fmtShape(kernel.shape)} has an empty window`);
  const [strideH, strideW] = positivePair(op, 'strides', options.strides, 1);
  const [dilationH, dilationW] = positivePair(op, 'dilationRate', options.dilationRate, 1);
  const padding = normPadding(op, options.padding);
  const bias = checkBias(op, options.bias, outC, kernel);
  const { act, alpha } = resolveActivation(op, options.activation);
  const rows = axisGeometry(op, 'row', inH, kH, strideH, dilationH, padding);
  const cols = axisGeometry(op, 'column', inW, kW, strideW, dilationW, padding);
  const g: Conv2dGeometry = {
    batch, inH, inW, inC, outC, kH, kW, strideH, strideW, dilationH, dilationW,
    padTop: rows.padBefore, padLeft: cols.padBefore, outH: rows.out, outW: cols.out,
  };
  return convCore(op, x, kernel, bias, g, [batch, rows.out, cols.out, outC], act, alpha);
}

/**
 * 1-D convolution of `x` [batch, length, inC] with `kernel` [k, inC, outC] (Keras' Conv1D
 * layout), giving [batch, outLength, outC]: the 2-D op with a height of one. Padding 'causal'
 * pads only the start, so each output sees no later input (WaveNet-style).
 */
export function conv1d(x: Tensor, kernel: Tensor, options: Conv1dOptions = {}): Tensor {
  const op = 'conv1d';
  checkTensorArg(op, 'x', x);
  checkTensorArg(op, 'kernel', kernel);
  checkOptions(op, options);
  if (x.rank !== 3) {
    throw new ShapeError(`dendrite.${op}: x must be 3-D [batch, length, channels], got ${fmtShape(x.shape)}`);
  }
  if (kernel.rank !== 3) {
    throw new ShapeError(`dendrite.${op}: kernel must be 3-D [k, inC, outC], got ${fmtShape(kernel.shape)}`);
  }
  const [batch, len, inC] = x.shape as [number, number, number];
  const [k, kC, outC] = kernel.shape as [number, number, number];
  if (kC !== inC) {
    throw new ShapeError(
      `dendrite.${op}: x ${fmtShape(x.shape)} has ${inC} channels but kernel ${fmtShape(kernel.shape)} expects ${kC}`,
    );
  }
  if (k === 0) throw new ShapeError(`dendrite.${op}: kernel ${fmtShape(kernel.shape)} has an empty window`);
  const stride = positiveInt(op, 'strides', options.strides, 1);
  const dilation = positiveInt(op, 'dilationRate', options.dilationRate, 1);
  const padding = normPadding(op, options.padding, true);
  const bias = checkBias(op, options.bias, outC, kernel);
  const { act, alpha } = resolveActivation(op, options.activation);
  const a = axisGeometry(op, 'step', len, k, stride, dilation, padding);
  const g: Conv2dGeometry = {
    batch, inH: 1, inW: len, inC, outC, kH: 1, kW: k, strideH: 1, strideW: stride, dilationH: 1,
    dilationW: dilation, padTop: 0, padLeft: a.padBefore, outH: 1, outW: a.out,
  };
  return convCore(op, x, kernel, bias, g, [batch, a.out, outC], act, alpha);
}
