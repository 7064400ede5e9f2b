/**
 * The entry of a simulation worker thread. It hosts clients in turn: `init` brings the model
 * topology (JSON) and the shared training set (SharedArrayBuffer views, not copies) with each
 * client's row indices; each `train` message brings the global parameters (transferred) and the
 * round's settings, and the reply transfers the client's new parameters back. The native pool
 * is set to one thread, so W workers use W cores (that pool is one per process: the runner
 * restores its size when it closes).
 *
 * Messages are plain data; only the fixed fields below are read.
 */
import { parentPort } from 'node:worker_threads';
import { setNumThreads } from '../backend/index.js';
import { layerFromConfig, type SerializedLayer } from '../nn/layer.js';
import '../nn/layers/index.js'; // registers the layer classes layerFromConfig rebuilds
import { Sequential } from '../nn/sequential.js';
import { localTrain, type LocalTrainConfig } from './client.js';

/** Sent once to a new worker. */
export interface WorkerInit {
  readonly type: 'init';
  readonly model: SerializedLayer;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly features: number;
  readonly partitions: readonly Int32Array[];
  readonly threads: number;
}

/** One client's local training. */
export interface WorkerTask {
  readonly type: 'train';
  readonly taskId: number;
  readonly client: number;
  readonly weights: Float32Array[];
  readonly config: LocalTrainConfig;
}

export type WorkerRequest = WorkerInit | WorkerTask;

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly taskId: number; readonly weights: Float32Array[]; readonly numExamples: number; readonly metrics: Record<string, number> }
  | { readonly type: 'error'; readonly taskId: number | null; readonly message: string };

const port = parentPort;
if (port !== null) {
  let state: { model: Sequential; init: WorkerInit } | null = null;
  port.on('message', (msg: WorkerRequest) => {
    try {
      if (msg.type === 'init') {
        setNumThreads(Math.max(1, msg.threads | 0));
        const model = layerFromConfig(msg.model);
        if (!(model instanceof Sequential)) throw new Error(`the model topology is a ${model.className}, not a Sequential`);
        if (!model.built && model.batchInputShape !== null) model.build(model.batchInputShape);
        state = { model, init: msg };
        port.postMessage({ type: 'ready' } satisfies WorkerReply);
      } else if (msg.type === 'train') {
        if (state === null) throw new Error('train before init');
        const indices = state.init.partitions[msg.client];
        if (indices === undefined) throw new Error(`no client ${msg.client}`);
        const r = localTrain(state.model, msg.weights, {
          images: state.init.images, labels: state.init.labels, features: state.init.features, indices,
        }, msg.config);
        const reply: WorkerReply = { type: 'result', taskId: msg.taskId, weights: r.weights, numExamples: r.numExamples, metrics: { ...r.metrics } };
        port.postMessage(reply, r.weights.map((w) => w.buffer as ArrayBuffer));
      }
    } catch (err) {
      const taskId = msg !== null && typeof msg === 'object' && msg.type === 'train' ? msg.taskId : null;
      port.postMessage({ type: 'error', taskId, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
    }
  });
}
