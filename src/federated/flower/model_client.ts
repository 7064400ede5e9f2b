/**
 * A Flower client for a compiled dendrite Model (Sequential or a subclass): what Flower's Keras
 * examples write by hand as a NumPyClient. The tensors exchanged are the model's state in
 * `stateDict()` order (trainable parameters layer by layer, then buffers such as BatchNorm's
 * running statistics, as Keras' get_weights lists them); fit trains the local data for the
 * round's epochs, evaluate reports the loss and every compiled metric.
 */
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../../errors.js';
import type { Labels } from '../../losses.js';
import { Tensor } from '../../tensor.js';
import type { Model } from '../../train/model.js';
import type { EvaluateResult, FitResult, FlowerClient, FlowerConfig, NdArray } from './client.js';

export interface ModelClientData {
  /** Local training inputs, [samples, ...]. */
  x: Tensor;
  /** Local training labels (class indices or a tensor), one per sample. */
  y: Labels;
  /** Local evaluation data (default: the training data). */
  xTest?: Tensor;
  yTest?: Labels;
  /** Local epochs per round unless the server's fit config has 'epochs' or 'local_epochs' (default 1). */
  epochs?: number;
  /** Batch size unless the server's fit config has 'batch_size' (default 32). */
  batchSize?: number;
  /** Batch size of evaluation (default 1000). */
  evaluateBatchSize?: number;
}

function rows(who: string, what: string, v: Tensor | Labels): number {
  if (v instanceof Int32Array) return v.length;
  if (v instanceof Tensor) {
    if (v.shape.length === 0) throw new ShapeError(`dendrite.${who}: ${what} must have a sample axis, got shape []`);
    return v.shape[0]!;
  }
  throw new ArgumentError(`dendrite.${who}: ${what} must be a Tensor or an Int32Array, got ${describe(v)}`);
}

function intFromConfig(who: string, config: FlowerConfig, keys: readonly string[], fallback: number, max: number): number {
  for (const k of keys) {
    const v = config[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
      throw new ValueError(`dendrite.${who}: config '${k}' must be an integer in [1, ${max}], got ${describe(v)}`);
    }
    return v;
  }
  return fallback;
}

/**
 * Wraps a compiled model and its local data as a FlowerClient for startFlowerClient. The model's
 * tensors are overwritten in place with the server's on every fit and evaluate (so the optimiser
 * keeps its state across rounds, as a Keras client's does).
 */
export function flowerModelClient(model: Model, data: ModelClientData): FlowerClient {
  const who = 'flowerModelClient';
  if (model === null || typeof model !== 'object' || typeof model.fit !== 'function' || typeof model.stateDict !== 'function') {
    throw new ArgumentError(`dendrite.${who}: expected a dendrite Model, got ${describe(model)}`);
  }
  if (model.compiled === null) throw new ArgumentError(`dendrite.${who}: compile() the model first (optimizer, loss, metrics)`);
  if (data === null || typeof data !== 'object') throw new ArgumentError(`dendrite.${who}: expected { x, y, ... }, got ${describe(data)}`);
  const nTrain = rows(who, 'x', data.x);
  if (rows(who, 'y', data.y) !== nTrain) throw new ShapeError(`dendrite.${who}: x has ${nTrain} samples but y has ${rows(who, 'y', data.y)}`);
  if (nTrain === 0) throw new ValueError(`dendrite.${who}: x has no samples`);
  if ((data.xTest === undefined) !== (data.yTest === undefined)) throw new ArgumentError(`dendrite.${who}: give both xTest and yTest, or neither`);
  const xTest = data.xTest ?? data.x;
  const yTest = data.yTest ?? data.y;
  const nTest = rows(who, 'xTest', xTest);
  if (rows(who, 'yTest', yTest) !== nTest) throw new ShapeError(`dendrite.${who}: xTest has ${nTest} samples but yTest has ${rows(who, 'yTest', yTest)}`);
  const defaultEpochs = intFromConfig(who, { epochs: data.epochs ?? 1 }, ['epochs'], 1, 10_000);
  const defaultBatch = intFromConfig(who, { batch_size: data.batchSize ?? 32 }, ['batch_size'], 32, 1 << 24);
  const evalBatch = intFromConfig(who, { batch_size: data.evaluateBatchSize ?? 1000 }, ['batch_size'], 1000, 1 << 24);

  // A model without an input shape builds its weights on the first call: run one sample through.
  if (!model.built) model.predict(new Tensor(data.x.data.slice(0, data.x.size / nTrain), [1, ...data.x.shape.slice(1)]));
  const tensors = [...model.stateDict().values()];
  if (tensors.length === 0) throw new ValueError(`dendrite.${who}: the model has no weights`);
  const parameterShapes = tensors.map((t) => [...t.shape]);

  const get = (): NdArray[] => tensors.map((t) => ({ data: t.data.slice(), shape: [...t.shape] }));
  const set = (op: string, arrays: readonly NdArray[]): void => {
    if (arrays.length !== tensors.length) throw new ShapeError(`dendrite.${who}.${op}: got ${arrays.length} tensors, the model has ${tensors.length}`);
    arrays.forEach((a, i) => {
      const t = tensors[i]!;
      if (a.shape.length !== t.shape.length || a.shape.some((d, j) => d !== t.shape[j]) || a.data.length !== t.size) {
        throw new ShapeError(`dendrite.${who}.${op}: tensor ${i} has shape ${fmtShape(a.shape)}, the model expects ${fmtShape(t.shape)}`);
      }
    });
    arrays.forEach((a, i) => tensors[i]!.data.set(a.data));
  };

  return {
    parameterShapes,
    getParameters: () => get(),
    async fit(parameters: NdArray[], config: FlowerConfig): Promise<FitResult> {
      set('fit', parameters);
      const epochs = intFromConfig(`${who}.fit`, config, ['epochs', 'local_epochs'], defaultEpochs, 10_000);
      const batchSize = intFromConfig(`${who}.fit`, config, ['batch_size'], defaultBatch, 1 << 24);
      const history = await model.fit(data.x, data.y, { epochs, batchSize, verbose: 0 });
      const metrics: FlowerConfig = {};
      for (const [name, values] of Object.entries(history.history)) {
        const last = values[values.length - 1];
        if (last !== undefined && Number.isFinite(last)) metrics[name] = last;
      }
      return { parameters: get(), numExamples: nTrain, metrics };
    },
    async evaluate(parameters: NdArray[], _config: FlowerConfig): Promise<EvaluateResult> {
      set('evaluate', parameters);
      const logs = await model.evaluate(xTest, yTest, { batchSize: evalBatch, verbose: 0 });
      const loss = logs.loss;
      if (loss === undefined) throw new ValueError(`dendrite.${who}.evaluate: the model's evaluate returned no loss`);
      const metrics: FlowerConfig = {};
      for (const [name, v] of Object.entries(logs)) if (name !== 'loss' && Number.isFinite(v)) metrics[name] = v;
      return { loss, numExamples: nTest, metrics };
    },
  };
}
