/** Optimisers: classes, factories and lookup by name. */
import { ArgumentError, describe } from '../errors.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

export { Optimizer, parseLearningRate } from './optimizer.js';
export type { LearningRate, OptimizerOptions, OptimizerStateDict, ParameterState } from './optimizer.js';
export { SGD, sgd, type SGDOptions } from './sgd.js';
export { Adam, AdamW, adam, adamw, type AdamOptions } from './adam.js';
export { RMSprop, rmsprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, adagrad, type AdagradOptions } from './adagrad.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
export {
  ReduceLROnPlateau, cosineDecay, exponentialDecay, linearWarmup, scheduleFromConfig, stepDecay,
  type CosineDecayArgs, type ExponentialDecayArgs, type HasLearningRate, type LearningRateSchedule,
  type LinearWarmupArgs, type ReduceLROnPlateauArgs, type StepDecayArgs,
} from './schedules.js';

/** 'adam', 'sgd', 'adamw', 'rmsprop', 'adagrad' (any case, snake or camel), {className, config}, or an instance. */
export type OptimizerSpec = string | { readonly className: string; readonly config?: Record<string, unknown> } | Optimizer;

type Maker = (config?: Record<string, unknown>) => Optimizer;

/** Keyed by the name lowercased without separators. */
const MAKERS = new Map<string, Maker>([
  ['sgd', (c) => new SGD(c)],
  ['adam', (c) => new Adam(c)],
  ['adamw', (c) => new AdamW(c)],
  ['rmsprop', (c) => new RMSprop(c)],
  ['adagrad', (c) => new Adagrad(c)],
]);

const VALID = "'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'";

function make(name: string, config?: Record<string, unknown>): Optimizer {
  const maker = MAKERS.get(name.toLowerCase().replace(/[_\-\s]/g, ''));
  if (maker === undefined) {
    throw new ArgumentError(`dendrite.getOptimizer: unknown optimizer '${name}'; valid names are ${VALID} (any case)`);
  }
  return maker(config);
}

/**
 * The optimiser a spec names: a fresh one with default options for a string ('adam', 'Adam',
 * 'RMSprop', 'adam_w'), one built from `{ className, config }` (what getConfig and Keras'
 * serialisation give; Keras' `class_name` too), or the instance itself.
 */
export function getOptimizer(spec: OptimizerSpec): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') return make(spec);
  if (typeof spec === 'object' && spec !== null) {
    const s = spec as { className?: unknown; class_name?: unknown; config?: unknown };
    const name = s.className ?? s.class_name;
    if (typeof name !== 'string') {
      throw new ArgumentError(`dendrite.getOptimizer: expected { className, config }, got className ${describe(name)}`);
    }
    if (s.config !== undefined && s.config !== null && (typeof s.config !== 'object' || Array.isArray(s.config))) {
      throw new ArgumentError(`dendrite.getOptimizer: config must be an object, got ${describe(s.config)}`);
    }
    return make(name, (s.config ?? undefined) as Record<string, unknown> | undefined);
  }
  throw new ArgumentError(
    `dendrite.getOptimizer: expected a name (${VALID}), { className, config } or an Optimizer, got ${describe(spec)}`,
  );
}

/** The tfjs `tf.train` factories, with tfjs' positional arguments (undefined: our default). */
export const train = {
  /** tf.train.sgd(learningRate). */
  sgd(learningRate: number): SGD {
    return new SGD({ learningRate });
  },
  /** tf.train.momentum(learningRate, momentum, useNesterov). */
  momentum(learningRate: number, momentum: number, useNesterov = false): SGD {
    return new SGD({ learningRate, momentum, nesterov: useNesterov });
  },
  /** tf.train.adam(learningRate, beta1, beta2, epsilon). */
  adam(learningRate?: number, beta1?: number, beta2?: number, epsilon?: number): Adam {
    return new Adam({ learningRate, beta1, beta2, epsilon });
  },
  /** AdamW with the same positional arguments plus weightDecay. */
  adamw(learningRate?: number, beta1?: number, beta2?: number, epsilon?: number, weightDecay?: number): AdamW {
    return new AdamW({ learningRate, beta1, beta2, epsilon, weightDecay });
  },
  /** tf.train.rmsprop(learningRate, decay, momentum, epsilon, centered). */
  rmsprop(learningRate: number, decay?: number, momentum?: number, epsilon?: number, centered?: boolean): RMSprop {
    return new RMSprop({ learningRate, rho: decay, momentum, epsilon, centered });
  },
  /** tf.train.adagrad(learningRate, initialAccumulatorValue). */
  adagrad(learningRate: number, initialAccumulatorValue?: number): Adagrad {
    return new Adagrad({ learningRate, initialAccumulatorValue });
  },
} as const;
