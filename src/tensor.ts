/**
 * The Tensor: float32, row-major, dense, backed by one Float32Array that the garbage collector
 * owns (no dispose, no tidy). Views (reshape, view, squeeze, unsqueeze, flatten, detach) share
 * the buffer; every other op writes a new one. Each method is a thin call into src/ops, where the
 * op's forward and backward live side by side.
 */
import { type GradNode, runBackward } from './autograd.js';
import { ArgumentError, AutogradError, DTypeError, ShapeError, describe, fmtShape } from './errors.js';
import * as act from './ops/activation.js';
import { checkShape } from './ops/checks.js';
import * as cmp from './ops/compare.js';
import * as conv from './ops/conv.js';
import * as pool from './ops/pool.js';
import * as ew from './ops/elementwise.js';
import * as idx from './ops/indexing.js';
import * as mm from './ops/matmul.js';
import * as red from './ops/reduce.js';
import * as shp from './ops/shape.js';

/** A tensor or a plain number (broadcast as a scalar). */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers, as `toArray()` returns them (a number for rank 0). */
export type NestedArray = number | NestedArray[];

/** Options shared by reductions that take `keepDims` and `correction`. */
export interface VarianceOptions {
  /** Keep reduced axes as size-1 dimensions (default false). */
  keepDims?: boolean;
  /** Divide by N − correction (default 1, Bessel's correction, as torch.var). */
  correction?: number;
}

