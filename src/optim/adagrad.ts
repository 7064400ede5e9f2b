/** Adagrad: each coordinate's step shrinks with the sum of its squared gradients. */
import type { OptimizerHyper } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { option, type OptionSpec } from './options.js';
import { Optimizer, optimizerArgs, type OptimizerOptions } from './optimizer.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of every accumulator (default 0.1, Keras' value; PyTorch uses 0). */
  initialAccumulatorValue?: number;
  /** Added to √sum (default 1e-7, Keras' value). */
  epsilon?: number;
  /** PyTorch's name for epsilon. */
  eps?: number;
}

const SPECS: readonly OptionSpec[] = [
  { name: 'initialAccumulatorValue', type: { kind: 'number', min: 0 } },
  { name: 'epsilon', aliases: ['eps'], type: { kind: 'number', min: 0 } },
];

/**
 * Adagrad: sum += g²; p −= lr·g/(√sum + ε), sum starting at initialAccumulatorValue. Keras'
 * defaults: lr 0.001, initial accumulator 0.1, ε 1e-7. weightDecay is L2.
 */
export class Adagrad extends Optimizer {
  readonly className: string = 'Adagrad';
  protected readonly rule = 'adagrad' as const;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options?: AdagradOptions);
  constructor(params: Iterable<Tensor>, options?: AdagradOptions);
  constructor(a?: Iterable<Tensor> | AdagradOptions, b?: AdagradOptions) {
    const args = optimizerArgs('Adagrad', a, b, SPECS);
    super(args, 0.001);
    this.initialAccumulatorValue = option(args.values, 'initialAccumulatorValue', 0.1);
    this.epsilon = option(args.values, 'epsilon', 1e-7);
  }

  protected slotCount(): number {
    return 1;
  }

  protected override initialSlotValue(): number {
    return this.initialAccumulatorValue;
  }

  protected writeHyper(h: OptimizerHyper): void {
    h.eps = this.epsilon;
    h.decoupled = false;
  }

  protected ruleConfig(): Record<string, unknown> {
    return { initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

/** A parameterless Adagrad (Keras style). */
export function adagrad(options?: AdagradOptions | number): Adagrad {
  return new Adagrad(typeof options === 'number' ? { learningRate: options } : options);
}
