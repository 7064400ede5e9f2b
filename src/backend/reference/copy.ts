/**
 * Reference strided copy: an odometer over the output's index, both offsets stepped by their
 * strides. Obviously right, not fast.
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
  if (strides.length !== rank || (outStrides !== undefined && outStrides.length !== rank)) {
    throw new RangeError(`dendrite.copyStrided: shape [${shape.join(', ')}] and strides [${strides.join(', ')}] differ in length`);
  }
  const total = shape.reduce((p, d) => p * d, 1);
  if (total === 0) return;
  const os = outStrides ?? shape.map((_, d) => shape.slice(d + 1).reduce((p, n) => p * n, 1));
  if (reach(shape, strides) >= x.length) {
    throw new RangeError(`dendrite.copyStrided: strides reach index ${reach(shape, strides)} of x, which has ${x.length} elements`);
  }
  if (reach(shape, os) >= out.length) {
    throw new RangeError(`dendrite.copyStrided: out has ${out.length} elements, needs ${reach(shape, os) + 1}`);
  }
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  let dst = 0;
  for (let i = 0; i < total; i++) {
    out[dst] = x[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      src += strides[d]!;
      dst += os[d]!;
      if (++idx[d]! < shape[d]!) break;
      src -= strides[d]! * shape[d]!;
      dst -= os[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
