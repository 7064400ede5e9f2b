/**
 * The client side of federated learning: local training from the global parameters on the
 * client's own examples (mini-batch SGD or Adam, E epochs, with FedProx's proximal term when
 * asked), evaluation, and the attacks a poisoned client can mount for robustness experiments.
 */
import { noGrad } from '../autograd.js';
import { ArgumentError, ShapeError, ValueError, describe } from '../errors.js';
import { sparseCategoricalCrossentropy } from '../losses.js';
import type { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { getWeights, setWeights, type Weights } from './parameters.js';
import type { ClientConfig } from './strategies.js';
import type { ClientUpdate } from './validation.js';

/**
 * A client's examples: rows of a (possibly shared) feature matrix picked by `indices`, so many
 * clients can share one copy of a dataset.
 */
export interface LocalData {
  /** Row-major [rows, features] values. */
  readonly images: Float32Array;
  readonly features: number;
  /** One class index per row of `images`. */
  readonly labels: Int32Array;
  /** The rows that belong to this client (default: all). */
  readonly indices?: Int32Array;
}

/** How a malicious client corrupts its update. */
export type Attack =
  /** Sends global − scale·Δ: its honest change reversed and amplified. */
  | 'signflip'
  /** Sends global + N(0, scale²) per coordinate: a huge random update. */
  | 'gaussian'
  /** Trains honestly on labels y → (classes − 1 − y). */
  | 'labelflip';

export const ATTACKS: readonly Attack[] = ['signflip', 'gaussian', 'labelflip'];

/** Local training settings (the server's ClientConfig plus the client's own). */
export interface LocalTrainConfig extends Partial<ClientConfig> {
  /** Passes over the local data (default 1). */
  readonly epochs?: number;
  /** Mini-batch size (default 32). */
  readonly batchSize?: number;
  /** Step size (default 0.05 for SGD, 0.001 for Adam). */
  readonly learningRate?: number;
  readonly optimizer?: 'sgd' | 'adam';
  /** Stop after this many steps (a straggler doing partial work); default: no limit. */
  readonly maxSteps?: number;
  /** Seed of the local shuffling (default 0). */
  readonly seed?: number;
  /** Mount this attack (a poisoned client). */
  readonly attack?: Attack;
  /** The attack's strength: signflip's factor, gaussian's standard deviation (default 10). */
  readonly attackScale?: number;
  /** Number of classes, for labelflip (default 10). */
  readonly numClasses?: number;
}

/** What local training reports. */
export type LocalTrainMetrics = {
  /** Mean training loss and accuracy over the steps taken. */
  readonly loss: number;
  readonly accuracy: number;
  readonly steps: number;
  readonly seconds: number;
};

function rowsOf(data: LocalData): Int32Array {
  if (data.indices !== undefined) return data.indices;
  return Int32Array.from({ length: data.labels.length }, (_, i) => i);
}

function checkData(op: string, data: LocalData): void {
  if (!(data.images instanceof Float32Array) || !(data.labels instanceof Int32Array)) {
    throw new ArgumentError(`dendrite.${op}: images must be a Float32Array and labels an Int32Array, got ${describe(data.images)} and ${describe(data.labels)}`);
  }
  if (!Number.isSafeInteger(data.features) || data.features < 1 || data.images.length !== data.labels.length * data.features) {
    throw new ShapeError(`dendrite.${op}: ${data.images.length} values are not ${data.labels.length} rows of ${data.features} features`);
  }
  const rows = data.labels.length;
  if (data.indices !== undefined) for (const i of data.indices) if (!(i >= 0 && i < rows)) throw new ValueError(`dendrite.${op}: index ${i} is outside the ${rows} rows`);
}

function gather(data: LocalData, rows: Int32Array, from: number, to: number, flipClasses: number): { x: Tensor; y: Int32Array } {
  const f = data.features;
  const b = to - from;
  const x = new Float32Array(b * f);
  const y = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const r = rows[from + k]!;
    x.set(data.images.subarray(r * f, (r + 1) * f), k * f);
    const label = data.labels[r]!;
    y[k] = flipClasses > 0 ? flipClasses - 1 - label : label;
  }
  return { x: new Tensor(x, [b, f]), y };
}

