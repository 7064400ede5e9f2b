/**
 * DistributedDataParallel: PyTorch's DDP for a Module. Every rank holds a full replica; at
 * creation the parameters and buffers are broadcast from rank 0, so the replicas start equal;
 * after each backward pass `syncGradients()` averages every parameter's gradient over the ranks,
 * so each optimizer step applies the same update everywhere and the replicas stay equal.
 *
 * Gradients travel in fused buckets: consecutive parameters are packed into flat buffers of at
 * most `bucketCapMb` (25 MB by default, as PyTorch), one allreduce per bucket. Each bucket ends
 * with one presence flag per parameter, so a parameter that got no gradient on some rank (a
 * branch not taken) is averaged with zeros there, and keeps `.grad === null` only when no rank
 * had a gradient for it, the same on every rank.
 *
 * The reduction runs after backward has finished, not overlapped with it: the autograd engine
 * runs the whole backward synchronously and the collectives block the rank's thread, so there is
 * no idle time to overlap into.
 */
import { ArgumentError, describe } from '../errors.js';
import type { Module } from '../nn/module.js';
import { BatchNormalization } from '../nn/layers/normalization.js';
import { Tensor } from '../tensor.js';
import type { Communicator } from './communicator.js';

/** Options of DistributedDataParallel.create. */
export interface DistributedDataParallelOptions {
  /** Largest bucket of gradients reduced in one allreduce, in MB (default 25, as PyTorch). */
  bucketCapMb?: number;
  /**
   * Average the BatchNormalization moving mean and variance over the ranks in every
   * syncGradients() (default false: each rank keeps the statistics of its own batches).
   * A simplification of PyTorch's SyncBatchNorm, which normalises each batch with statistics
   * over all ranks' batches; here each rank normalises with its own batch and only the moving
   * averages (what inference uses) are kept equal.
   */
  syncBatchNorm?: boolean;
  /** Rank whose parameters and buffers every replica starts from (default 0). */
  rootRank?: number;
}

/** Time spent in collectives, for benchmarks. */
export interface DistributedStats {
  /** syncGradients() calls so far. */
  syncs: number;
  /** Milliseconds spent in syncGradients() (packing, allreduce, unpacking). */
  syncMs: number;
  /** Floats sent through allreduce so far. */
  floats: number;
}

/** Tensors packed into one flat buffer: bucket.data[offsets[i] ...] holds tensors[i]. */
interface Bucket {
  readonly tensors: readonly Tensor[];
  readonly offsets: Int32Array;
  /** Values, then (for gradient buckets) one presence flag per tensor. */
  readonly data: Float32Array;
  readonly flags: number;
}

function makeBuckets(tensors: readonly Tensor[], capFloats: number, withFlags: boolean): Bucket[] {
  const buckets: Bucket[] = [];
  let group: Tensor[] = [];
  let size = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    const offsets = new Int32Array(group.length);
    let at = 0;
    group.forEach((t, i) => {
      offsets[i] = at;
      at += t.size;
    });
    buckets.push({ tensors: group, offsets, data: new Float32Array(at + (withFlags ? group.length : 0)), flags: at });
    group = [];
    size = 0;
  };
  for (const t of tensors) {
    if (size > 0 && size + t.size > capFloats) flush();
    group.push(t);
    size += t.size;
  }
  flush();
  return buckets;
}

/** The flat buffers of `tensors`, broadcast from `root` and copied back in place. */
async function broadcastTensors(comm: Communicator, tensors: readonly Tensor[], capFloats: number, root: number): Promise<void> {
  for (const b of makeBuckets(tensors, capFloats, false)) {
    b.tensors.forEach((t, i) => b.data.set(t.data, b.offsets[i]!));
    await comm.broadcast(b.data, root);
    b.tensors.forEach((t, i) => t.data.set(b.data.subarray(b.offsets[i]!, b.offsets[i]! + t.size)));
  }
}

/** BatchNormalization moving statistics of `module`'s layers. */
function batchNormBuffers(module: Module<unknown, unknown>): Tensor[] {
  const out: Tensor[] = [];
  for (const [, m] of module.namedModules()) {
    if (m instanceof BatchNormalization && m.movingMean !== null && m.movingVariance !== null) out.push(m.movingMean, m.movingVariance);
  }
  return out;
}

function checkCommunicator(who: string, comm: unknown): asserts comm is Communicator {
  const c = comm as Partial<Communicator> | null;
  if (c === null || typeof c !== 'object' || typeof c.allreduce !== 'function' || typeof c.broadcast !== 'function'
    || !Number.isInteger(c.rank) || !Number.isInteger(c.worldSize)) {
    throw new ArgumentError(`dendrite.${who}: expected a Communicator (rank, worldSize, allreduce, broadcast, ...), got ${describe(comm)}`);
  }
}

export class DistributedDataParallel<M extends Module<unknown, unknown> = Module<unknown, unknown>> {
  /** Collective time so far (see DistributedStats). */
  readonly stats: DistributedStats = { syncs: 0, syncMs: 0, floats: 0 };
  private readonly params: readonly Tensor[];
  private readonly capFloats: number;
  private readonly gradBuckets: readonly Bucket[];
  private readonly bnBuckets: readonly Bucket[];

