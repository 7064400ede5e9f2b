/**
 * Recurrent sequence ops: SimpleRNN, LSTM and GRU over a whole sequence, each one graph node with
 * its backpropagation through time written by hand beside the forward pass.
 *
 * The input projection x·W + b of every time step is computed before (one GEMM, the `dense` op)
 * and passed in as `xw` [batch, time, gates·units]. Each step then costs one
 * [batch, units]·[units, gates·units] GEMM plus one pass of gate arithmetic; the backward pass
 * runs the steps in reverse and forms the recurrent kernel's gradient with one GEMM over all
 * steps at the end. Whole-sequence nodes avoid the per-step slice/stack copies whose gradients
 * would each cost a full-sequence buffer (quadratic in the sequence length).
 *
 * Layouts follow Keras so its weights map 1:1: LSTM gates i, f, c, o; GRU gates z, r, h.
 * Internally the steps are time-major (each step's rows contiguous for the GEMM); inputs and
 * outputs are batch-major.
 */
import { gradSink, record } from '../autograd.js';
import { getBackend } from '../backend/index.js';
import type { ActivationName, Backend } from '../backend/backend.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { type ActivationSpec, resolveActivation } from './activation.js';
import { alloc, checkedSize } from './checks.js';
import { copyStrided } from './copy.js';

/** Options shared by the sequence ops. */
export interface RecurrentOptions {
  /** Activation of the candidate/cell (and SimpleRNN's output); default 'tanh'. */
  activation?: ActivationSpec;
  /** Gate activation (LSTM, GRU); default 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
  /** Process the sequence from its last step to its first; outputs are in processing order. */
  goBackwards?: boolean;
}

/** GRU options: Keras 2's resetAfter (default true) applies the reset gate after the matmul. */
export interface GruOptions extends RecurrentOptions {
  resetAfter?: boolean;
}

interface Act {
  act: ActivationName;
  alpha: number;
}

/** Sizes of one sequence op call, validated. */
interface Dims {
  batch: number;
  time: number;
  units: number;
}

function checkTensorArg(op: string, name: string, t: unknown, optional: boolean): Tensor | null {
  if (t === undefined || t === null) {
    if (optional) return null;
    throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor, got ${describe(t)}`);
  }
  if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: ${name} must be a Tensor, got ${describe(t)}`);
  return t;
}

/** Checks xw [batch, time, gates·u] against the recurrent kernel [u, gates·u]. */
function checkDims(op: string, xw: Tensor, kernel: Tensor, gates: number): Dims {
  if (kernel.rank !== 2 || kernel.shape[1] !== gates * kernel.shape[0]!) {
    throw new ShapeError(
      `dendrite.${op}: recurrentKernel must be [units, ${gates}·units], got ${fmtShape(kernel.shape)}`,
    );
  }
  const units = kernel.shape[0]!;
  if (xw.rank !== 3 || xw.shape[2] !== gates * units) {
    throw new ShapeError(
      `dendrite.${op}: xw must be [batch, time, ${gates * units}] for recurrentKernel ${fmtShape(kernel.shape)}, got ${fmtShape(xw.shape)}`,
    );
  }
  const batch = xw.shape[0]!;
  const time = xw.shape[1]!;
  if (time === 0) throw new ShapeError(`dendrite.${op}: the sequence needs at least one time step, got xw ${fmtShape(xw.shape)}`);
  return { batch, time, units };
}

function checkState(op: string, name: string, s: Tensor | null, d: Dims): void {
  if (s !== null && (s.rank !== 2 || s.shape[0] !== d.batch || s.shape[1] !== d.units)) {
    throw new ShapeError(
      `dendrite.${op}: ${name} must be [batch, units] = [${d.batch}, ${d.units}], got ${fmtShape(s.shape)}`,
    );
  }
}

/** Copies step t of xw [B, T, W] (rows strided by T·W) into dst [B, W]. */
function gatherStep(xw: Float32Array, d: Dims, w: number, t: number, dst: Float32Array): void {
  if (d.batch * w > 0) copyStrided(xw.subarray(t * w), [d.batch, w], [d.time * w, 1], dst);
}

