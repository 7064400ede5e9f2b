/** Adam (with optional AMSGrad and L2 weight decay) and AdamW (decoupled weight decay). */
import type { OptimizerHyper } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { option, type OptionSpec } from './options.js';
import { Optimizer, optimizerArgs, type OptimizerArgs, type OptimizerOptions } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first-moment average (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average (default 0.999). */
  beta2?: number;
  /** Added to the denominator (default 1e-7, Keras' value; PyTorch uses 1e-8). */
  epsilon?: number;
  /** PyTorch's name for epsilon. */
  eps?: number;
  /** Use the running maximum of the second moment (default false). */
  amsgrad?: boolean;
}

/** Arguments already read by a subclass (AdamW), passed through Adam's constructor. */
class Preparsed {
  constructor(readonly args: OptimizerArgs, readonly defaultWeightDecay: number) {}
}

const SPECS: readonly OptionSpec[] = [
  { name: 'beta1', type: { kind: 'number', min: 0, max: 1, maxExclusive: true } },
  { name: 'beta2', type: { kind: 'number', min: 0, max: 1, maxExclusive: true } },
  { name: 'epsilon', aliases: ['eps'], type: { kind: 'number', min: 0 } },
  { name: 'amsgrad', type: { kind: 'boolean' } },
];

/**
 * Adam: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², p −= lr·m̂/(√v̂ + ε) with the bias
 * corrections m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), t the parameter's update count. ε is added to
 * √v̂ as in PyTorch (Keras adds it to √v before correcting, which differs only while v is of
 * the order of ε²); its default, 1e-7, is Keras'. weightDecay adds weightDecay·p to the
 * gradient (L2, as torch.optim.Adam); for decoupled decay use AdamW. Default lr 0.001.
 */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  protected readonly rule = 'adam' as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(options?: AdamOptions);
  constructor(params: Iterable<Tensor>, options?: AdamOptions);
  constructor(a?: Iterable<Tensor> | AdamOptions | Preparsed, b?: AdamOptions) {
    // AdamW arrives with its options already read under its own name and its own default decay.
    const pre = a instanceof Preparsed ? a : null;
    const args = pre?.args ?? optimizerArgs('Adam', a, b, SPECS);
    super(args, 0.001, pre?.defaultWeightDecay ?? 0);
    this.beta1 = option(args.values, 'beta1', 0.9);
    this.beta2 = option(args.values, 'beta2', 0.999);
    this.epsilon = option(args.values, 'epsilon', 1e-7);
    this.amsgrad = option(args.values, 'amsgrad', false);
  }

  protected slotCount(): number {
    return this.amsgrad ? 3 : 2;
  }

  protected writeHyper(h: OptimizerHyper): void {
    h.beta1 = this.beta1;
    h.beta2 = this.beta2;
    h.eps = this.epsilon;
    h.amsgrad = this.amsgrad;
    h.decoupled = false;
  }

  protected ruleConfig(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam whose weight decay shrinks the parameters directly,
 * p ← p·(1 − lr·weightDecay), instead of entering the moments. Default weightDecay 0.004,
 * Keras' value (PyTorch's is 0.01); default lr 0.001.
 */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';

  constructor(options?: AdamOptions);
  constructor(params: Iterable<Tensor>, options?: AdamOptions);
  constructor(a?: Iterable<Tensor> | AdamOptions, b?: AdamOptions) {
    super(new Preparsed(optimizerArgs('AdamW', a, b, SPECS), 0.004) as unknown as AdamOptions);
  }

  protected override writeHyper(h: OptimizerHyper): void {
    super.writeHyper(h);
    h.decoupled = true;
  }
}

/** A parameterless Adam (Keras style). */
export function adam(options?: AdamOptions | number): Adam {
  return new Adam(typeof options === 'number' ? { learningRate: options } : options);
}

/** A parameterless AdamW (Keras style). */
export function adamw(options?: AdamOptions | number): AdamW {
  return new AdamW(typeof options === 'number' ? { learningRate: options } : options);
}
