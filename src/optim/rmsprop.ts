/** RMSprop: gradient divided by a running root-mean-square, optionally centred and with momentum. */
import type { OptimizerHyper } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { option, type OptionSpec } from './options.js';
import { Optimizer, optimizerArgs, type OptimizerOptions } from './optimizer.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Decay of the running mean of g² (default 0.9; PyTorch calls it alpha, tfjs decay). */
  rho?: number;
  /** Momentum (default 0). */
  momentum?: number;
  /** Divide by the running variance instead of the mean square (default false). */
  centered?: boolean;
  /** Added to the root-mean-square (default 1e-7, Keras' value). */
  epsilon?: number;
  /** PyTorch's name for epsilon. */
  eps?: number;
}

const SPECS: readonly OptionSpec[] = [
  { name: 'rho', aliases: ['alpha'], type: { kind: 'number', min: 0, max: 1, maxExclusive: true } },
  { name: 'momentum', type: { kind: 'number', min: 0 } },
  { name: 'centered', type: { kind: 'boolean' } },
  { name: 'epsilon', aliases: ['eps'], type: { kind: 'number', min: 0 } },
];

/**
 * RMSprop as PyTorch defines it: sq = ρ·sq + (1−ρ)·g²; denom = √sq + ε (centred: √(sq − avg²)
 * + ε with avg = ρ·avg + (1−ρ)·g); with momentum mom = momentum·mom + g/denom, p −= lr·mom,
 * else p −= lr·g/denom. Keras' defaults: lr 0.001, ρ 0.9, ε 1e-7. weightDecay is L2.
 */
export class RMSprop extends Optimizer {
  readonly className: string = 'RMSprop';
  protected readonly rule = 'rmsprop' as const;
  readonly rho: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly epsilon: number;

  constructor(options?: RMSpropOptions);
  constructor(params: Iterable<Tensor>, options?: RMSpropOptions);
  constructor(a?: Iterable<Tensor> | RMSpropOptions, b?: RMSpropOptions) {
    const args = optimizerArgs('RMSprop', a, b, SPECS);
    super(args, 0.001);
    this.rho = option(args.values, 'rho', 0.9);
    this.momentum = option(args.values, 'momentum', 0);
    this.centered = option(args.values, 'centered', false);
    this.epsilon = option(args.values, 'epsilon', 1e-7);
  }

  protected slotCount(): number {
    return 1 + (this.momentum !== 0 ? 1 : 0) + (this.centered ? 1 : 0);
  }

  protected writeHyper(h: OptimizerHyper): void {
    h.rho = this.rho;
    h.momentum = this.momentum;
    h.centered = this.centered;
    h.eps = this.epsilon;
    h.decoupled = false;
  }

  protected ruleConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, centered: this.centered, epsilon: this.epsilon };
  }
}

/** A parameterless RMSprop (Keras style). */
export function rmsprop(options?: RMSpropOptions | number): RMSprop {
  return new RMSprop(typeof options === 'number' ? { learningRate: options } : options);
}