/** Writes src [B, W] into step t of dxw [B, T, W]. */
function scatterStep(src: Float32Array, d: Dims, w: number, t: number, dxw: Float32Array): void {
  if (d.batch * w > 0) copyStrided(src, [d.batch, w], [w, 1], dxw.subarray(t * w), [d.time * w, 1]);
}

/** [T, B, u] time-major → [B, T, u] batch-major. */
function toBatchMajor(tm: Float32Array, d: Dims, out: Float32Array): void {
  const { batch: B, time: T, units: u } = d;
  if (B * T * u > 0) copyStrided(tm, [B, T, u], [u, B * u, 1], out);
}

/** [B, T, u] batch-major → a new [T, B, u] time-major buffer. */
function toTimeMajor(bm: Float32Array, d: Dims): Float32Array {
  const { batch: B, time: T, units: u } = d;
  const out = new Float32Array(T * B * u);
  if (B * T * u > 0) copyStrided(bm, [T, B, u], [u, T * u, 1], out);
  return out;
}

/** Every step's h of hAll [T + 1, B, u] (h0 first) as the op's output [B, T, u]. */
function hiddenSequence(op: string, hAll: Float32Array, d: Dims): Tensor {
  const { batch: B, time: T, units: u } = d;
  const y = alloc(op, T * B * u);
  toBatchMajor(hAll.subarray(B * u), d, y);
  return new Tensor(y, [B, T, u]);
}

/**
 * Gradient of xw [B, T, w] from each processing step's gradient [B, w] (`stepGrad(s)`, read
 * before the next call), put back at its time step; null when xw needs none.
 */
function inputGrad(
  xw: Tensor, d: Dims, w: number, rev: boolean, stepGrad: (s: number) => Float32Array,
): Tensor | null {
  if (!xw.requiresGrad) return null;
  const T = d.time;
  const dx = new Float32Array(xw.size);
  for (let s = 0; s < T; s++) scatterStep(stepGrad(s), d, w, rev ? T - 1 - s : s, dx);
  return new Tensor(dx, xw.shape);
}

/** The gradient `ds` of an initial state, when that state was given and needs one. */
function stateGrad(s0: Tensor | null, ds: Float32Array): Tensor | null {
  return s0?.requiresGrad === true ? new Tensor(ds, s0.shape) : null;
}

/** Step s's block of `n` elements. */
function step(buf: Float32Array, s: number, n: number): Float32Array {
  return buf.subarray(s * n, (s + 1) * n);
}

/**
 * Gradient of weight `w` [rows, cols] = Aᵀ·G over `k` stacked rows, written into w's .grad when
 * it is a leaf (gradSink), else returned.
 */
function weightGrad(be: Backend, w: Tensor, a: Float32Array, g: Float32Array, k: number): Tensor | null {
  const rows = w.shape[0]!;
  const cols = w.shape[1]!;
  const sink = gradSink(w);
  const dst = sink?.data ?? new Float32Array(w.size);
  const beta = sink?.beta ?? 0;
  if (dst.length > 0) {
    if (k > 0) be.gemm(true, false, rows, cols, k, 1, a, g, beta, dst);
    else if (beta === 0) dst.fill(0);
  }
  return sink === null ? new Tensor(dst, w.shape) : null;
}

/** Column sums of g [k, n] into bias b's gradient (sink or returned). */
function biasGrad(be: Backend, b: Tensor, g: Float32Array, k: number): Tensor | null {
  const n = b.size;
  const sums = new Float32Array(n);
  if (k > 0 && n > 0) be.reduce('sum', g, 1, k, n, sums, 0);
  const sink = gradSink(b);
  if (sink === null) return new Tensor(sums, b.shape);
  if (sink.beta === 0) sink.data.set(sums);
  else for (let i = 0; i < n; i++) sink.data[i]! += sums[i]!;
  return null;
}

