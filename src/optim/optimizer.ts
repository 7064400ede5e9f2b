/**
 * Optimizer: the base of SGD, Adam, AdamW, RMSprop and Adagrad. Works PyTorch style
 * (`new Adam(model.parameters(), { learningRate })`, `step()`, `zeroGrad()`) and Keras style
 * (created without parameters, e.g. from the string 'adam'; `compile` attaches the model's).
 * `step()` updates every parameter in one native call.
 */
import type { Tensor } from '../tensor.js';

export abstract class Optimizer {
  /** Keras class name ('Adam'), the key getOptimizer and serialisation use. */
  abstract readonly className: string;
  /** Current learning rate; schedules and callbacks set it between steps. */
  abstract learningRate: number;
  /** Number of step() calls so far. */
  abstract readonly iterations: number;
  /** Replaces the parameter list (Keras-style attach); state is kept for tensors seen before. */
  abstract setParameters(params: Iterable<Tensor>): void;
  /** The parameters being optimised. */
  abstract parameters(): Tensor[];
  /** Applies one update from each parameter's .grad (parameters without grad are skipped). */
  abstract step(): void;
  /** Clears every parameter's gradient, keeping the buffers for reuse by the next backward. */
  abstract zeroGrad(): void;
  /** JSON-serialisable hyper-parameters. */
  abstract getConfig(): Record<string, unknown>;
}
