/** Gradient housekeeping over many tensors at once. */
import { ArgumentError, describe } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Sets `.grad` to null on every tensor given (e.g. a model's parameters). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) {
    if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.zeroGrad: expected Tensors, got ${describe(t)}`);
    t.grad = null;
  }
}
