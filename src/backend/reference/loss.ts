/**
 * Reference fused softmax cross-entropy, float64 per row. With m the row's max and
 * S = Σ exp(x − m): loss = log S + m·(1 − Σt) − Σ t·(x − m), which is logsumexp(x) − Σ t·x
 * rearranged so that logits of ±1e30 cancel exactly. Terms with t = 0 are skipped, so −Infinity
 * logits are allowed wherever the target (or label) does not point. A row holding NaN or +Inf,
 * or only −Inf, gives NaN (as softmax does).
 */

/** Throws a RangeError naming the first label outside [0, cols) and its row. */
export function checkLabels(labels: Int32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0 || y >= cols) {
      throw new RangeError(`dendrite.softmaxCrossEntropy: label ${y} in row ${r} is outside [0, ${cols})`);
    }
  }
}

/** Per-row loss (and optionally grad = softmax − target) of logits [rows, cols]. */
export function softmaxCrossEntropy(
  logits: Float32Array, rows: number, cols: number, labels: Int32Array | null,
  target: Float32Array | null, loss: Float32Array, grad: Float32Array | null,
): void {
  if ((labels === null) === (target === null)) {
    throw new TypeError('dendrite.softmaxCrossEntropy: pass exactly one of labels and target');
  }
  if (labels !== null) {
    if (labels.length < rows) throw new RangeError(`dendrite.softmaxCrossEntropy: ${labels.length} labels for ${rows} rows`);
    checkLabels(labels, rows, cols);
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) {
      const x = logits[o + c]!;
      if (x > m || Number.isNaN(x)) m = x;
      if (Number.isNaN(x)) break;
    }
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(logits[o + c]! - m);
    let tSum = 0;
    let tDot = 0;
    if (labels !== null) {
      tSum = 1;
      tDot = logits[o + labels[r]!]! - m;
    } else {
      for (let c = 0; c < cols; c++) {
        const t = target![o + c]!;
        if (t === 0) continue;
        tSum += t;
        tDot += t * (logits[o + c]! - m);
      }
    }
    // m·(1 − Σt) is 0 when the target sums to 1 exactly; written so that it is not 0·∞ then.
    const shift = tSum === 1 ? 0 : m * (1 - tSum);
    loss[r] = Math.log(s) + shift - tDot;
    if (grad !== null) {
      for (let c = 0; c < cols; c++) {
        const p = Math.exp(logits[o + c]! - m) / s;
        grad[o + c] = p - (labels !== null ? (c === labels[r]! ? 1 : 0) : target![o + c]!);
      }
    }
  }
}
