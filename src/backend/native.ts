/** The native backend: each call goes straight to the C++ addon (zero copy). */
import { loadAddon, type NativeAddon } from './addon.js';
import {
  ACTIVATIONS, BINARY_OPS, REDUCE_OPS, UNARY_OPS, broadcastStrides, opCode,
  type ActivationName, type Backend, type BinaryOpName, type ReduceOpName, type UnaryOpName,
  type Conv2dGeometry, type Pool2dGeometry, type OptimizerRule, type OptimizerHyper,
} from './backend.js';

const DENSE = [1];
const BROADCAST = [0];

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  private readonly actCodes: Record<string, number>;

  constructor(readonly addon: NativeAddon = loadAddon()) {
    this.actCodes = Object.fromEntries(ACTIVATIONS.map((a, i) => [a, i]));
  }

  isa(): string { return this.addon.isa(); }
  threads(): number { return this.addon.numThreads(); }
  setNumThreads(n: number): void { this.addon.setNumThreads(n); }
  /** Instruction-set paths this CPU supports, lowest first. */
  supportedIsas(): string[] { return this.addon.supportedIsas(); }
  /** Data cache sizes in bytes (cpuid or the OS; DENDRITE_L1_CACHE… override). */
  cacheSizes(): { l1d: number; l2: number; l3: number; detected: boolean } { return this.addon.cacheSizes(); }
  /** The active path's GEMM register tile and cache blocking. */
  gemmBlocking(): { mr: number; nr: number; kc: number; nc: number; mc: number } { return this.addon.gemmBlocking(); }
  /** Forces a (supported) instruction-set path; tests use it to cover every path. */
  setIsa(name: string): void { this.addon.setIsa(name); }

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void {
    this.addon.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  }

  gemmBatched(
    batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, strideA: number, b: Float32Array, strideB: number,
    beta: number, c: Float32Array, strideC: number,
  ): void {
    this.addon.gemmBatched(batch, transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC);
  }

  gemmBiasAct(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, bias: Float32Array | null,
    act: ActivationName, actAlpha: number, c: Float32Array,
  ): void {
    this.addon.gemmBiasAct(transA, transB, m, n, k, a, b, bias, this.act(act), actAlpha, c);
  }

  activation(act: ActivationName, x: Float32Array, y: Float32Array, alpha: number): void {
    this.addon.activation(this.act(act), x, y, alpha);
  }

  activationBackward(
    act: ActivationName, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
    alpha: number,
  ): void {
    this.addon.activationBackward(this.act(act), x, y, dy, dx, alpha);
  }

  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean): void {
    this.addon.softmax(x, y, rows, cols, log);
  }

  softmaxBackward(
    y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, log: boolean,
  ): void {
    this.addon.softmaxBackward(y, dy, dx, rows, cols, log);
  }

  binary(
    op: BinaryOpName, a: Float32Array, aShape: readonly number[], b: Float32Array,
    bShape: readonly number[], out: Float32Array, outShape: readonly number[],
  ): void {
    const code = opCode(BINARY_OPS, op);
    // The common cases as one flat run: fewer arrays for the addon to read (call overhead).
    const n = sizeOf(outShape);
    const na = sizeOf(aShape);
    const nb = sizeOf(bShape);
    if (na === n && nb === n) {
      this.addon.binary(code, a, b, out, [n], DENSE, DENSE);
    } else if (na === n && nb === 1) {
      this.addon.binary(code, a, b, out, [n], DENSE, BROADCAST);
    } else if (na === 1 && nb === n) {
      this.addon.binary(code, a, b, out, [n], BROADCAST, DENSE);
    } else {
      this.addon.binary(
        code, a, b, out, outShape as number[],
        broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape),
      );
    }
  }

  unary(op: UnaryOpName, x: Float32Array, y: Float32Array, p0: number, p1: number): void {
    this.addon.unary(opCode(UNARY_OPS, op), x, y, p0, p1);
  }

  reduce(
    op: ReduceOpName, x: Float32Array, outer: number, len: number, inner: number,
    out: Float32Array, correction: number,
  ): void {
    this.addon.reduce(opCode(REDUCE_OPS, op), x, outer, len, inner, out, correction);
  }

  argReduce(
    op: 'argmax' | 'argmin', x: Float32Array, outer: number, len: number, inner: number,
    out: Int32Array,
  ): void {
    this.addon.argReduce(op === 'argmax', x, outer, len, inner, out);
  }

  copyStrided(
    x: Float32Array, shape: readonly number[], strides: readonly number[], out: Float32Array,
    outStrides?: readonly number[],
  ): void {
    if (outStrides === undefined) this.addon.copyStrided(x, out, shape as number[], strides as number[]);
    else this.addon.copyStrided(x, out, shape as number[], strides as number[], outStrides as number[]);
  }

  // ── conv/pool family
  conv2d(
    g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    act: ActivationName = 'identity', actAlpha = 0,
  ): void {
    this.addon.conv2d(this.convGeom(g), x, w, bias, y, this.act(act), actAlpha);
  }
  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
    this.addon.conv2dBackwardInput(this.convGeom(g), dy, w, dx);
  }
  conv2dBackwardFilter(
    g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, beta: number,
  ): void {
    this.addon.conv2dBackwardFilter(this.convGeom(g), x, dy, dw, db, beta);
  }
  pool2d(kind: 'max' | 'avg', g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array | null): void {
    this.addon.pool2d(kind === 'max', this.poolGeom(g), x, y, argmax);
  }
  pool2dBackward(
    kind: 'max' | 'avg', g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array | null, dx: Float32Array,
  ): void {
    this.addon.pool2dBackward(kind === 'max', this.poolGeom(g), dy, argmax, dx);
  }
  /** The addon's `geom` array: Conv2dGeometry's fields in declaration order. */
  private convGeom(g: Conv2dGeometry): number[] {
    return [
      g.batch, g.inH, g.inW, g.inC, g.outC, g.kH, g.kW, g.strideH, g.strideW,
      g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW,
    ];
  }
  /** The addon's `geom` array: Pool2dGeometry's fields in declaration order. */
  private poolGeom(g: Pool2dGeometry): number[] {
    return [
      g.batch, g.inH, g.inW, g.channels, g.kH, g.kW, g.strideH, g.strideW,
      g.padTop, g.padLeft, g.outH, g.outW,
    ];
  }

  // ── optimiser family
  /** Rule codes of the addon (OPTIMIZER_RULES order). */
  private static readonly ruleCodes: Readonly<Record<OptimizerRule, number>> = {
    sgd: 0, adam: 1, rmsprop: 2, adagrad: 3,
  };
  /** The hyper-parameters in the addon's order, reused so a training step allocates nothing. */
  private readonly hyper = new Float64Array(15);
  optimizerStep(
    rule: OptimizerRule, params: readonly Float32Array[], grads: readonly Float32Array[],
    state: readonly (readonly Float32Array[])[], hyper: OptimizerHyper,
  ): void {
    // Order: native/include/dendrite/optim.h, OptimHyperIndex.
    const h = this.hyper;
    h[0] = hyper.lr; h[1] = hyper.beta1; h[2] = hyper.beta2; h[3] = hyper.eps;
    h[4] = hyper.momentum; h[5] = hyper.dampening; h[6] = hyper.rho; h[7] = hyper.weightDecay;
    h[8] = hyper.decoupled ? 1 : 0; h[9] = hyper.nesterov ? 1 : 0;
    h[10] = hyper.amsgrad ? 1 : 0; h[11] = hyper.centered ? 1 : 0;
    h[12] = hyper.step; h[13] = hyper.gradScale; h[14] = hyper.clipValue;
    this.addon.optimizerStep(
      NativeBackend.ruleCodes[rule], params as Float32Array[], grads as Float32Array[],
      state as Float32Array[][], h,
    );
  }
  sumOfSquares(arrays: readonly Float32Array[]): number {
    return this.addon.sumOfSquares(arrays as Float32Array[]);
  }

  // ── loss family
  softmaxCrossEntropy(
    logits: Float32Array, rows: number, cols: number, labels: Int32Array | null,
    target: Float32Array | null, loss: Float32Array, grad: Float32Array | null,
  ): void {
    this.addon.softmaxCrossEntropy(logits, rows, cols, labels, target, loss, grad);
  }

  private act(name: ActivationName): number {
    const code = this.actCodes[name];
    if (code === undefined) throw new RangeError(`dendrite: unknown activation '${name}'`);
    return code;
  }
}
