/**
 * What Model.fit needs to train data-parallel: the options read once, the weights broadcast from
 * rank 0 (DistributedDataParallel), the epoch shards (DistributedSampler), and the per-epoch
 * averaging of logs, so the fit loop itself changes only where a step or an epoch ends.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import { globalRandom } from '../random.js';
import type { Model, DistributedFitOptions, FitArgs, Logs } from '../train/model.js';
import type { Communicator } from './communicator.js';
import { DistributedDataParallel } from './ddp.js';
import { DistributedSampler } from './sampler.js';

/** @internal A fit's distributed state. */
export interface DistributedFit {
  readonly comm: Communicator;
  readonly rank: number;
  readonly worldSize: number;
  readonly ddp: DistributedDataParallel<Model>;
  readonly sampler: DistributedSampler;
}

function isCommunicator(v: unknown): v is Communicator {
  const c = v as Partial<Communicator> | null;
  return c !== null && typeof c === 'object' && typeof c.allreduce === 'function' && typeof c.broadcast === 'function';
}

/** @internal The fit args' `distributed` as options, or null when absent. */
export function readDistributedOption(v: FitArgs['distributed']): DistributedFitOptions | null {
  if (v === undefined || v === null) return null;
  if (isCommunicator(v)) return { communicator: v };
  if (typeof v === 'object' && isCommunicator((v as DistributedFitOptions).communicator)) return v as DistributedFitOptions;
  throw new ArgumentError(`dendrite.fit: distributed must be a Communicator or { communicator, seed?, dropLast?, bucketCapMb?, syncBatchNorm? }, got ${describe(v)}`);
}

/**
 * @internal Starts a distributed fit on every rank (the model already built): broadcasts rank
 * 0's weights, agrees on the shuffle seed and makes this rank's sampler over the first
 * `trainRows` samples.
 */
export async function startDistributedFit(
  model: Model, options: DistributedFitOptions, trainRows: number, shuffle: boolean,
): Promise<DistributedFit> {
  const comm = options.communicator;
  const ddp = await DistributedDataParallel.create(model, comm, {
    ...(options.bucketCapMb === undefined ? {} : { bucketCapMb: options.bucketCapMb }),
    syncBatchNorm: options.syncBatchNorm === true,
  });
  let seed = options.seed;
  if (seed === undefined) {
    // 24 bits survive the float32 broadcast exactly.
    const buf = new Float32Array([comm.rank === 0 ? globalRandom.int(1 << 24) : 0]);
    await comm.broadcast(buf, 0);
    seed = buf[0]!;
  }
  const sampler = new DistributedSampler(trainRows, {
    worldSize: comm.worldSize, rank: comm.rank, shuffle, seed, dropLast: options.dropLast === true,
  });
  if (sampler.numSamples === 0) {
    throw new ValueError(`dendrite.fit: ${trainRows} training samples leave none for each of ${comm.worldSize} ranks with dropLast`);
  }
  return { comm, rank: comm.rank, worldSize: comm.worldSize, ddp, sampler };
}

/** @internal Rows [start, start + count) of `rows` that rank `rank` of `worldSize` evaluates. */
export function shardRange(rows: number, rank: number, worldSize: number): { start: number; count: number } {
  const start = Math.floor((rows * rank) / worldSize);
  return { start, count: Math.floor((rows * (rank + 1)) / worldSize) - start };
}

/**
 * @internal Every value of `logs` averaged over the ranks, each rank weighted by `count` (its
 * number of samples), written back into `logs`: exact for the loss and for accuracy-like
 * metrics (means over samples), a weighted mean of the ranks' values for the others.
 */
export async function averageLogs(comm: Communicator, logs: Logs, keys: readonly string[], count: number): Promise<void> {
  const buf = new Float32Array(keys.length + 1);
  buf[0] = count;
  keys.forEach((k, i) => {
    const v = logs[k]!;
    buf[i + 1] = count === 0 ? 0 : v * count; // NaN stays NaN
  });
  await comm.allreduce(buf, 'sum');
  const total = buf[0]!;
  keys.forEach((k, i) => {
    logs[k] = total === 0 ? Number.NaN : buf[i + 1]! / total;
  });
}

/** @internal Whether any rank asked to stop (model.stopTraining), so all ranks stop together. */
export async function anyRankStops(comm: Communicator, stop: boolean): Promise<boolean> {
  const buf = new Float32Array([stop ? 1 : 0]);
  await comm.allreduce(buf, 'sum');
  return buf[0]! > 0;
}
