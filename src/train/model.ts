/**
 * Model: a layer that trains. `compile` picks the optimiser, loss and metrics; `fit` runs the
 * async training loop; `evaluate`, `predict` and `trainStep` serve custom loops; `save` writes
 * topology + safetensors weights. Sequential is a Model; user models subclass it and implement
 * `call`.
 */
import type { Labels, LossSpec } from '../losses.js';
import { Layer } from '../nn/layer.js';
import type { OptimizerSpec, Optimizer } from '../optim/index.js';
import type { Tensor } from '../tensor.js';
import type { MetricSpec } from './metrics.js';

export interface CompileArgs {
  optimizer: OptimizerSpec;
  loss: LossSpec;
  metrics?: readonly MetricSpec[] | MetricSpec;
}

/** A batch from a dataset: inputs and labels. */
export interface Batch {
  readonly xs: Tensor;
  readonly ys: Labels;
}

/** Data that does not fit in memory: any (async) iterable of batches, re-iterated each epoch. */
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;

/** Callback hooks; logs hold the loss and metric values so far ('loss', 'accuracy', 'val_loss', ...). */
export interface Callback {
  setModel?(model: Model): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

export type Logs = Record<string, number>;

export interface FitArgs {
  /** Number of passes over the data (default 1). */
  epochs?: number;
  /** Samples per gradient step for in-memory data (default 32). */
  batchSize?: number;
  /** Shuffle the training samples every epoch (default true; seeded by the global RNG). */
  shuffle?: boolean;
  /** Fraction of the samples (taken from the end, before shuffling, as Keras) held out for validation. */
  validationSplit?: number;
  validationData?: readonly [Tensor, Labels] | BatchSource;
  /** Batch size for validation (default batchSize). */
  validationBatchSize?: number;
  callbacks?: readonly Callback[] | Callback;
  /** 0 silent, 1 progress bar on a TTY (a line per epoch otherwise), 2 a line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** First epoch index (resuming). */
  initialEpoch?: number;
  /** Batches per epoch for a batch source (default: until it ends). */
  stepsPerEpoch?: number;
  /** Per-sample loss weights [samples]. */
  sampleWeight?: Tensor | Float32Array;
  /** Loss weight per class index. */
  classWeight?: Readonly<Record<number, number>>;
  /** Stops training cleanly after the current batch when aborted. */
  signal?: AbortSignal;
}

/** What fit returns: per-epoch values of the loss and every metric (Keras' History). */
export interface History {
  readonly epoch: number[];
  readonly history: Record<string, number[]>;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1;
  sampleWeight?: Tensor | Float32Array;
}

export interface PredictArgs {
  batchSize?: number;
  verbose?: 0 | 1;
}

export abstract class Model extends Layer<Tensor, Tensor> {
  /** Set by compile(). */
  optimizer: Optimizer | null = null;
  /** Set by a callback (EarlyStopping) or the user to end fit() after the current epoch. */
  stopTraining = false;

  compile(args: CompileArgs): void {
    throw new Error(`compile: not implemented yet (${String(args)})`);
  }

  fit(x: Tensor | BatchSource, y?: Labels | FitArgs, args?: FitArgs): Promise<History> {
    throw new Error(`fit: not implemented yet (${String(x)} ${String(y)} ${String(args)})`);
  }

  /** Loss and metrics over the data: { loss, accuracy, ... }. */
  evaluate(x: Tensor | BatchSource, y?: Labels | EvaluateArgs, args?: EvaluateArgs): Promise<Logs> {
    throw new Error(`evaluate: not implemented yet (${String(x)} ${String(y)} ${String(args)})`);
  }

  /** Outputs for x in evaluation mode, batch by batch (no graph recorded). */
  predict(x: Tensor, args?: PredictArgs): Tensor {
    throw new Error(`predict: not implemented yet (${String(x)} ${String(args)})`);
  }

  /** One optimisation step on one batch; returns the batch's loss and metric values. */
  trainStep(x: Tensor, y: Labels, sampleWeight?: Tensor | Float32Array): Logs {
    throw new Error(`trainStep: not implemented yet (${String(x)} ${String(y)} ${String(sampleWeight)})`);
  }

  /**
   * Writes the model to `dir`: topology as JSON (model.json) and weights as safetensors
   * (weights.safetensors), each atomically. loadModel(dir) restores it.
   */
  async save(dir: string): Promise<void> {
    const { saveModel } = await import('../io/model_io.js');
    await saveModel(this, dir);
  }

  /** Writes only the weights (safetensors) to `file`. */
  async saveWeights(file: string): Promise<void> {
    const { saveWeights } = await import('../io/model_io.js');
    await saveWeights(this, file);
  }

  /** Loads weights written by saveWeights (or any safetensors file with matching names and shapes). */
  async loadWeights(file: string): Promise<void> {
    const { loadWeights } = await import('../io/model_io.js');
    await loadWeights(this, file);
  }
}
