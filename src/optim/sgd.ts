/** Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay. */
import type { OptimizerHyper } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { option, type OptionSpec } from './options.js';
import { Optimizer, optimizerArgs, type OptimizerOptions } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum's gradient term (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

const SPECS: readonly OptionSpec[] = [
  { name: 'momentum', type: { kind: 'number', min: 0 } },
  { name: 'dampening', type: { kind: 'number', min: 0, max: 1 } },
  { name: 'nesterov', aliases: ['useNesterov'], type: { kind: 'boolean' } },
];

/**
 * SGD as PyTorch defines it (Keras' matches for dampening 0): g = grad + weightDecay·p;
 * buf = momentum·buf + (1 − dampening)·g (buf = g on the first step); p −= lr·(nesterov ?
 * g + momentum·buf : buf). Default learning rate 0.01 (Keras).
 */
export class SGD extends Optimizer {
  readonly className: string = 'SGD';
  protected readonly rule = 'sgd' as const;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(options?: SGDOptions);
  constructor(params: Iterable<Tensor>, options?: SGDOptions);
  constructor(a?: Iterable<Tensor> | SGDOptions, b?: SGDOptions) {
    const args = optimizerArgs('SGD', a, b, SPECS);
    super(args, 0.01);
    this.momentum = option(args.values, 'momentum', 0);
    this.dampening = option(args.values, 'dampening', 0);
    this.nesterov = option(args.values, 'nesterov', false);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new ArgumentError(
        `dendrite.SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum} and dampening ${this.dampening}`,
      );
    }
  }

  protected slotCount(): number {
    return this.momentum !== 0 ? 1 : 0;
  }

  protected writeHyper(h: OptimizerHyper): void {
    h.momentum = this.momentum;
    h.dampening = this.dampening;
    h.nesterov = this.nesterov;
    h.decoupled = false;
  }

  protected ruleConfig(): Record<string, unknown> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
}

/** A parameterless SGD (Keras style: compile attaches the model's parameters). */
export function sgd(options?: SGDOptions | number): SGD {
  return new SGD(typeof options === 'number' ? { learningRate: options } : options);
}