  private constructor(readonly module: M, readonly comm: Communicator, readonly options: Readonly<Required<DistributedDataParallelOptions>>) {
    this.capFloats = Math.max(1, Math.floor((options.bucketCapMb * 1024 * 1024) / 4));
    this.params = module.parameters();
    this.gradBuckets = makeBuckets(this.params, this.capFloats, true);
    this.bnBuckets = options.syncBatchNorm ? makeBuckets(batchNormBuffers(module), this.capFloats, false) : [];
  }

  /**
   * Wraps a built module (its weights exist: give the first layer an inputShape or call it once)
   * and broadcasts its parameters and buffers from rank 0 (options.rootRank), so every replica
   * starts from the same state. Every rank must call it.
   */
  static async create<M extends Module<unknown, unknown>>(
    module: M, comm: Communicator, options: DistributedDataParallelOptions = {},
  ): Promise<DistributedDataParallel<M>> {
    const who = 'DistributedDataParallel';
    if (module === null || typeof module !== 'object' || typeof (module as Partial<Module<unknown, unknown>>).parameters !== 'function') {
      throw new ArgumentError(`dendrite.${who}: expected a Module, got ${describe(module)}`);
    }
    checkCommunicator(who, comm);
    if (options === null || typeof options !== 'object') throw new ArgumentError(`dendrite.${who}: options must be an object, got ${describe(options)}`);
    const bucketCapMb = options.bucketCapMb ?? 25;
    if (typeof bucketCapMb !== 'number' || !(bucketCapMb > 0) || !Number.isFinite(bucketCapMb)) {
      throw new ArgumentError(`dendrite.${who}: bucketCapMb must be a positive number, got ${describe(bucketCapMb)}`);
    }
    const rootRank = options.rootRank ?? 0;
    if (!Number.isInteger(rootRank) || rootRank < 0 || rootRank >= comm.worldSize) {
      throw new ArgumentError(`dendrite.${who}: rootRank must be a rank in [0, ${comm.worldSize}), got ${describe(rootRank)}`);
    }
    const state = [...module.stateDict().values()];
    if (state.length === 0) {
      throw new ArgumentError(`dendrite.${who}: the module has no weights yet; build it first (give the first layer an inputShape, or call it once)`);
    }
    const ddp = new DistributedDataParallel(module, comm, { bucketCapMb, syncBatchNorm: options.syncBatchNorm === true, rootRank });
    await ddp.broadcastState();
    return ddp;
  }

  /** Copies every parameter and buffer from the root rank to all others (done by create()). */
  async broadcastState(): Promise<void> {
    await broadcastTensors(this.comm, [...this.module.stateDict().values()], this.capFloats, this.options.rootRank);
  }

  /**
   * Averages every parameter's `.grad` over the ranks, in place; call it on every rank after
   * `loss.backward()` and before `optimizer.step()`. With syncBatchNorm, also averages the
   * BatchNormalization moving statistics.
   */
  async syncGradients(): Promise<void> {
    const t0 = performance.now();
    const comm = this.comm;
    if (comm.worldSize > 1) {
      // All gradients are packed before any is written back: a gradient tensor may be shared
      // by two parameters, and must not be averaged twice.
      for (const b of this.gradBuckets) {
        const { tensors, offsets, data, flags } = b;
        for (let i = 0; i < tensors.length; i++) {
          const g = tensors[i]!.grad;
          if (g === null) {
            data.fill(0, offsets[i]!, offsets[i]! + tensors[i]!.size);
            data[flags + i] = 0;
          } else {
            data.set(g.data, offsets[i]!);
            data[flags + i] = 1;
          }
        }
      }
      for (const b of this.gradBuckets) {
        await comm.allreduce(b.data, 'mean');
        this.stats.floats += b.data.length;
      }
      for (const b of this.gradBuckets) {
        const { tensors, offsets, data, flags } = b;
        for (let i = 0; i < tensors.length; i++) {
          const p = tensors[i]!;
          const values = data.subarray(offsets[i]!, offsets[i]! + p.size);
          if (data[flags + i] === 0) continue; // no rank had a gradient
          if (p.grad === null) p.grad = new Tensor(values.slice(), p.shape);
          else p.grad.data.set(values);
        }
      }
      for (const b of this.bnBuckets) {
        b.tensors.forEach((t, i) => b.data.set(t.data, b.offsets[i]!));
        await comm.allreduce(b.data, 'mean');
        this.stats.floats += b.data.length;
        b.tensors.forEach((t, i) => t.data.set(b.data.subarray(b.offsets[i]!, b.offsets[i]! + t.size)));
      }
    }
    this.stats.syncs++;
    this.stats.syncMs += performance.now() - t0;
  }

  /** Number of gradient buckets (one allreduce each per syncGradients). */
  get bucketCount(): number {
    return this.gradBuckets.length;
  }
}
