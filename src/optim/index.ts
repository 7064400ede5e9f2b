/** Optimisers: classes, factories and lookup by name. */
import type { Optimizer } from './optimizer.js';

export { Optimizer } from './optimizer.js';

/** 'adam', 'sgd', 'adamw', 'rmsprop', 'adagrad' (any case, snake or camel), {className, config}, or an instance. */
export type OptimizerSpec = string | { readonly className: string; readonly config?: Record<string, unknown> } | Optimizer;

export function getOptimizer(spec: OptimizerSpec): Optimizer {
  throw new Error(`getOptimizer: not implemented yet (${String(spec)})`);
}
