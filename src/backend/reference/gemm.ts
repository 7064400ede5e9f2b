/**
 * Reference matrix products: naive triple loops accumulating in float64, the ground truth the
 * native kernels are tested against. Row-major, dense operands (see Backend.gemm).
 */
import type { ActivationName } from '../backend.js';
import { activation } from './activation.js';

/** C[c0 ..] = alpha·op(A[a0 ..])·op(B[b0 ..]) + beta·C (beta = 0: C is write-only). */
function gemmAt(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, a0: number, b: Float32Array, b0: number, beta: number,
  c: Float32Array, c0: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[a0 + p * m + i]! : a[a0 + i * k + p]!;
        const bv = transB ? b[b0 + j * k + p]! : b[b0 + p * n + j]!;
        sum += av * bv;
      }
      const o = c0 + i * n + j;
      c[o] = beta === 0 ? alpha * sum : alpha * sum + beta * c[o]!;
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C. */
export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): void {
  gemmAt(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
}

/** `batch` products; matrix i of A starts at i·strideA (likewise B, C); stride 0 broadcasts. */
export function gemmBatched(
  batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, strideA: number, b: Float32Array, strideB: number,
  beta: number, c: Float32Array, strideC: number,
): void {
  for (let i = 0; i < batch; i++) {
    gemmAt(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
  }
}

/** C = act(op(A)·op(B) + bias); bias has n elements or is null. */
export function gemmBiasAct(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, b: Float32Array, bias: Float32Array | null,
  act: ActivationName, actAlpha: number, c: Float32Array,
): void {
  gemmAt(transA, transB, m, n, k, 1, a, 0, b, 0, 0, c, 0);
  if (bias !== null) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + bias[j]!;
    }
  }
  const view = c.subarray(0, m * n);
  activation(act, view, view, actAlpha);
}
