/**
 * Matrix products. 2-D products call the backend's gemm with transposes instead of copies;
 * batched ones (rank ≥ 3, batch dims broadcast) call gemmBatched, with a stride of 0 for an
 * operand shared by the batch. `linear` is the dense layer's fused x·Wᵀ + b → activation.
 */
import { gradSink, record } from '../autograd.js';
import { getBackend } from '../backend/index.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import {
  type ActivationSpec, backwardFromOutput, derivableFromOutput, resolveActivation,
} from './activation.js';
import { alloc, allocOut, broadcastShapes, checkedSize, sizeOf } from './checks.js';
import { sumToShape } from './reduce.js';
import { reshape } from './shape.js';

/**
 * Batched product of dense buffers: op(A) is m×k, op(B) k×n per matrix; batch shapes broadcast.
 * Returns the output buffer and its batch shape.
 */
function bmmRaw(
  op: string, a: Float32Array, aBatch: readonly number[], transA: boolean,
  b: Float32Array, bBatch: readonly number[], transB: boolean, m: number, n: number, k: number,
): { data: Float32Array; batch: number[] } {
  let batch: number[];
  try {
    batch = broadcastShapes(op, aBatch, bBatch);
  } catch {
    throw new ShapeError(`dendrite.${op}: batch dimensions ${fmtShape(aBatch)} and ${fmtShape(bBatch)} do not broadcast`);
  }
  const nb = sizeOf(batch);
  const out = alloc(op, checkedSize(op, [...batch, m, n]));
  if (out.length === 0 || k === 0) return { data: out, batch };
  const be = getBackend();
  const na = sizeOf(aBatch);
  const nbB = sizeOf(bBatch);
  const sa = m * k;
  const sb = k * n;
  const sc = m * n;
  if (nb === 1) {
    be.gemm(transA, transB, m, n, k, 1, a, b, 0, out);
  } else if (nbB === 1 && !transA) {
    // A's matrices stacked are one (batch·m)×k matrix: one large product.
    be.gemm(false, transB, nb * m, n, k, 1, a, b, 0, out);
  } else if ((na === nb || na === 1) && (nbB === nb || nbB === 1)) {
    be.gemmBatched(nb, transA, transB, m, n, k, 1, a, na === 1 ? 0 : sa, b, nbB === 1 ? 0 : sb, 0, out, sc);
  } else {
    // Both sides broadcast on different axes: loop over the outer batch axes, batch the last.
    const r = batch.length;
    const pa = [...new Array<number>(r - aBatch.length).fill(1), ...aBatch];
    const pb = [...new Array<number>(r - bBatch.length).fill(1), ...bBatch];
    const strideOf = (p: number[], mat: number): number[] => {
      const s = new Array<number>(r);
      let acc = mat;
      for (let i = r - 1; i >= 0; i--) {
        s[i] = p[i] === 1 ? 0 : acc;
        acc *= p[i]!;
      }
      return s;
    };
    const stA = strideOf(pa, sa);
    const stB = strideOf(pb, sb);
    const lastLen = batch[r - 1]!;
    const outerCount = nb / lastLen;
    const idx = new Array<number>(r - 1).fill(0);
    for (let o = 0; o < outerCount; o++) {
      let offA = 0;
      let offB = 0;
      for (let d = 0; d < r - 1; d++) {
        offA += idx[d]! * stA[d]!;
        offB += idx[d]! * stB[d]!;
      }
      be.gemmBatched(
        lastLen, transA, transB, m, n, k, 1, a.subarray(offA), stA[r - 1]!, b.subarray(offB), stB[r - 1]!,
        0, out.subarray(o * lastLen * sc), sc,
      );
      for (let d = r - 2; d >= 0; d--) {
        if (++idx[d]! < batch[d]!) break;
        idx[d] = 0;
      }
    }
  }
  return { data: out, batch };
}

