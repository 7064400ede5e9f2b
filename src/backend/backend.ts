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

/**
 * Element strides of a dense array of `shape` read as `outShape` under NumPy broadcasting:
 * right-aligned, 0 on the dimensions it is broadcast along (and on the leading ones it lacks).
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, o = rank - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** Position of a name in its table: the code the native addon takes. */
export function opCode<T extends string>(table: readonly T[], name: T): number {
  const i = table.indexOf(name);
  if (i < 0) throw new RangeError(`unknown op '${name}'`);
  return i;
}

/**
 * Geometry of a 2-D convolution: input x is NHWC [batch, inH, inW, inC], the kernel w is
 * [kH, kW, inC, outC] (Keras/TensorFlow layout), the output y is [batch, outH, outW, outC].
 * Output pixel (oh, ow) reads input rows oh·strideH − padTop + i·dilationH (i < kH), likewise
 * columns; positions outside the input read as zero. The caller computes outH/outW and the
 * padding ('same' or 'valid') and guarantees every size is consistent. Conv1D is the case
 * inH = kH = 1.
 */
export interface Conv2dGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * Geometry of 2-D pooling over NHWC x [batch, inH, inW, channels] into y [batch, outH, outW,
 * channels]: window kH×kW, strides, and top/left padding (padded positions never win a max and
 * are not counted in an average, as Keras and count_include_pad=false).
 */
export interface Pool2dGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/** Parameter-update rules the optimiser-step kernel implements. */
export const OPTIMIZER_RULES = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;
export type OptimizerRule = (typeof OPTIMIZER_RULES)[number];

/**
 * Hyper-parameters of one optimiser step. Every rule first forms g = clip(gradScale·grad,
 * ±clipValue) (clipValue Infinity: no clipping), then:
 * - weight decay: `decoupled` false adds weightDecay·p to g (L2, as torch SGD/Adam); true
 *   multiplies p by (1 − lr·weightDecay) before the update (AdamW).
 * - sgd: state [] when momentum = 0, else [buf]: buf = momentum·buf + (1 − dampening)·g (the
 *   first step, step = 1, sets buf = g); update = nesterov ? g + momentum·buf : buf;
 *   p −= lr·update.
 * - adam: state [m, v] (plus [vMax] when amsgrad): m = beta1·m + (1−beta1)·g; v = beta2·v +
 *   (1−beta2)·g²; m̂ = m/(1−beta1^step); v̂ = v/(1−beta2^step) (amsgrad: vMax = max(vMax, v),
 *   v̂ from vMax); p −= lr·m̂/(√v̂ + eps).
 * - rmsprop: state [sq] (plus [mom] when momentum > 0, plus [avg] when centered, in that
 *   order): sq = rho·sq + (1−rho)·g²; denom = √(sq − avg²) + eps when centered (avg = rho·avg +
 *   (1−rho)·g), else √sq + eps; with momentum: mom = momentum·mom + g/denom, p −= lr·mom;
 *   without: p −= lr·g/denom.
 * - adagrad: state [sum]: sum += g²; p −= lr·g/(√sum + eps). (The initial accumulator value is
 *   the caller's: it fills `sum` before the first step.)
 * `step` is the 1-based step count (bias correction, first-step momentum).
 */
export interface OptimizerHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** sgd and rmsprop momentum. */
  momentum: number;
  dampening: number;
  /** rmsprop decay. */
  rho: number;
  weightDecay: number;
  decoupled: boolean;
  nesterov: boolean;
  amsgrad: boolean;
  centered: boolean;
  step: number;
  gradScale: number;
  clipValue: number;
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

  /**
   * y = act(conv2d(x, w) (+ bias [outC] when given)); y is overwritten. The activation (default
   * identity) is applied to each block of output rows while it is in cache.
   */
  conv2d(
    g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    act?: ActivationName, actAlpha?: number,
  ): void;
  /** dx = gradient of conv2d with respect to x, given dy; dx is overwritten. */
  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /**
   * dw = beta·dw + gradient with respect to w (beta 0 or 1), given x and dy; with `db` (beta
   * likewise) also the bias gradient, the sum of dy over batch and pixels.
   */
  conv2dBackwardFilter(
    g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, beta: number,
  ): void;

  /**
   * Max or average pooling. For max, `argmax` (one entry per output element) receives the flat
   * index into x of each window's first maximum (NaN wins); for avg pass null.
   */
  pool2d(kind: 'max' | 'avg', g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array | null): void;
  /**
   * dx (overwritten) from dy: max scatters dy to the recorded argmax positions (summing where
   * windows overlap); avg spreads each dy evenly over its window's counted positions.
   */
  pool2dBackward(
    kind: 'max' | 'avg', g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array | null, dx: Float32Array,
  ): void;

  /**
   * One optimiser step over many parameters at once: params[i] is updated from grads[i] (same
   * length), with the rule's state arrays state[s][i] (slot s, parameter i; same length as the
   * parameter). See OptimizerHyper for the rules.
   */
  optimizerStep(
    rule: OptimizerRule, params: readonly Float32Array[], grads: readonly Float32Array[],
    state: readonly (readonly Float32Array[])[], hyper: OptimizerHyper,
  ): void;
  /** Σ x² over all the arrays, accumulated in float64 (global-norm clipping). */
  sumOfSquares(arrays: readonly Float32Array[]): number;

  /**
   * Row-wise softmax cross-entropy of logits [rows, cols] against class indices `labels`
   * (rows entries) or a target distribution `target` [rows, cols] (exactly one is non-null).
   * loss[r] = logsumexp(logits[r]) − Σ target·logits[r] (for labels: − logits[r, label]); when
   * `grad` is non-null it receives softmax(logits) − target (unscaled). Stable for extreme
   * logits; labels must be in [0, cols).
   */
  softmaxCrossEntropy(
    logits: Float32Array, rows: number, cols: number, labels: Int32Array | null,
    target: Float32Array | null, loss: Float32Array, grad: Float32Array | null,
  ): void;
}