/**
 * The last part of a GRU step, gates z, r, h in rows of G = 3u: stores ĥ (from `cand`, the
 * activated candidate) in a's h block for the backward pass and sets h = z·h_{t−1} + (1 − z)·ĥ.
 */
function gruBlend(cand: Float32Array, a: Float32Array, hp: Float32Array, h: Float32Array, B: number, u: number): void {
  const G = 3 * u;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    const hr = b * u;
    for (let j = 0; j < u; j++) {
      const hh = cand[row + 2 * u + j]!;
      a[row + 2 * u + j] = hh;
      const zg = a[row + j]!;
      h[hr + j] = zg * hp[hr + j]! + (1 - zg) * hh;
    }
  }
}

/**
 * Backward of gruBlend for the step's total h gradient dh + gs: writes ∂z and ∂ĥ into da's
 * z and h blocks and the part of h_{t−1}'s gradient that flows through z·h_{t−1} into `direct`.
 */
function gruBlendBackward(
  dh: Float32Array, gs: Float32Array, a: Float32Array, hp: Float32Array, da: Float32Array, direct: Float32Array,
  B: number, u: number,
): void {
  const G = 3 * u;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    const hr = b * u;
    for (let j = 0; j < u; j++) {
      const k = hr + j;
      const dhk = dh[k]! + gs[k]!;
      const zg = a[row + j]!;
      da[row + j] = dhk * (hp[k]! - a[row + 2 * u + j]!);
      da[row + 2 * u + j] = dhk * (1 - zg);
      direct[k] = dhk * zg;
    }
  }
}

function actOf(op: string, spec: ActivationSpec | undefined, fallback: ActivationName): Act {
  return spec === undefined ? { act: fallback, alpha: 0 } : resolveActivation(op, spec);
}

function optionsOf(op: string, options: unknown): RecurrentOptions & { resetAfter?: boolean } {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`dendrite.${op}: options must be an object, got ${describe(options)}`);
  }
  return options as RecurrentOptions;
}

/**
 * Checks the arguments of a sequence op in a fixed order: xw, the recurrent kernel, h0, the op's
 * own optional tensor (`extra`: LSTM's c0, GRU's recurrentBias), the options, the sizes, then
 * the initial states against the sizes.
 */
function checkSequenceArgs(
  op: string, gates: number, xw: Tensor, recurrentKernel: Tensor, h0: unknown, options: unknown,
  extra?: { name: string; value: unknown; isState: boolean },
): { h0t: Tensor | null; extraT: Tensor | null; opts: GruOptions; d: Dims } {
  checkTensorArg(op, 'xw', xw, false);
  checkTensorArg(op, 'recurrentKernel', recurrentKernel, false);
  const h0t = checkTensorArg(op, 'h0', h0, true);
  const extraT = extra === undefined ? null : checkTensorArg(op, extra.name, extra.value, true);
  const opts = optionsOf(op, options);
  const d = checkDims(op, xw, recurrentKernel, gates);
  checkState(op, 'h0', h0t, d);
  if (extra?.isState === true) checkState(op, extra.name, extraT, d);
  return { h0t, extraT, opts, d };
}

/** Activations, direction and sizes of a gated op: N = B·u, G = gates·u, M = B·G. */
function gatedSetup(op: string, opts: RecurrentOptions, d: Dims, gates: number): {
  fa: Act; ra: Act; rev: boolean; B: number; T: number; u: number; N: number; G: number; M: number; be: Backend;
} {
  const fa = actOf(op, opts.activation, 'tanh');
  const ra = actOf(op, opts.recurrentActivation, 'sigmoid');
  const { batch: B, time: T, units: u } = d;
  return {
    fa, ra, rev: opts.goBackwards === true, B, T, u, N: B * u, G: gates * u, M: B * gates * u, be: getBackend(),
  };
}

/** A state buffer [T + 1, B, u] whose first step holds `s0` (zeros when null). */
function stateBuffer(op: string, s0: Tensor | null, d: Dims): Float32Array {
  const buf = alloc(op, checkedSize(op, [d.time + 1, d.batch, d.units]));
  if (s0 !== null) buf.set(s0.data);
  return buf;
}

