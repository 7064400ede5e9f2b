/**
 * Normalisation ops, each one autograd node with a hand-written backward: batch normalisation
 * with batch statistics (training) or given statistics (inference), and layer normalisation over
 * trailing dimensions. Statistics are accumulated in float64; the variance is the biased one
 * (divided by the count), which is what normalises the batch in Keras and PyTorch alike.
 */
import { gradSink, record } from '../autograd.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { alloc, finiteArg, normAxis } from './checks.js';

/** What batchNormTrain returns besides the output: the batch statistics per channel. */
export interface BatchStatistics {
  /** Mean of each channel over the batch (and spatial) positions. */
  readonly mean: Float32Array;
  /** Biased variance of each channel (divided by `count`). */
  readonly variance: Float32Array;
  /** Values per channel the statistics were taken over. */
  readonly count: number;
}

function checkTensor(op: string, name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor, got ${describe(t)}`);
  return t;
}

function checkOptional(op: string, name: string, t: unknown, shape: readonly number[], xShape: readonly number[]): Tensor | null {
  if (t === null || t === undefined) return null;
  const v = checkTensor(op, name, t);
  if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      `dendrite.${op}: ${name} has shape ${fmtShape(v.shape)}, expected ${fmtShape(shape)} for an input of shape ${fmtShape(xShape)}`,
    );
  }
  return v;
}

function checkEpsilon(op: string, epsilon: unknown): number {
  const e = finiteArg(op, 'epsilon', epsilon);
  if (e < 0) throw new ArgumentError(`dendrite.${op}: epsilon must be >= 0, got ${e}`);
  return e;
}

/**
 * Writes a parameter's gradient (accumulated in float64) into its reusable `.grad` buffer when it
 * is a leaf, or returns it as a tensor for the engine.
 */
function paramGrad(t: Tensor, values: Float64Array): Tensor | null {
  const sink = gradSink(t);
  if (sink !== null) {
    const d = sink.data;
    if (sink.beta === 0) for (let i = 0; i < values.length; i++) d[i] = values[i]!;
    else for (let i = 0; i < values.length; i++) d[i]! += values[i]!;
    return null;
  }
  return new Tensor(Float32Array.from(values), t.shape);
}

/** x viewed as [outer, channels, inner] around the channel axis. */
function channelView(x: Tensor, axis: number): { outer: number; channels: number; inner: number } {
  const channels = x.shape[axis]!;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i]!;
  return { outer, channels, inner };
}

/** Per-channel Σx and Σx² (float64) over x viewed as [outer, C, inner]. */
function channelSums(
  xd: Float32Array, outer: number, channels: number, inner: number, shift: Float64Array | null,
  s1: Float64Array, s2: Float64Array,
): void {
  if (inner === 1) {
    // Channels last: rows of C values, the per-channel sums indexed by column.
    for (let o = 0, k = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++, k++) {
        const d = xd[k]! - (shift === null ? 0 : shift[c]!);
        s1[c]! += d;
        s2[c]! += d * d;
      }
    }
    return;
  }
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const m = shift === null ? 0 : shift[c]!;
      let a = 0;
      let b = 0;
      for (let i = 0; i < inner; i++, k++) {
        const d = xd[k]! - m;
        a += d;
        b += d * d;
      }
      s1[c]! += a;
      s2[c]! += b;
    }
  }
}

/** out = x·p[c] + q[c] per channel of [outer, C, inner]; with `y`, out = y·p[c] + x·q[c] + r[c]. */
function channelAffine(
  x: Float32Array, y: Float32Array | null, out: Float32Array, outer: number, channels: number, inner: number,
  p: Float64Array, q: Float64Array, r: Float64Array | null,
): void {
  if (inner === 1) {
    for (let o = 0, k = 0; o < outer; o++) {
      if (y === null) for (let c = 0; c < channels; c++, k++) out[k] = x[k]! * p[c]! + q[c]!;
      else for (let c = 0; c < channels; c++, k++) out[k] = y[k]! * p[c]! + x[k]! * q[c]! + r![c]!;
    }
    return;
  }
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const pc = p[c]!;
      const qc = q[c]!;
      if (y === null) {
        for (let i = 0; i < inner; i++, k++) out[k] = x[k]! * pc + qc;
      } else {
        const rc = r![c]!;
        for (let i = 0; i < inner; i++, k++) out[k] = y[k]! * pc + x[k]! * qc + rc;
      }
    }
  }
}

/** Per-channel Σdy and Σdy·(x − mean) (float64). */
function channelGradSums(
  xd: Float32Array, dy: Float32Array, mean: Float64Array, outer: number, channels: number, inner: number,
  sdy: Float64Array, sdyx: Float64Array,
): void {
  if (inner === 1) {
    for (let o = 0, k = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++, k++) {
        const d = dy[k]!;
        sdy[c]! += d;
        sdyx[c]! += d * (xd[k]! - mean[c]!);
      }
    }
    return;
  }
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const m = mean[c]!;
      let a = 0;
      let b = 0;
      for (let i = 0; i < inner; i++, k++) {
        const d = dy[k]!;
        a += d;
        b += d * (xd[k]! - m);
      }
      sdy[c]! += a;
      sdyx[c]! += b;
    }
  }
}

/** Checks x, axis and ε; x is returned with its [outer, channels, inner] view around the axis. */
function checkBatchNormArgs(
  op: string, x: unknown, axis: unknown, epsilon: unknown,
): { x: Tensor; eps: number; outer: number; channels: number; inner: number } {
  const t = checkTensor(op, 'x', x);
  if (t.rank === 0) throw new ShapeError(`dendrite.${op}: needs an input with a channel axis, got a rank-0 tensor`);
  const ax = normAxis(op, axis, t.rank);
  const eps = checkEpsilon(op, epsilon);
  return { x: t, eps, ...channelView(t, ax) };
}

/**
 * Folds normalisation and γ, β into y = x·scale + shift per channel: invStd = 1/√(variance + ε),
 * scale = γ·invStd, shift = β − mean·scale (γ, β null: 1 and 0).
 */
function foldAffine(
  mean: Float64Array, variance: ArrayLike<number>, eps: number, g: Tensor | null, b: Tensor | null,
): { invStd: Float64Array; scale: Float64Array; shift: Float64Array } {
  const channels = mean.length;
  const invStd = new Float64Array(channels);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    invStd[c] = 1 / Math.sqrt(variance[c]! + eps);
    scale[c] = (g === null ? 1 : g.data[c]!) * invStd[c]!;
    shift[c] = (b === null ? 0 : b.data[c]!) - mean[c]! * scale[c]!;
  }
  return { invStd, scale, shift };
}

/** dβ = Σ dy and dγ = Σ dy·x̂ = invStd·Σ dy·(x − mean) per channel. */
function affineParamGrads(
  xd: Float32Array, dy: Float32Array, mean: Float64Array, invStd: Float64Array, outer: number, channels: number,
  inner: number,
): { dbeta: Float64Array; dgamma: Float64Array } {
  const dbeta = new Float64Array(channels);
  const dgamma = new Float64Array(channels);
  channelGradSums(xd, dy, mean, outer, channels, inner, dbeta, dgamma);
  for (let c = 0; c < channels; c++) dgamma[c]! *= invStd[c]!;
  return { dbeta, dgamma };
}

/**
 * Batch normalisation with the batch's own statistics (training mode): for every channel along
 * `axis` (default last), y = γ·(x − mean)/√(var + ε) + β, mean and biased variance taken over all
 * the other axes. γ, β are [channels] or null (1 and 0). Returns the output and the statistics
 * (for a layer's moving averages); the gradient flows through the statistics too.
 */
export function batchNormTrain(
  x: Tensor, gamma: Tensor | null, beta: Tensor | null, axis = -1, epsilon = 1e-3,
): { y: Tensor; stats: BatchStatistics } {
  const op = 'batchNorm';
  const { x: input, eps, outer, channels, inner } = checkBatchNormArgs(op, x, axis, epsilon);
  const g = checkOptional(op, 'gamma', gamma, [channels], input.shape);
  const b = checkOptional(op, 'beta', beta, [channels], input.shape);
  const count = outer * inner;
  const xd = input.data;
  // Two passes (mean, then squared deviations) so the variance does not cancel catastrophically.
  const s1 = new Float64Array(channels);
  const s2 = new Float64Array(channels);
  channelSums(xd, outer, channels, inner, null, s1, s2);
  const meanD = new Float64Array(channels);
  for (let c = 0; c < channels; c++) meanD[c] = count > 0 ? s1[c]! / count : 0;
  s1.fill(0);
  s2.fill(0);
  channelSums(xd, outer, channels, inner, meanD, s1, s2);
  const mean = Float32Array.from(meanD);
  const varD = new Float64Array(channels);
  for (let c = 0; c < channels; c++) varD[c] = count > 0 ? s2[c]! / count : 0;
  const variance = Float32Array.from(varD);
  const { invStd, scale, shift } = foldAffine(meanD, varD, eps, g, b);
  const y = alloc(op, input.size);
  channelAffine(xd, null, y, outer, channels, inner, scale, shift, null);
  const inputs = [input, ...(g === null ? [] : [g]), ...(b === null ? [] : [b])];
  const out = record(new Tensor(y, input.shape), op, inputs, (grad) => {
    const dy = grad.data;
    const { dbeta, dgamma } = affineParamGrads(xd, dy, meanD, invStd, outer, channels, inner);
    const grads: Array<Tensor | null> = [];
    if (input.requiresGrad && count > 0) {
      // dx = scale·(dy − dβ/n − x̂·dγ/n), x̂ = (x − mean)·invStd: affine in dy and x per channel.
      const p = new Float64Array(channels);
      const q = new Float64Array(channels);
      const r = new Float64Array(channels);
      for (let c = 0; c < channels; c++) {
        const k = (dgamma[c]! / count) * invStd[c]!;
        p[c] = scale[c]!;
        q[c] = -scale[c]! * k;
        r[c] = scale[c]! * (k * meanD[c]! - dbeta[c]! / count);
      }
      const dx = alloc(op, input.size);
      channelAffine(xd, dy, dx, outer, channels, inner, p, q, r);
      grads.push(new Tensor(dx, input.shape));
    } else {
      grads.push(input.requiresGrad ? new Tensor(alloc(op, 0), input.shape) : null);
    }
    if (g !== null) grads.push(g.requiresGrad ? paramGrad(g, dgamma) : null);
    if (b !== null) grads.push(b.requiresGrad ? paramGrad(b, dbeta) : null);
    return grads;
  });
  return { y: out, stats: { mean, variance, count } };
}

/**
 * Batch normalisation with given statistics (inference mode): y = γ·(x − mean)/√(var + ε) + β per
 * channel along `axis`. `mean` and `variance` are constants ([channels]); gradients flow to x, γ
 * and β (fine-tuning a frozen-statistics network).
 */
export function batchNormInference(
  x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor | null, beta: Tensor | null, axis = -1, epsilon = 1e-3,
): Tensor {
  const op = 'batchNorm';
  const { x: input, eps, outer, channels, inner } = checkBatchNormArgs(op, x, axis, epsilon);
  const m = checkOptional(op, 'mean', mean, [channels], input.shape);
  const v = checkOptional(op, 'variance', variance, [channels], input.shape);
  if (m === null || v === null) throw new ArgumentError(`dendrite.${op}: inference needs mean and variance tensors`);
  const g = checkOptional(op, 'gamma', gamma, [channels], input.shape);
  const b = checkOptional(op, 'beta', beta, [channels], input.shape);
  // y = x·s + t with s = γ·invStd, t = β − mean·s. The statistics are copied: a later training
  // step updating them in place must not change this node's backward.
  const meanD = Float64Array.from(m.data);
  const { invStd, scale: s, shift: t } = foldAffine(meanD, v.data, eps, g, b);
  const xd = input.data;
  const y = alloc(op, input.size);
  channelAffine(xd, null, y, outer, channels, inner, s, t, null);
  const inputs = [input, ...(g === null ? [] : [g]), ...(b === null ? [] : [b])];
  return record(new Tensor(y, input.shape), op, inputs, (grad) => {
    const dy = grad.data;
    const grads: Array<Tensor | null> = [];
    if (input.requiresGrad) {
      const dx = alloc(op, input.size);
      channelAffine(dy, null, dx, outer, channels, inner, s, new Float64Array(channels), null);
      grads.push(new Tensor(dx, input.shape));
    } else {
      grads.push(null);
    }
    if ((g !== null && g.requiresGrad) || (b !== null && b.requiresGrad)) {
      const { dbeta, dgamma } = affineParamGrads(xd, dy, meanD, invStd, outer, channels, inner);
      if (g !== null) grads.push(g.requiresGrad ? paramGrad(g, dgamma) : null);
      if (b !== null) grads.push(b.requiresGrad ? paramGrad(b, dbeta) : null);
    } else {
      if (g !== null) grads.push(null);
      if (b !== null) grads.push(null);
    }
    return grads;
  });
}

/**
 * Layer normalisation over the trailing dimensions `normalizedShape` (as PyTorch's layer_norm):
 * each sample's last values are normalised to zero mean and unit (biased) variance, then scaled
 * by γ and shifted by β (both of shape normalizedShape, or null).
 */
export function layerNorm(
  x: Tensor, normalizedShape: readonly number[], gamma: Tensor | null = null, beta: Tensor | null = null, epsilon = 1e-5,
): Tensor {
  const op = 'layerNorm';
  const input = checkTensor(op, 'x', x);
  if (!Array.isArray(normalizedShape) || normalizedShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ArgumentError(`dendrite.${op}: normalizedShape must be an array of non-negative integers, got ${describe(normalizedShape)}`);
  }
  const k = normalizedShape.length;
  if (k === 0 || k > input.rank || normalizedShape.some((d, i) => d !== input.shape[input.rank - k + i])) {
    throw new ShapeError(
      `dendrite.${op}: normalizedShape ${fmtShape(normalizedShape)} does not match the trailing dimensions of input ${fmtShape(input.shape)}`,
    );
  }
  const eps = checkEpsilon(op, epsilon);
  const g = checkOptional(op, 'gamma', gamma, normalizedShape, input.shape);
  const b = checkOptional(op, 'beta', beta, normalizedShape, input.shape);
  let cols = 1;
  for (const d of normalizedShape) cols *= d;
  const rows = cols === 0 ? 0 : input.size / cols;
  const xd = input.data;
  const gd = g?.data ?? null;
  const bd = b?.data ?? null;
  const y = alloc(op, input.size);
  const meanR = new Float64Array(rows);
  const invR = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += xd[base + j]!;
    const mu = s / cols;
    let q = 0;
    for (let j = 0; j < cols; j++) {
      const d = xd[base + j]! - mu;
      q += d * d;
    }
    const inv = 1 / Math.sqrt(q / cols + eps);
    meanR[r] = mu;
    invR[r] = inv;
    for (let j = 0; j < cols; j++) {
      const xh = (xd[base + j]! - mu) * inv;
      y[base + j] = (gd === null ? xh : gd[j]! * xh) + (bd === null ? 0 : bd[j]!);
    }
  }
  const inputs = [input, ...(g === null ? [] : [g]), ...(b === null ? [] : [b])];
  return record(new Tensor(y, input.shape), op, inputs, (grad) => {
    const dy = grad.data;
    const dgamma = new Float64Array(cols);
    const dbeta = new Float64Array(cols);
    const dx = input.requiresGrad ? alloc(op, input.size) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const mu = meanR[r]!;
      const inv = invR[r]!;
      // With d = dy·γ: dx = invStd·(d − mean(d) − x̂·mean(d·x̂)).
      let sd = 0;
      let sdx = 0;
      for (let j = 0; j < cols; j++) {
        const xh = (xd[base + j]! - mu) * inv;
        const d = dy[base + j]!;
        dgamma[j]! += d * xh;
        dbeta[j]! += d;
        const dh = gd === null ? d : d * gd[j]!;
        sd += dh;
        sdx += dh * xh;
      }
      if (dx !== null) {
        const ma = sd / cols;
        const mb = sdx / cols;
        for (let j = 0; j < cols; j++) {
          const xh = (xd[base + j]! - mu) * inv;
          const dh = gd === null ? dy[base + j]! : dy[base + j]! * gd[j]!;
          dx[base + j] = inv * (dh - ma - xh * mb);
        }
      }
    }
    const grads: Array<Tensor | null> = [dx === null ? null : new Tensor(dx, input.shape)];
    if (g !== null) grads.push(g.requiresGrad ? paramGrad(g, dgamma) : null);
    if (b !== null) grads.push(b.requiresGrad ? paramGrad(b, dbeta) : null);
    return grads;
  });
}
