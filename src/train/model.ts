/**
 * Model: a layer that trains. `compile` picks the optimiser, loss and metrics; `fit` runs the
 * async training loop; `evaluate`, `predict` and `trainStep` serve custom loops; `save` writes
 * topology + safetensors weights. Sequential is a Model; user models subclass it and implement
 * `call`.
 */
import type { Communicator } from '../distributed/communicator.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { type Labels, type LossFunction, type LossOptions, type LossSpec, getLoss } from '../losses.js';
import { Layer } from '../nn/layer.js';
import { type OptimizerSpec, getOptimizer } from '../optim/index.js';
import { Optimizer } from '../optim/optimizer.js';
import { Tensor } from '../tensor.js';
import { checkBatch, checkSampleWeight, enterMode, isLabels, runEvaluate, runFit, runPredict } from './fit.js';
import { type Metric, type MetricSpec, getMetric } from './metrics.js';
import type { ProgressStream } from './progress.js';

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
  /**
   * Stops training cleanly when aborted: the current batch finishes, onTrainEnd runs, and fit
   * resolves (no exception) with the history of the epochs that completed; the interrupted
   * epoch is not recorded.
   */
  signal?: AbortSignal;
  /** Where progress is written (default process.stdout); its isTTY selects the bar at verbose 1. */
  progressStream?: ProgressStream;
  /**
   * Data-parallel training over the ranks of a communicator (every rank calls fit with the same
   * in-memory data and arguments): see DistributedFitOptions.
   */
  distributed?: Communicator | DistributedFitOptions;
}

/**
 * How fit trains data-parallel, as PyTorch's DistributedDataParallel with a DistributedSampler:
 * the weights start from rank 0's; each epoch every rank trains on its shard of the training
 * samples (batchSize is per rank, so a step sees batchSize × worldSize samples); gradients are
 * averaged over the ranks before each optimizer step; the epoch logs (loss, metrics and the
 * validation values, each rank evaluating a slice of the validation data) are averaged over
 * the ranks weighted by sample count, so every rank sees the same logs and callbacks such as
 * EarlyStopping decide alike. Only rank 0 reports progress and runs ModelCheckpoint.
 */
export interface DistributedFitOptions {
  communicator: Communicator;
  /** Seed of the epoch shuffles, the same on every rank (default: drawn by rank 0 from the global RNG). */
  seed?: number;
  /** Drop the samples that do not divide evenly among the ranks instead of repeating some (default false). */
  dropLast?: boolean;
  /** Gradient bucket size in MB (default 25). */
  bucketCapMb?: number;
  /** Average BatchNormalization moving statistics after each step (default false; see DistributedDataParallel). */
  syncBatchNorm?: boolean;
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

/** What compile() resolved: the loss, the metrics and whether the optimiser has the parameters. */
export interface CompiledState {
  readonly loss: LossFunction;
  readonly lossName: string;
  readonly metrics: readonly Metric[];
  /** Whether optimizer.setParameters has run (deferred until the model is built). */
  attached: boolean;
  /** Reused loss options (sample weights), so a step allocates none. */
  readonly lossOptions: LossOptions;
}

/** Per-call arguments of a training forward pass, hoisted so a step allocates none. */
const TRAINING: { training: boolean } = Object.freeze({ training: true });

export abstract class Model extends Layer<Tensor, Tensor> {
  /** Set by compile(). */
  optimizer: Optimizer | null = null;
  /** Set by a callback (EarlyStopping) or the user to end fit() after the current epoch. */
  stopTraining = false;
  /** The History of the last fit() (null before). */
  history: History | null = null;
  /** @internal What compile() resolved; null before. */
  compiled: CompiledState | null = null;
  /** @internal True while fit() runs (a second concurrent fit is refused). */
  fitting = false;
  /** @internal The loss of the last backwardBatch. */
  lastLoss = 0;

  /**
   * Configures training: the optimiser ('adam', {className, config} or an instance), the loss
   * (a name as Keras or tfjs spell it, or a function) and metrics (names, resolved against the
   * loss as Keras does for 'accuracy', or Metric objects). The optimiser gets the model's
   * parameters now when the model is built, otherwise on the first batch.
   */
  compile(args: CompileArgs): void {
    if (args === null || typeof args !== 'object') {
      throw new ArgumentError(`dendrite.compile: expected { optimizer, loss, metrics }, got ${describe(args)}`);
    }
    if (args.optimizer === undefined || args.optimizer === null) throw new ArgumentError('dendrite.compile: optimizer is required');
    if (args.loss === undefined || args.loss === null) throw new ArgumentError('dendrite.compile: loss is required');
    const optimizer = args.optimizer instanceof Optimizer ? args.optimizer : getOptimizer(args.optimizer);
    let loss: LossFunction;
    let lossName: string;
    if (typeof args.loss === 'function') {
      loss = args.loss;
      const named = (args.loss as { lossName?: unknown }).lossName;
      lossName = typeof named === 'string' ? named : args.loss.name || 'loss';
    } else {
      const resolved = getLoss(args.loss);
      loss = resolved;
      lossName = resolved.lossName;
    }
    const specs = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics as MetricSpec];
    const metrics = specs.map((spec: MetricSpec) => (isMetric(spec) ? spec : getMetric(spec, lossName)));
    const names = new Set<string>(['loss']);
    for (const m of metrics) {
      if (names.has(m.name)) throw new ArgumentError(`dendrite.compile: two metrics (or a metric and the loss) are named '${m.name}'`);
      names.add(m.name);
    }
    this.optimizer = optimizer;
    this.compiled = { loss, lossName, metrics, attached: false, lossOptions: { sampleWeight: null } };
    if (this.built) this.attachParameters();
  }