/** Records the op over the present inputs; `grads` returns one entry per present input. */
function recordSeq(
  op: string, out: Tensor, inputs: (Tensor | null)[], backward: (g: Tensor) => (Tensor | null)[],
): Tensor {
  const present = inputs.filter((t): t is Tensor => t !== null);
  return record(out, op, present, (g) => {
    const all = backward(g);
    const res: (Tensor | null)[] = [];
    inputs.forEach((t, i) => {
      if (t !== null) res.push(all[i] ?? null);
    });
    return res;
  });
}

/**
 * SimpleRNN over a sequence: h_t = act(xw_t + h_{t−1}·U). `xw` [batch, time, u] is the input
 * projection (bias included), `recurrentKernel` U [u, u], `h0` [batch, u] (zeros when omitted).
 * Returns every step's h, [batch, time, u].
 */
export function simpleRnnSequence(
  xw: Tensor, recurrentKernel: Tensor, h0?: Tensor | null, options?: RecurrentOptions,
): Tensor {
  const op = 'simpleRnnSequence';
  const { h0t, opts, d } = checkSequenceArgs(op, 1, xw, recurrentKernel, h0, options);
  const { act, alpha } = actOf(op, opts.activation, 'tanh');
  const rev = opts.goBackwards === true;
  const { batch: B, time: T, units: u } = d;
  const N = B * u;
  const be = getBackend();
  const U = recurrentKernel.data;
  const hAll = stateBuffer(op, h0t, d);
  const pre = alloc(op, T * N);
  for (let s = 0; s < T && N > 0; s++) {
    const t = rev ? T - 1 - s : s;
    const p = step(pre, s, N);
    gatherStep(xw.data, d, u, t, p);
    be.gemm(false, false, B, u, u, 1, step(hAll, s, N), U, 1, p);
    be.activation(act, p, step(hAll, s + 1, N), alpha);
  }
  return recordSeq(op, hiddenSequence(op, hAll, d), [xw, recurrentKernel, h0t], (g) => {
    const gTm = toTimeMajor(g.data, d);
    const dPre = new Float32Array(T * N);
    const dh = new Float32Array(N);
    for (let s = T - 1; s >= 0 && N > 0; s--) {
      const gs = step(gTm, s, N);
      for (let k = 0; k < N; k++) dh[k]! += gs[k]!;
      const dp = step(dPre, s, N);
      be.activationBackward(act, step(pre, s, N), step(hAll, s + 1, N), dh, dp, alpha);
      be.gemm(false, true, B, u, u, 1, dp, U, 0, dh);
    }
    const dxw = inputGrad(xw, d, u, rev, (s) => step(dPre, s, N));
    const dU = recurrentKernel.requiresGrad ? weightGrad(be, recurrentKernel, hAll, dPre, T * B) : null;
    return [dxw, dU, stateGrad(h0t, dh)];
  });
}

/**
 * LSTM over a sequence (Keras semantics): z = xw_t + h_{t−1}·U split into gates i, f, c, o;
 * i, f, o = recurrentActivation(·), g = activation(z_c); c_t = f·c_{t−1} + i·g;
 * h_t = o·activation(c_t). `xw` [batch, time, 4u] includes the bias; U is [u, 4u]; h0 and c0
 * [batch, u] default to zeros. Returns [2, batch, time, u]: every step's h, then every step's c.
 */