export class Tensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** The elements, row-major. Views share it. */
  readonly data: Float32Array;
  /** Element count. */
  readonly size: number;
  readonly dtype = 'float32' as const;
  /** Whether gradients flow to (or through) this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after backward(); null before or after zeroGrad(). */
  grad: Tensor | null = null;
  /** @internal The op that produced this tensor, when recorded. */
  gradNode: GradNode | null = null;
  /** @internal Keep .grad on this non-leaf during backward (see retainGrad). */
  retainsGrad = false;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor()` to build one from arrays.
   */
  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false) {
    if (!(data instanceof Float32Array)) {
      throw new DTypeError(`dendrite.Tensor: data must be a Float32Array, got ${describe(data)}`);
    }
    // Fast path for valid shapes (every op's output); checkShape explains anything else.
    let n = 1;
    let valid = Array.isArray(shape);
    if (valid) {
      for (let i = 0; i < shape.length; i++) {
        const d = shape[i];
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
          valid = false;
          break;
        }
        n *= d;
      }
    }
    const s = valid ? shape.slice() : checkShape('Tensor', shape);
    if (!valid) n = s.reduce((p, d) => p * d, 1);
    if (n !== data.length) {
      throw new ShapeError(
        `dendrite.Tensor: shape ${fmtShape(s)} needs ${n} elements, but data has ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze(s);
    this.size = n;
    this.requiresGrad = requiresGrad === true;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (user-created, or produced without grad). */
  get isLeaf(): boolean {
    return this.gradNode === null;
  }

  /** Name of the op that produced this tensor in the recorded graph, or null for a leaf. */
  get gradFn(): string | null {
    return this.gradNode?.op ?? null;
  }

  /** The single element as a number; ShapeError unless size is 1. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(
        `dendrite.item: a tensor of shape ${fmtShape(this.shape)} has ${this.size} elements; item() needs exactly one`,
      );
    }
    return this.data[0]!;
  }

  /** The elements as nested arrays (a plain number for rank 0). */
  toArray(): NestedArray {
    if (this.rank === 0) return this.data[0]!;
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const inner = stride / Math.max(n, 1);
      const out: NestedArray[] = new Array<NestedArray>(n);
      if (dim === this.rank - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i]!;
      } else {
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  toString(): string {
    const body = this.size <= 64 ? JSON.stringify(this.toArray()) : `${this.size} elements`;
    return `Tensor(${fmtShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}: ${body})`;
  }

  // ---- autograd --------------------------------------------------------------------------

  /**
   * Back-propagates from this tensor: accumulates d(this)/d(leaf) into every leaf's `.grad`.
   * `gradient` defaults to 1 and is required unless this tensor has one element. The graph is
   * freed afterwards unless `retainGraph` is set (see src/autograd.ts).
   */
  backward(gradient?: TensorLike, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new AutogradError(
        'dendrite.backward: this tensor does not require grad (no input was created with { requiresGrad: true }, or it was computed inside noGrad)',
      );
    }
    let seed: Tensor;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new AutogradError(
          `dendrite.backward: a gradient is needed for a non-scalar output of shape ${fmtShape(this.shape)}; pass one of the same shape`,
        );
      }
      seed = new Tensor(new Float32Array([1]), this.shape);
    } else if (typeof gradient === 'number') {
      if (this.size !== 1) {
        throw new ShapeError(
          `dendrite.backward: a number gradient fits only a one-element output, not shape ${fmtShape(this.shape)}`,
        );
      }
      seed = new Tensor(new Float32Array([gradient]), this.shape);
    } else if (gradient instanceof Tensor) {
      if (gradient.size !== this.size || gradient.rank !== this.rank || gradient.shape.some((d, i) => d !== this.shape[i])) {
        throw new ShapeError(
          `dendrite.backward: gradient of shape ${fmtShape(gradient.shape)} does not match output shape ${fmtShape(this.shape)}`,
        );
      }
      seed = gradient;
    } else {
      throw new ArgumentError(`dendrite.backward: gradient must be a Tensor or a number, got ${describe(gradient)}`);
    }
    runBackward(this, seed, options.retainGraph === true);
  }

  /** Sets `.grad` to null. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** Turns gradient tracking on (or off) for a leaf, in place; returns this. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) {
      throw new AutogradError(
        `dendrite.requiresGrad_: only leaf tensors can change requiresGrad; this one comes from '${this.gradFn}' (use detach() first)`,
      );
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Keeps `.grad` on this non-leaf tensor during backward (leaves always keep it). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** A tensor sharing this one's buffer, cut from the graph (no grad). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own buffer; gradients flow through it. */
  clone(): Tensor {
    return shp.clone(this);
  }

  // ---- elementwise -----------------------------------------------------------------------
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  pow(exponent: TensorLike): Tensor { return ew.pow(this, exponent); }
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  abs(): Tensor { return ew.abs(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  square(): Tensor { return ew.square(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  clamp(min: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }

  eq(other: TensorLike): Tensor { return cmp.eq(this, other); }
  ne(other: TensorLike): Tensor { return cmp.ne(this, other); }
  lt(other: TensorLike): Tensor { return cmp.lt(this, other); }
  le(other: TensorLike): Tensor { return cmp.le(this, other); }
  gt(other: TensorLike): Tensor { return cmp.gt(this, other); }
  ge(other: TensorLike): Tensor { return cmp.ge(this, other); }

  // ---- linear algebra --------------------------------------------------------------------
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }

  // ---- convolution and pooling
  conv2d(kernel: Tensor, options?: conv.Conv2dOptions): Tensor { return conv.conv2d(this, kernel, options); }
  conv1d(kernel: Tensor, options?: conv.Conv1dOptions): Tensor { return conv.conv1d(this, kernel, options); }
  maxPool2d(options?: pool.Pool2dOptions): Tensor { return pool.maxPool2d(this, options); }
  avgPool2d(options?: pool.Pool2dOptions): Tensor { return pool.avgPool2d(this, options); }

  // ---- activations -----------------------------------------------------------------------
  relu(): Tensor { return act.relu(this); }
  leakyRelu(alpha?: number): Tensor { return act.leakyRelu(this, alpha); }
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  selu(): Tensor { return act.selu(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  hardSigmoid(): Tensor { return act.hardSigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  softplus(): Tensor { return act.softplus(this); }
  softsign(): Tensor { return act.softsign(this); }
  silu(): Tensor { return act.silu(this); }
  swish(): Tensor { return act.swish(this); }
  gelu(options?: act.GeluOptions): Tensor { return act.gelu(this, options); }
  softmax(axis?: number): Tensor { return act.softmax(this, axis); }
  logSoftmax(axis?: number): Tensor { return act.logSoftmax(this, axis); }

  // ---- reductions ------------------------------------------------------------------------
  sum(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.sum(this, axis, keepDims); }
  mean(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.mean(this, axis, keepDims); }
  max(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.max(this, axis, keepDims); }
  min(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.min(this, axis, keepDims); }
  variance(axis?: number | readonly number[], options?: boolean | VarianceOptions): Tensor {
    return red.variance(this, axis, options);
  }
  std(axis?: number | readonly number[], options?: boolean | VarianceOptions): Tensor {
    return red.std(this, axis, options);
  }
  argmax(axis?: number, keepDims?: boolean): Tensor { return red.argmax(this, axis, keepDims); }
  argmin(axis?: number, keepDims?: boolean): Tensor { return red.argmin(this, axis, keepDims); }

  // ---- shape -----------------------------------------------------------------------------
  reshape(shape: readonly number[]): Tensor { return shp.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return shp.reshape(this, shape); }
  flatten(startDim?: number, endDim?: number): Tensor { return shp.flatten(this, startDim, endDim); }
  squeeze(axis?: number | readonly number[]): Tensor { return shp.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return shp.unsqueeze(this, axis); }
  transpose(dim0?: number, dim1?: number): Tensor { return shp.transpose(this, dim0, dim1); }
  /** The transpose of a matrix (last two axes swapped; rank < 2 unchanged). */
  get T(): Tensor { return shp.transpose(this); }
  permute(dims: readonly number[]): Tensor { return shp.permute(this, dims); }
  broadcastTo(shape: readonly number[]): Tensor { return shp.broadcastTo(this, shape); }
  concat(others: readonly Tensor[], axis?: number): Tensor { return shp.concat([this, ...others], axis); }

  // ---- indexing --------------------------------------------------------------------------
  slice(begin: idx.SliceSpec, size?: number | readonly number[]): Tensor { return idx.slice(this, begin, size); }
  gather(indices: Int32Array | Tensor | readonly number[], axis?: number): Tensor {
    return idx.gather(this, indices, axis);
  }
}

/** True for Tensor instances. */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