  /**
   * Trains for `epochs` passes over in-memory tensors `fit(x, y, args)` or over a batch source
   * `fit(source, args)` (any iterable or async iterable of { xs, ys }, re-iterated each epoch).
   * Async: yields to the event loop between batches. Resolves with the History (also kept in
   * `model.history`). See FitArgs for the options, including `signal` to stop early.
   */
  fit(x: Tensor | BatchSource, y?: Labels | FitArgs, args?: FitArgs): Promise<History> {
    return withData('fit', x, y, args, (data, a) => runFit(this, data, a));
  }

  /**
   * Loss and metrics over the data: { loss, accuracy, ... }, in evaluation mode without
   * recording a graph (the previous mode is restored). `evaluate(x, y, args)` or
   * `evaluate(source, args)`.
   */
  evaluate(x: Tensor | BatchSource, y?: Labels | EvaluateArgs, args?: EvaluateArgs): Promise<Logs> {
    return withData('evaluate', x, y, args, (data, a) => runEvaluate(this, data, a));
  }

  /** Outputs for x in evaluation mode, batch by batch (no graph recorded). */
  predict(x: Tensor, args?: PredictArgs): Tensor {
    return runPredict(this, x, args ?? {});
  }

  /**
   * One optimisation step on one batch, in training mode: forward, loss, backward,
   * optimizer.step(), optimizer.zeroGrad(). Returns this batch's loss and metric values.
   */
  trainStep(x: Tensor, y: Labels, sampleWeight?: Tensor | Float32Array): Logs {
    const compiled = this.requireCompiled('trainStep');
    checkBatch('trainStep', x, y);
    const sw = sampleWeight ?? null;
    if (sw !== null) checkSampleWeight('trainStep', sw, x.shape[0]!);
    for (const m of compiled.metrics) m.reset();
    let loss: number;
    if (this.training) {
      loss = this.trainBatch(x, y, sw);
    } else {
      const restore = enterMode(this, true);
      try {
        loss = this.trainBatch(x, y, sw);
      } finally {
        restore();
      }
    }
    const logs: Logs = { loss };
    for (const m of compiled.metrics) logs[m.name] = m.result();
    return logs;
  }

  /**
   * @internal The step fit() runs: inputs already checked, the model already in training mode.
   * Updates the metrics (without resetting them) and returns the batch's loss.
   */
  trainBatch(x: Tensor, y: Labels, sampleWeight: Tensor | Float32Array | null): number {
    const out = this.backwardBatch(x, y, sampleWeight);
    const value = this.lastLoss;
    this.applyBatch(y, out);
    return value;
  }

  /**
   * @internal First half of trainBatch: forward, loss and backward; the loss is left in
   * lastLoss and the output returned for applyBatch. Distributed fit averages the gradients
   * between the two halves.
   */
  backwardBatch(x: Tensor, y: Labels, sampleWeight: Tensor | Float32Array | null): Tensor {
    const compiled = this.compiled!;
    const out = this.forward(x, TRAINING);
    if (!compiled.attached) this.attachParameters();
    const options = compiled.lossOptions;
    options.sampleWeight = sampleWeight;
    const loss = compiled.loss(y, out, options);
    options.sampleWeight = null;
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      throw new ShapeError(
        `dendrite.fit: the loss must return one number (reduction 'mean' or 'sum'), got ${loss instanceof Tensor ? fmtShape(loss.shape) : describe(loss)}`,
      );
    }
    this.lastLoss = loss.data[0]!;
    loss.backward();
    return out;
  }

  /** @internal Second half of trainBatch: optimizer step, gradients cleared, metrics updated. */
  applyBatch(y: Labels, out: Tensor): void {
    const opt = this.optimizer!;
    opt.step();
    opt.zeroGrad();
    const metrics = this.compiled!.metrics;
    for (let i = 0; i < metrics.length; i++) metrics[i]!.update(y, out);
  }

  /** @internal compiled state or an error naming the caller. */
  requireCompiled(who: string): CompiledState {
    if (this.compiled === null || this.optimizer === null) {
      throw new ArgumentError(`dendrite.${who}: the model is not compiled; call model.compile({ optimizer, loss, metrics }) first`);
    }
    return this.compiled;
  }

  private attachParameters(): void {
    this.optimizer!.setParameters(this.parameters());
    this.compiled!.attached = true;
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

/**
 * Sorts the two call forms of fit and evaluate, `op(x, y, args)` and `op(source, args)`, into the
 * data and the args (default {}) and runs `run` on them; a mismatched call is a rejected promise.
 */
function withData<A extends object, R>(
  op: string, x: Tensor | BatchSource, y: Labels | A | undefined, args: A | undefined,
  run: (data: Parameters<typeof runFit>[1], args: A) => Promise<R>,
): Promise<R> {
  if (x instanceof Tensor) {
    if (!isLabels(y)) {
      return Promise.reject(new ArgumentError(`dendrite.${op}: ${op}(x, y, args) needs labels y (a Tensor or Int32Array), got ${describe(y)}`));
    }
    return run({ x, y }, args ?? ({} as A));
  }
  if (isLabels(y)) {
    return Promise.reject(new ArgumentError(`dendrite.${op}: x must be a Tensor when labels are given, got ${describe(x)}`));
  }
  return run({ source: x }, (y as A | undefined) ?? ({} as A));
}

function isMetric(spec: unknown): spec is Metric {
  if (spec === null || typeof spec !== 'object') return false;
  const m = spec as Partial<Metric>;
  return typeof m.update === 'function' && typeof m.result === 'function' && typeof m.reset === 'function' && typeof m.name === 'string';
}
