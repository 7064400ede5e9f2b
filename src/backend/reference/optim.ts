/** Reference optimiser step: one plain loop per parameter, float64 arithmetic per element. */
import type { OptimizerHyper, OptimizerRule } from '../backend.js';

export function optimizerStep(
  rule: OptimizerRule, params: readonly Float32Array[], grads: readonly Float32Array[],
  state: readonly (readonly Float32Array[])[], hyper: OptimizerHyper,
): void {
  throw new Error('optimizerStep: not implemented yet');
}
export function sumOfSquares(arrays: readonly Float32Array[]): number {
  throw new Error('sumOfSquares: not implemented yet');
}