export function lstmSequence(
  xw: Tensor, recurrentKernel: Tensor, h0?: Tensor | null, c0?: Tensor | null, options?: RecurrentOptions,
): Tensor {
  const op = 'lstmSequence';
  const { h0t, extraT: c0t, opts, d } = checkSequenceArgs(
    op, 4, xw, recurrentKernel, h0, options, { name: 'c0', value: c0, isState: true },
  );
  const { fa, ra, rev, B, T, u, N, G, M, be } = gatedSetup(op, opts, d, 4);
  const U = recurrentKernel.data;
  const hAll = stateBuffer(op, h0t, d);
  const cAll = stateBuffer(op, c0t, d);
  const zAll = alloc(op, checkedSize(op, [T, B, G]));
  // Gate activations: i, f, o through recurrentActivation, the candidate g through activation.
  const aAll = alloc(op, T * M);
  const actC = alloc(op, T * N);
  const scratch = alloc(op, M);
  for (let s = 0; s < T && N > 0; s++) {
    const t = rev ? T - 1 - s : s;
    const z = step(zAll, s, M);
    const a = step(aAll, s, M);
    gatherStep(xw.data, d, G, t, z);
    be.gemm(false, false, B, G, u, 1, step(hAll, s, N), U, 1, z);
    be.activation(ra.act, z, a, ra.alpha);
    be.activation(fa.act, z, scratch, fa.alpha);
    const cp = step(cAll, s, N);
    const c = step(cAll, s + 1, N);
    for (let b = 0; b < B; b++) {
      const row = b * G;
      const hr = b * u;
      for (let j = 0; j < u; j++) {
        const gi = row + 2 * u + j;
        const g = scratch[gi]!;
        a[gi] = g;
        c[hr + j] = a[row + u + j]! * cp[hr + j]! + a[row + j]! * g;
      }
    }
    const ac = step(actC, s, N);
    be.activation(fa.act, c, ac, fa.alpha);
    const h = step(hAll, s + 1, N);
    for (let b = 0; b < B; b++) {
      const row = b * G + 3 * u;
      const hr = b * u;
      for (let j = 0; j < u; j++) h[hr + j] = a[row + j]! * ac[hr + j]!;
    }
  }
  const half = T * N;
  const y = alloc(op, 2 * half);
  toBatchMajor(hAll.subarray(N), d, y.subarray(0, half));
  toBatchMajor(cAll.subarray(N), d, y.subarray(half));
  return recordSeq(op, new Tensor(y, [2, B, T, u]), [xw, recurrentKernel, h0t, c0t], (g) => {
    const gH = toTimeMajor(g.data.subarray(0, half), d);
    const gC = toTimeMajor(g.data.subarray(half), d);
    const dzAll = new Float32Array(T * M);
    const dh = new Float32Array(N);
    const dc = new Float32Array(N);
    const t1 = new Float32Array(N);
    const t2 = new Float32Array(N);
    const da = new Float32Array(M);
    for (let s = T - 1; s >= 0 && N > 0; s--) {
      const gh = step(gH, s, N);
      const gc = step(gC, s, N);
      const a = step(aAll, s, M);
      const ac = step(actC, s, N);
      for (let k = 0; k < N; k++) {
        dh[k]! += gh[k]!;
        dc[k]! += gc[k]!;
      }
      for (let b = 0; b < B; b++) {
        const row = b * G + 3 * u;
        const hr = b * u;
        for (let j = 0; j < u; j++) t1[hr + j] = dh[hr + j]! * a[row + j]!;
      }
      // dc += dh·o·activation'(c_t)
      be.activationBackward(fa.act, step(cAll, s + 1, N), ac, t1, t2, fa.alpha);
      const cp = step(cAll, s, N);
      for (let b = 0; b < B; b++) {
        const row = b * G;
        const hr = b * u;
        for (let j = 0; j < u; j++) {
          const k = hr + j;
          const dck = dc[k]! + t2[k]!;
          da[row + j] = dck * a[row + 2 * u + j]!;
          da[row + u + j] = dck * cp[k]!;
          da[row + 2 * u + j] = dck * a[row + j]!;
          da[row + 3 * u + j] = dh[k]! * ac[k]!;
          dc[k] = dck * a[row + u + j]!;
        }
      }
      const z = step(zAll, s, M);
      const dz = step(dzAll, s, M);
      be.activationBackward(ra.act, z, a, da, dz, ra.alpha);
      be.activationBackward(fa.act, z, a, da, scratch, fa.alpha);
      for (let b = 0; b < B; b++) {
        const row = b * G + 2 * u;
        for (let j = 0; j < u; j++) dz[row + j] = scratch[row + j]!;
      }
      be.gemm(false, true, B, u, G, 1, dz, U, 0, dh);
    }
    const dxw = inputGrad(xw, d, G, rev, (s) => step(dzAll, s, M));
    const dU = recurrentKernel.requiresGrad ? weightGrad(be, recurrentKernel, hAll, dzAll, T * B) : null;
    return [dxw, dU, stateGrad(h0t, dh), stateGrad(c0t, dc)];
  });
}

