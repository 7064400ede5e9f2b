/**
 * Losses, Keras-named (camelCase and snake_case): meanSquaredError, meanAbsoluteError, huber,
 * binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, kld,
 * cosineSimilarity. Each returns a rank-0 tensor (reduction 'mean' or 'sum') or per-sample
 * losses ('none'), differentiable with respect to yPred.
 */
import type { Tensor } from './tensor.js';

/** Labels: a tensor, or class indices as an Int32Array (sparse losses). */
export type Labels = Tensor | Int32Array;

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
  /** Per-sample weights [batch]. */
  sampleWeight?: Tensor | Float32Array | null;
}

/** A loss: (yTrue, yPred, options) → loss tensor. */
export type LossFunction = (yTrue: Labels, yPred: Tensor, options?: LossOptions) => Tensor;

export type LossSpec = string | LossFunction;

/** Resolves a loss name or function; ArgumentError naming the valid names otherwise. */
export function getLoss(spec: LossSpec): LossFunction & { readonly lossName: string } {
  throw new Error(`getLoss: not implemented yet (${String(spec)})`);
}
