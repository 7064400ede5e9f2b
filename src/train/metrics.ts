/**
 * Metrics: stateful accumulators over an epoch (update per batch, result at the end), Keras
 * named: accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy,
 * topKCategoricalAccuracy, precision, recall, f1, mse, mae; and confusionMatrix.
 */
import type { Labels } from '../losses.js';
import type { Tensor } from '../tensor.js';

export interface Metric {
  /** Key in logs and history ('accuracy', 'precision', ...). */
  readonly name: string;
  /** Adds one batch. */
  update(yTrue: Labels, yPred: Tensor): void;
  /** Value over everything since reset(). */
  result(): number;
  reset(): void;
}

export type MetricSpec = string | Metric;

/**
 * Resolves a metric. 'accuracy'/'acc' picks binary, categorical or sparse categorical accuracy
 * from the loss name, as Keras does.
 */
export function getMetric(spec: MetricSpec, lossName?: string): Metric {
  throw new Error(`getMetric: not implemented yet (${String(spec)} ${lossName})`);
}
