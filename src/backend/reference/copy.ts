/**
 * Reference strided copy: one loop over the output's flat index, each source (and destination)
 * offset recomputed from the multi-index. Obviously right, not fast.
 */

function reach(shape: readonly number[], strides: readonly number[]): number {
  let last = 0;
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * strides[d]!;
  return last;
}

/** out[idx] = x[Σ idx_d·strides_d] over `shape`; out dense, or addressed by outStrides. */
export function copyStrided(
  x: Float32Array, shape: readonly number[], strides: readonly number[], out: Float32Array,
  outStrides?: readonly number[],
): void {
  const rank = shape.length;
  if (rank > 8) throw new RangeError(`dendrite.copyStrided: rank ${rank} is more than 8`);
  if (strides.length !== rank || (outStrides !== undefined && outStrides.length !== rank)) {
    throw new RangeError(`dendrite.copyStrided: shape [${shape.join(', ')}] and strides [${strides.join(', ')}] differ in length`);
  }
  const total = shape.reduce((p, d) => p * d, 1);
  if (total === 0) return;
  const dense = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    dense[d] = s;
    s *= shape[d]!;
  }
  const os = outStrides ?? dense;
  if (reach(shape, strides) >= x.length) {
    throw new RangeError(`dendrite.copyStrided: strides reach index ${reach(shape, strides)} of x, which has ${x.length} elements`);
  }
  if (reach(shape, os) >= out.length) {
    throw new RangeError(`dendrite.copyStrided: out has ${out.length} elements, needs ${reach(shape, os) + 1}`);
  }
  for (let i = 0; i < total; i++) {
    let src = 0;
    let dst = 0;
    for (let d = 0; d < rank; d++) {
      const k = Math.floor(i / dense[d]!) % shape[d]!;
      src += k * strides[d]!;
      dst += k * os[d]!;
    }
    out[dst] = x[src]!;
  }
}