/**
 * GRU over a sequence (Keras semantics), gates z, r, h. `xw` [batch, time, 3u] is x·W plus the
 * input bias; U is [u, 3u]; h0 [batch, u] defaults to zeros. h_t = z·h_{t−1} + (1 − z)·ĥ with
 * z, r = recurrentActivation(·) and ĥ = activation(·).
 * - resetAfter (default, Keras 2): the recurrent product R = h_{t−1}·U + recurrentBias is formed
 *   first and the reset gate applied after it: ĥ = act(xw_h + r·R_h).
 * - resetAfter false: ĥ = act(xw_h + (r·h_{t−1})·U_h); recurrentBias must be omitted (the one
 *   bias is in xw).
 * Returns every step's h, [batch, time, u].
 */
export function gruSequence(
  xw: Tensor, recurrentKernel: Tensor, h0?: Tensor | null, recurrentBias?: Tensor | null, options?: GruOptions,
): Tensor {
  const op = 'gruSequence';
  const { h0t, extraT: rb, opts, d } = checkSequenceArgs(
    op, 3, xw, recurrentKernel, h0, options, { name: 'recurrentBias', value: recurrentBias, isState: false },
  );
  const resetAfter = opts.resetAfter !== false;
  if (rb !== null) {
    if (!resetAfter) throw new ArgumentError(`dendrite.${op}: recurrentBias is only used with resetAfter`);
    if (rb.rank !== 1 || rb.shape[0] !== 3 * d.units) {
      throw new ShapeError(`dendrite.${op}: recurrentBias must be [${3 * d.units}], got ${fmtShape(rb.shape)}`);
    }
  }
  return resetAfter ? gruResetAfter(op, xw, recurrentKernel, h0t, rb, opts, d) : gruResetBefore(op, xw, recurrentKernel, h0t, opts, d);
}

