/**
 * The backend interface: the small set of numeric kernels everything above it is built from.
 * Buffers are dense, row-major Float32Arrays; shapes are plain numbers. Implementations are
 * `native` (the C++ addon) and `reference` (plain TypeScript loops, the ground truth).
 * Callers (the tensor layer) validate shapes and lengths before calling; a backend may assume
 * valid arguments, but the native one re-checks everything anyway.
 */

/** Activation functions; the order is the numbering shared with the native addon. */
export const ACTIVATIONS = [
  'identity',
  'relu',
  'leaky_relu',
  'elu',
  'selu',
  'sigmoid',
  'hard_sigmoid',
  'tanh',
  'softplus',
  'softsign',
  'silu',
  'gelu',
  'gelu_erf',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];

export const UNARY_OPS = ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'reciprocal', 'clamp'] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];

export const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'variance'] as const;
export type ReduceOpName = (typeof REDUCE_OPS)[number];

/** Position of a name in its table: the code the native addon takes. */
export function opCode<T extends string>(table: readonly T[], name: T): number {
  const i = table.indexOf(name);
  if (i < 0) throw new RangeError(`unknown op '${name}'`);
  return i;
}

export interface Backend {
  readonly name: 'native' | 'reference';
  /** Instruction-set path in use ('avx512', 'avx2', 'neon', 'scalar'; 'js' for reference). */
  isa(): string;
  threads(): number;
  setNumThreads(n: number): void;

  /**
   * C = alpha·op(A)·op(B) + beta·C. op(A) is m×k (A stored k×m when transA), op(B) is k×n
   * (B stored n×k when transB), C is m×n. beta = 0 makes C write-only.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;

  /**
   * `batch` products of the same shape; matrix i of A starts at element i·strideA (likewise B, C).
   * A stride of 0 broadcasts that operand over the batch.
   */
  gemmBatched(
    batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, strideA: number, b: Float32Array, strideB: number,
    beta: number, c: Float32Array, strideC: number,
  ): void;

  /** C = act(op(A)·op(B) + bias); bias has n elements or is null. */
  gemmBiasAct(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, bias: Float32Array | null,
    act: ActivationName, actAlpha: number, c: Float32Array,
  ): void;

  /** y = f(x) elementwise (y may be x). alpha: leaky_relu slope or elu alpha. */
  activation(act: ActivationName, x: Float32Array, y: Float32Array, alpha: number): void;
  /** dx = f'(x)·dy, given forward input x and output y (dx may be dy). */
  activationBackward(
    act: ActivationName, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
    alpha: number,
  ): void;

  /** Row-wise softmax (or log-softmax) of a rows×cols matrix. */
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean): void;
  /** Gradient of softmax/log-softmax given its output y and upstream dy. */
  softmaxBackward(
    y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, log: boolean,
  ): void;

  /**
   * out = a op b with NumPy broadcasting. aShape and bShape are right-aligned against outShape
   * (which the caller computed); out is dense with outShape.
   */
  binary(
    op: BinaryOpName, a: Float32Array, aShape: readonly number[], b: Float32Array,
    bShape: readonly number[], out: Float32Array, outShape: readonly number[],
  ): void;

  /** y = op(x) elementwise; p0, p1 are clamp's min and max (ignored otherwise). */
  unary(op: UnaryOpName, x: Float32Array, y: Float32Array, p0: number, p1: number): void;

  /**
   * x viewed as [outer, len, inner], reduced over the middle axis into out [outer, inner].
   * correction: variance divides by (len − correction).
   */
  reduce(
    op: ReduceOpName, x: Float32Array, outer: number, len: number, inner: number,
    out: Float32Array, correction: number,
  ): void;

  /** Index of the first max (or min) along the middle axis of [outer, len, inner]; len ≥ 1. */
  argReduce(
    op: 'argmax' | 'argmin', x: Float32Array, outer: number, len: number, inner: number,
    out: Int32Array,
  ): void;

  /**
   * Strided copy (rank ≤ 8): out[idx] = x[Σ idx_d·strides_d] for every index of `shape`, out
   * dense row-major. Strides are in elements; 0 repeats (broadcasts) along that axis, and an
   * offset is a `subarray` of x. With `outStrides` the output is addressed the same way
   * (out[Σ idx_d·outStrides_d]), e.g. to write a block of a larger array; its positions must
   * be distinct. x and out must not share memory.
   */
  copyStrided(
    x: Float32Array, shape: readonly number[], strides: readonly number[], out: Float32Array,
    outStrides?: readonly number[],
  ): void;
}