/** Product of operands of rank ≥ 2 (recorded). */
function matmulCore(a: Tensor, b: Tensor, shownA: readonly number[], shownB: readonly number[]): Tensor {
  const m = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const k2 = b.shape[b.rank - 2]!;
  const n = b.shape[b.rank - 1]!;
  if (k !== k2) {
    throw new ShapeError(
      `dendrite.matmul: cannot multiply ${fmtShape(shownA)} by ${fmtShape(shownB)}: inner dimensions ${k} and ${k2} differ`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let res: { data: Float32Array; batch: number[] };
  try {
    res = bmmRaw('matmul', a.data, aBatch, false, b.data, bBatch, false, m, n, k);
  } catch (err) {
    if (err instanceof ShapeError && err.message.includes('batch dimensions')) {
      throw new ShapeError(
        `dendrite.matmul: cannot multiply ${fmtShape(shownA)} by ${fmtShape(shownB)}: batch dimensions ${fmtShape(aBatch)} and ${fmtShape(bBatch)} do not broadcast`,
      );
    }
    throw err;
  }
  const { data, batch } = res;
  const out = new Tensor(data, [...batch, m, n]);
  return record(out, 'matmul', [a, b], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = G·Bᵀ
      const r = bmmRaw('matmul', g.data, batch, false, b.data, bBatch, true, m, k, n);
      ga = sumToShape(new Tensor(r.data, [...r.batch, m, k]), a.shape);
    }
    if (b.requiresGrad) {
      if (sizeOf(bBatch) === 1 && sizeOf(aBatch) === sizeOf(batch)) {
        // dB = Aᵀ·G summed over the batch: one product over the stacked rows.
        const d = alloc('matmul', k * n);
        const rows = sizeOf(batch) * m;
        if (d.length > 0 && rows > 0) getBackend().gemm(true, false, k, n, rows, 1, a.data, g.data, 0, d);
        gb = new Tensor(d, b.shape);
      } else {
        const r = bmmRaw('matmul', a.data, aBatch, true, g.data, batch, false, k, n, m);
        gb = sumToShape(new Tensor(r.data, [...r.batch, k, n]), b.shape);
      }
    }
    return [ga, gb];
  });
}

/**
 * Matrix product with NumPy/PyTorch semantics: 1-D·1-D is a dot product (rank 0), a 1-D left
 * operand is a row vector and a 1-D right one a column vector (the added axis is removed again),
 * 2-D·2-D is a matrix product, and rank ≥ 3 multiplies stacks of matrices, broadcasting the batch
 * dimensions.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor)) throw new ArgumentError(`dendrite.matmul: a must be a Tensor, got ${describe(a)}`);
  if (!(b instanceof Tensor)) throw new ArgumentError(`dendrite.matmul: b must be a Tensor, got ${describe(b)}`);
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(
      `dendrite.matmul: both operands need at least one dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (use mul for scalars)`,
    );
  }
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const out = matmulCore(a2, b2, a.shape, b.shape);
  if (a.rank > 1 && b.rank > 1) return out;
  const s = out.shape.slice();
  if (b.rank === 1) s.pop();
  if (a.rank === 1) s.splice(b.rank === 1 ? s.length - 1 : s.length - 2, 1);
  return reshape(out, s);
}

/**
 * The dense layer's forward pass, fused: activation(x·Wᵀ + b) with W of shape [out, in] (as
 * torch.nn.functional.linear), b of shape [out] or omitted, and x of shape [..., in]. Runs as one
 * backend gemmBiasAct call; the backward pass works from the saved output (for silu and gelu,
 * whose derivative needs the input, the pre-activation is kept instead).
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null, activation?: ActivationSpec | null): Tensor {
  return affine('linear', x, w, b, activation, true);
}

/**
 * The same fused op with the kernel in Keras' layout: activation(x·W + b) with W of shape
 * [in, out] (what the Dense layer stores).
 */
export function dense(x: Tensor, kernel: Tensor, b?: Tensor | null, activation?: ActivationSpec | null): Tensor {
  return affine('dense', x, kernel, b, activation, false);
}