function gruResetAfter(
  op: string, xw: Tensor, recurrentKernel: Tensor, h0t: Tensor | null, rb: Tensor | null, opts: GruOptions, d: Dims,
): Tensor {
  const { fa, ra, rev, B, T, u, N, G, M, be } = gatedSetup(op, opts, d, 3);
  const U = recurrentKernel.data;
  const hAll = stateBuffer(op, h0t, d);
  const pAll = alloc(op, checkedSize(op, [T, B, G]));
  const aAll = alloc(op, T * M);
  const rAll = alloc(op, T * M);
  const scratch = alloc(op, M);
  for (let s = 0; s < T && N > 0; s++) {
    const t = rev ? T - 1 - s : s;
    const p = step(pAll, s, M);
    const a = step(aAll, s, M);
    const r = step(rAll, s, M);
    const hp = step(hAll, s, N);
    gatherStep(xw.data, d, G, t, p);
    if (rb !== null) for (let b = 0; b < B; b++) r.set(rb.data, b * G);
    be.gemm(false, false, B, G, u, 1, hp, U, rb !== null ? 1 : 0, r);
    for (let b = 0; b < B; b++) {
      const row = b * G;
      for (let j = 0; j < 2 * u; j++) p[row + j]! += r[row + j]!;
    }
    be.activation(ra.act, p, a, ra.alpha);
    for (let b = 0; b < B; b++) {
      const row = b * G;
      for (let j = 0; j < u; j++) p[row + 2 * u + j]! += a[row + u + j]! * r[row + 2 * u + j]!;
    }
    be.activation(fa.act, p, scratch, fa.alpha);
    gruBlend(scratch, a, hp, step(hAll, s + 1, N), B, u);
  }
  return recordSeq(op, hiddenSequence(op, hAll, d), [xw, recurrentKernel, h0t, rb], (g) => {
    const gTm = toTimeMajor(g.data, d);
    const dxAll = new Float32Array(T * M);
    const drAll = new Float32Array(T * M);
    const dh = new Float32Array(N);
    const direct = new Float32Array(N);
    const da = new Float32Array(M);
    for (let s = T - 1; s >= 0 && N > 0; s--) {
      const gs = step(gTm, s, N);
      const a = step(aAll, s, M);
      const p = step(pAll, s, M);
      const r = step(rAll, s, M);
      const hp = step(hAll, s, N);
      const dx = step(dxAll, s, M);
      const dr = step(drAll, s, M);
      gruBlendBackward(dh, gs, a, hp, da, direct, B, u);
      be.activationBackward(fa.act, p, a, da, scratch, fa.alpha);
      for (let b = 0; b < B; b++) {
        const row = b * G;
        for (let j = 0; j < u; j++) {
          const i = row + 2 * u + j;
          const dph = scratch[i]!;
          dx[i] = dph;
          dr[i] = dph * a[row + u + j]!;
          da[row + u + j] = dph * r[i]!;
        }
      }
      be.activationBackward(ra.act, p, a, da, scratch, ra.alpha);
      for (let b = 0; b < B; b++) {
        const row = b * G;
        for (let j = 0; j < 2 * u; j++) {
          const v = scratch[row + j]!;
          dx[row + j] = v;
          dr[row + j] = v;
        }
      }
      dh.set(direct);
      be.gemm(false, true, B, u, G, 1, dr, U, 1, dh);
    }
    const dxw = inputGrad(xw, d, G, rev, (s) => step(dxAll, s, M));
    const dU = recurrentKernel.requiresGrad ? weightGrad(be, recurrentKernel, hAll, drAll, T * B) : null;
    const drb = rb?.requiresGrad === true ? biasGrad(be, rb, drAll, T * B) : null;
    return [dxw, dU, stateGrad(h0t, dh), drb];
  });
}

