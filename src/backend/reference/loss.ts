/** Reference fused softmax cross-entropy, float64 per row. */
export function softmaxCrossEntropy(
  logits: Float32Array, rows: number, cols: number, labels: Int32Array | null,
  target: Float32Array | null, loss: Float32Array, grad: Float32Array | null,
): void {
  throw new Error('softmaxCrossEntropy: not implemented yet');
}