/**
 * Trains `model` from `global` on the client's data and returns its new parameters. The model's
 * parameters are overwritten (a client or worker reuses one model for many clients). With
 * `proximalMu` μ > 0, μ(w − w_global) is added to every gradient before each step (FedProx).
 */
export function localTrain(model: Sequential, global: readonly Float32Array[], data: LocalData, config: LocalTrainConfig = {}): { weights: Weights; numExamples: number; metrics: LocalTrainMetrics } {
  const started = performance.now();
  checkData('localTrain', data);
  const epochs = config.epochs ?? 1;
  const batchSize = config.batchSize ?? 32;
  const kind = config.optimizer ?? 'sgd';
  const mu = config.proximalMu ?? 0;
  const maxSteps = config.maxSteps ?? Infinity;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new ArgumentError(`dendrite.localTrain: epochs must be an integer ≥ 0, got ${describe(epochs)}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ArgumentError(`dendrite.localTrain: batchSize must be an integer ≥ 1, got ${describe(batchSize)}`);
  if (kind !== 'sgd' && kind !== 'adam') throw new ArgumentError(`dendrite.localTrain: optimizer must be 'sgd' or 'adam', got ${describe(kind)}`);
  if (!(mu >= 0) || !Number.isFinite(mu)) throw new ArgumentError(`dendrite.localTrain: proximalMu must be a finite number ≥ 0, got ${describe(mu)}`);
  if (!(maxSteps >= 0)) throw new ArgumentError(`dendrite.localTrain: maxSteps must be ≥ 0, got ${describe(maxSteps)}`);
  if (config.attack !== undefined && !ATTACKS.includes(config.attack)) throw new ArgumentError(`dendrite.localTrain: unknown attack ${describe(config.attack)} (known: ${ATTACKS.join(', ')})`);
  setWeights(model, global);
  const params = model.parameters();
  const lr = config.learningRate ?? (kind === 'sgd' ? 0.05 : 0.001);
  const opt: Optimizer = kind === 'sgd' ? new SGD(params, { learningRate: lr }) : new Adam(params, { learningRate: lr });
  const rng = new Random(config.seed ?? 0);
  const rows = rowsOf(data).slice();
  const flip = config.attack === 'labelflip' ? config.numClasses ?? 10 : 0;
  const stats: EpochStats = { steps: 0, lossSum: 0, right: 0, seen: 0 };
  for (let e = 0; e < epochs && stats.steps < maxSteps; e++) {
    trainEpoch(model, opt, { ...data, indices: rows }, batchSize, rng, { proximalMu: mu, global, maxSteps, flipClasses: flip }, stats);
  }
  const { steps, lossSum, right, seen } = stats;
  let weights = getWeights(model);
  if (config.attack === 'signflip' || config.attack === 'gaussian') weights = poison(global, weights, config.attack, config.attackScale ?? 10, rng);
  return {
    weights,
    numExamples: rows.length,
    metrics: { loss: seen === 0 ? NaN : lossSum / seen, accuracy: seen === 0 ? NaN : right / seen, steps, seconds: (performance.now() - started) / 1000 },
  };
}

function countRight(probs: Float32Array, labels: Int32Array, classes: number): number {
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c]! > probs[r * classes + best]!) best = c;
    if (best === labels[r]) right++;
  }
  return right;
}

/** Running totals of local training. */
export interface EpochStats {
  steps: number;
  lossSum: number;
  right: number;
  seen: number;
}

/**
 * One pass over `data.indices` (shuffled in place with `rng`) in mini-batches: forward,
 * cross-entropy, backward, the optional proximal term μ(w − global), optimiser step. Stops early
 * once `stats.steps` reaches `maxSteps`. Updates `stats`.
 */
export function trainEpoch(
  model: Sequential, opt: Optimizer, data: LocalData, batchSize: number, rng: Random,
  extra: { proximalMu?: number; global?: readonly Float32Array[]; maxSteps?: number; flipClasses?: number }, stats: EpochStats,
): void {
  const rows = data.indices ?? Int32Array.from({ length: data.labels.length }, (_, i) => i);
  const mu = extra.proximalMu ?? 0;
  const global = extra.global;
  if (mu > 0 && global === undefined) throw new ArgumentError('dendrite.trainEpoch: the proximal term needs the global parameters');
  const maxSteps = extra.maxSteps ?? Infinity;
  const params = model.parameters();
  model.train();
  rng.shuffle(rows);
  for (let from = 0; from < rows.length; from += batchSize) {
    if (stats.steps >= maxSteps) return;
    const to = Math.min(rows.length, from + batchSize);
    const { x, y } = gather(data, rows, from, to, extra.flipClasses ?? 0);
    const out = model.forward(x);
    const loss = sparseCategoricalCrossentropy(y, out);
    loss.backward();
    if (mu > 0) {
      for (let p = 0; p < params.length; p++) {
        const g = params[p]!.grad;
        if (g === null) continue;
        const gd = g.data;
        const w = params[p]!.data;
        const w0 = global![p]!;
        for (let j = 0; j < gd.length; j++) gd[j] = gd[j]! + mu * (w[j]! - w0[j]!);
      }
    }
    opt.step();
    opt.zeroGrad();
    stats.steps++;
    stats.lossSum += loss.data[0]! * (to - from);
    stats.right += countRight(out.data, y, out.shape[1]!);
    stats.seen += to - from;
  }
}

/** A poisoned update: signflip sends global − scale·(w − global); gaussian global + N(0, scale²). */
export function poison(global: readonly Float32Array[], honest: readonly Float32Array[], attack: 'signflip' | 'gaussian', scale: number, rng: Random): Weights {
  return global.map((g, i) => {
    const out = new Float32Array(g.length);
    const w = honest[i]!;
    for (let j = 0; j < g.length; j++) out[j] = attack === 'signflip' ? g[j]! - scale * (w[j]! - g[j]!) : g[j]! + scale * rng.normal();
    return out;
  });
}

/** Accuracy and mean cross-entropy of `model` on rows of `data` (evaluation mode, no graph). */
export function evaluateModel(model: Sequential, data: LocalData, batchSize = 2000): { accuracy: number; loss: number; count: number } {
  checkData('evaluateModel', data);
  const rows = rowsOf(data);
  let right = 0;
  let loss = 0;
  const was = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let from = 0; from < rows.length; from += batchSize) {
        const to = Math.min(rows.length, from + batchSize);
        const { x, y } = gather(data, rows, from, to, 0);
        const out = model.forward(x);
        const classes = out.shape[1]!;
        right += countRight(out.data, y, classes);
        for (let r = 0; r < y.length; r++) loss -= Math.log(Math.max(1e-7, out.data[r * classes + y[r]!]!));
      }
    });
  } finally {
    model.train(was);
  }
  return { accuracy: rows.length === 0 ? NaN : right / rows.length, loss: rows.length === 0 ? NaN : loss / rows.length, count: rows.length };
}

/**
 * One federated client: a model of the shared architecture and its own examples. `fit` trains
 * from the global parameters and returns the update to send; `evaluate` scores given parameters
 * on the local data. (A transport — the in-process simulation, worker threads, or a network
 * client — decides how the parameters travel.)
 */
export class FederatedClient {
  constructor(
    readonly clientId: number | string,
    private readonly model: Sequential,
    readonly data: LocalData,
  ) {
    checkData('FederatedClient', data);
  }

  /** Local examples. */
  get numExamples(): number {
    return this.data.indices?.length ?? this.data.labels.length;
  }

  /** The model's current parameters. */
  getWeights(): Weights {
    return getWeights(this.model);
  }

  /** Trains from `global`; the result is the update to send to the server. */
  fit(global: readonly Float32Array[], config: LocalTrainConfig = {}): ClientUpdate & { metrics: LocalTrainMetrics } {
    const r = localTrain(this.model, global, this.data, config);
    return { clientId: this.clientId, weights: r.weights, numExamples: r.numExamples, metrics: r.metrics };
  }

  /** Loss and accuracy of `weights` on the local examples. */
  evaluate(weights: readonly Float32Array[]): { accuracy: number; loss: number; numExamples: number } {
    setWeights(this.model, weights);
    const r = evaluateModel(this.model, this.data);
    return { accuracy: r.accuracy, loss: r.loss, numExamples: r.count };
  }
}