function gruResetBefore(
  op: string, xw: Tensor, recurrentKernel: Tensor, h0t: Tensor | null, opts: GruOptions, d: Dims,
): Tensor {
  const { fa, ra, rev, B, T, u, N, G, M, be } = gatedSetup(op, opts, d, 3);
  // U split into its z|r columns [u, 2u] and its h columns [u, u], so each is a plain GEMM operand.
  const uzr = alloc(op, 2 * u * u);
  const uh = alloc(op, u * u);
  const U = recurrentKernel.data;
  for (let i = 0; i < u; i++) {
    uzr.set(U.subarray(i * G, i * G + 2 * u), i * 2 * u);
    uh.set(U.subarray(i * G + 2 * u, (i + 1) * G), i * u);
  }
  const hAll = stateBuffer(op, h0t, d);
  const pAll = alloc(op, checkedSize(op, [T, B, G]));
  const aAll = alloc(op, T * M);
  const rhAll = alloc(op, T * N);
  const zr = alloc(op, 2 * N);
  const hm = alloc(op, N);
  const scratch = alloc(op, M);
  for (let s = 0; s < T && N > 0; s++) {
    const t = rev ? T - 1 - s : s;
    const p = step(pAll, s, M);
    const a = step(aAll, s, M);
    const hp = step(hAll, s, N);
    const rh = step(rhAll, s, N);
    gatherStep(xw.data, d, G, t, p);
    be.gemm(false, false, B, 2 * u, u, 1, hp, uzr, 0, zr);
    for (let b = 0; b < B; b++) {
      const row = b * G;
      const zrow = b * 2 * u;
      for (let j = 0; j < 2 * u; j++) p[row + j]! += zr[zrow + j]!;
    }
    be.activation(ra.act, p, a, ra.alpha);
    for (let b = 0; b < B; b++) {
      const row = b * G + u;
      const hr = b * u;
      for (let j = 0; j < u; j++) rh[hr + j] = a[row + j]! * hp[hr + j]!;
    }
    be.gemm(false, false, B, u, u, 1, rh, uh, 0, hm);
    for (let b = 0; b < B; b++) {
      const row = b * G + 2 * u;
      const hr = b * u;
      for (let j = 0; j < u; j++) p[row + j]! += hm[hr + j]!;
    }
    be.activation(fa.act, p, scratch, fa.alpha);
    gruBlend(scratch, a, hp, step(hAll, s + 1, N), B, u);
  }
  return recordSeq(op, hiddenSequence(op, hAll, d), [xw, recurrentKernel, h0t], (g) => {
    const gTm = toTimeMajor(g.data, d);
    const dzrAll = new Float32Array(T * 2 * N);
    const dphAll = new Float32Array(T * N);
    const dh = new Float32Array(N);
    const direct = new Float32Array(N);
    const drh = new Float32Array(N);
    const da = new Float32Array(M);
    for (let s = T - 1; s >= 0 && N > 0; s--) {
      const gs = step(gTm, s, N);
      const a = step(aAll, s, M);
      const p = step(pAll, s, M);
      const hp = step(hAll, s, N);
      const dzr = step(dzrAll, s, 2 * N);
      const dph = step(dphAll, s, N);
      gruBlendBackward(dh, gs, a, hp, da, direct, B, u);
      be.activationBackward(fa.act, p, a, da, scratch, fa.alpha);
      for (let b = 0; b < B; b++) {
        const row = b * G + 2 * u;
        const hr = b * u;
        for (let j = 0; j < u; j++) dph[hr + j] = scratch[row + j]!;
      }
      be.gemm(false, true, B, u, u, 1, dph, uh, 0, drh);
      for (let b = 0; b < B; b++) {
        const row = b * G + u;
        const hr = b * u;
        for (let j = 0; j < u; j++) {
          const k = hr + j;
          da[row + j] = drh[k]! * hp[k]!;
          direct[k]! += drh[k]! * a[row + j]!;
        }
      }
      be.activationBackward(ra.act, p, a, da, scratch, ra.alpha);
      for (let b = 0; b < B; b++) {
        const row = b * G;
        const zrow = b * 2 * u;
        for (let j = 0; j < 2 * u; j++) dzr[zrow + j] = scratch[row + j]!;
      }
      dh.set(direct);
      be.gemm(false, true, B, u, 2 * u, 1, dzr, uzr, 1, dh);
    }
    // Each step's z|r and h gradients, joined into one [B, G] row block.
    const full = new Float32Array(xw.requiresGrad ? M : 0);
    const dxw = inputGrad(xw, d, G, rev, (s) => {
      const dzr = step(dzrAll, s, 2 * N);
      const dph = step(dphAll, s, N);
      for (let b = 0; b < B; b++) {
        full.set(dzr.subarray(b * 2 * u, (b + 1) * 2 * u), b * G);
        full.set(dph.subarray(b * u, (b + 1) * u), b * G + 2 * u);
      }
      return full;
    });
    let dU: Tensor | null = null;
    if (recurrentKernel.requiresGrad) {
      const k = T * B;
      const dUzr = new Float32Array(2 * u * u);
      const dUh = new Float32Array(u * u);
      if (k > 0 && u > 0) {
        be.gemm(true, false, u, 2 * u, k, 1, hAll, dzrAll, 0, dUzr);
        be.gemm(true, false, u, u, k, 1, rhAll, dphAll, 0, dUh);
      }
      const sink = gradSink(recurrentKernel);
      const dst = sink?.data ?? new Float32Array(recurrentKernel.size);
      const add = sink?.beta === 1;
      for (let i = 0; i < u; i++) {
        for (let j = 0; j < 2 * u; j++) dst[i * G + j] = (add ? dst[i * G + j]! : 0) + dUzr[i * 2 * u + j]!;
        for (let j = 0; j < u; j++) dst[i * G + 2 * u + j] = (add ? dst[i * G + 2 * u + j]! : 0) + dUh[i * u + j]!;
      }
      if (sink === null) dU = new Tensor(dst, recurrentKernel.shape);
    }
    return [dxw, dU, stateGrad(h0t, dh)];
  });
}