function affine(
  op: string, x: Tensor, w: Tensor, b: Tensor | null | undefined, activation: ActivationSpec | null | undefined,
  outIn: boolean,
): Tensor {
  const wName = outIn ? 'w' : 'kernel';
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: x must be a Tensor, got ${describe(x)}`);
  if (!(w instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: ${wName} must be a Tensor, got ${describe(w)}`);
  if (b !== undefined && b !== null && !(b instanceof Tensor)) {
    throw new ArgumentError(`dendrite.${op}: b must be a Tensor, null or undefined, got ${describe(b)}`);
  }
  const bias = b ?? null;
  const layout = outIn ? '[out, in]' : '[in, out]';
  if (w.rank !== 2) throw new ShapeError(`dendrite.${op}: weight must be 2-D ${layout}, got ${fmtShape(w.shape)}`);
  const outF = outIn ? w.shape[0]! : w.shape[1]!;
  const inF = outIn ? w.shape[1]! : w.shape[0]!;
  if (x.rank === 0 || x.shape[x.rank - 1] !== inF) {
    throw new ShapeError(
      `dendrite.${op}: input ${fmtShape(x.shape)} does not match weight ${fmtShape(w.shape)}: expected last dimension ${inF}`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`dendrite.${op}: bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(w.shape)}: expected [${outF}]`);
  }
  const { act, alpha } = resolveActivation(op, activation);
  const rows = inF === 0 ? sizeOf(x.shape.slice(0, -1)) : x.size / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const be = getBackend();
  const fused = derivableFromOutput(act, alpha);
  // gemmBiasAct writes every output element (bias or 0 when inF is 0).
  const y = allocOut(op, checkedSize(op, outShape));
  let z: Float32Array | null = null;
  if (y.length > 0) {
    if (fused) {
      be.gemmBiasAct(false, outIn, rows, outF, inF, x.data, w.data, bias?.data ?? null, act, alpha, y);
    } else {
      z = allocOut(op, y.length);
      be.gemmBiasAct(false, outIn, rows, outF, inF, x.data, w.data, bias?.data ?? null, 'identity', 0, z);
      be.activation(act, z, y, alpha);
    }
  }
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record(new Tensor(y, outShape), op, inputs, (g) => {
    let dz: Float32Array;
    if (y.length === 0) dz = new Float32Array(0);
    else if (z === null) dz = backwardFromOutput(act, alpha, y, g.data);
    else {
      dz = allocOut(op, y.length);
      be.activationBackward(act, z, y, g.data, dz, alpha);
    }
    const grads: Array<Tensor | null> = [null, null, null];
    if (x.requiresGrad) {
      const dx = outF > 0 ? allocOut(op, x.size) : alloc(op, x.size);
      if (dx.length > 0 && outF > 0) be.gemm(false, !outIn, rows, inF, outF, 1, dz, w.data, 0, dx);
      grads[0] = new Tensor(dx, x.shape);
    }
    if (w.requiresGrad) {
      // Written straight into the weight's .grad when it is a leaf (no per-step allocation).
      const sink = gradSink(w);
      const dw = sink?.data ?? alloc(op, w.size);
      const beta = sink?.beta ?? 0;
      if (dw.length > 0) {
        if (rows === 0) {
          if (beta === 0) dw.fill(0);
        } else if (outIn) be.gemm(true, false, outF, inF, rows, 1, dz, x.data, beta, dw);
        else be.gemm(true, false, inF, outF, rows, 1, x.data, dz, beta, dw);
      }
      if (sink === null) grads[1] = new Tensor(dw, w.shape);
    }
    if (bias !== null && bias.requiresGrad) {
      const sink = gradSink(bias);
      if (sink === null || sink.beta === 0) {
        const db = sink?.data ?? alloc(op, outF);
        if (rows > 0) be.reduce('sum', dz, 1, rows, outF, db, 0);
        else db.fill(0);
        if (sink === null) grads[2] = new Tensor(db, bias.shape);
      } else {
        const db = alloc(op, outF);
        if (rows > 0) be.reduce('sum', dz, 1, rows, outF, db, 0);
        const acc = sink.data;
        for (let i = 0; i < outF; i++) acc[i]! += db[i]!;
      }
    }
    return grads;
  });
}
