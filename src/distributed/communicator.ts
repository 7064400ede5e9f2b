/**
 * The communicator: what every distributed back end (the in-process `local` one, MPI) offers to
 * data-parallel training. Collectives work in place on Float32Arrays, are called by every rank in
 * the same order with buffers of the same length, and never hang: each has a timeout and rejects
 * with a DistributedError naming the op, the rank and what it waited for.
 */

/** How allreduce combines the ranks' buffers. */
export type ReduceOp = 'sum' | 'mean';

/** A group of `worldSize` ranks that run collectives together. */
export interface Communicator {
  /** This process's (or thread's) index, 0 … worldSize-1. */
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: 'local' | 'mpi';
  /** In place over all ranks; every rank passes a buffer of the same length. Default 'sum'. */
  allreduce(buf: Float32Array, op?: ReduceOp): Promise<void>;
  /** In place: every rank ends with root's contents (root defaults to 0). */
  broadcast(buf: Float32Array, root?: number): Promise<void>;
  /** Concatenation of every rank's buffer in rank order (all the same length). */
  allgather(buf: Float32Array): Promise<Float32Array>;
  /** Resolves once every rank has called barrier(). */
  barrier(): Promise<void>;
  /** Releases the communicator; later calls throw. */
  close(): Promise<void>;
}

/** A collective failed: a peer died, timed out, called a different op or passed a different length. */
export class DistributedError extends Error {
  override name = 'DistributedError';
}

/** Timeout of a collective when neither the option nor DENDRITE_DIST_TIMEOUT_MS says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The timeout a collective waits before failing: `timeoutMs` when given, else the environment
 * variable DENDRITE_DIST_TIMEOUT_MS, else 60 s. Throws a DistributedError for a value that is
 * not a positive number (Infinity is allowed and means no timeout).
 */
export function resolveTimeoutMs(timeoutMs?: number, who = 'distributed'): number {
  let v: number | undefined = timeoutMs;
  let from = 'timeoutMs';
  if (v === undefined) {
    const env = process.env.DENDRITE_DIST_TIMEOUT_MS;
    if (env === undefined || env.trim() === '') return DEFAULT_TIMEOUT_MS;
    v = Number(env);
    from = 'DENDRITE_DIST_TIMEOUT_MS';
  }
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) {
    throw new DistributedError(`dendrite.${who}: ${from} must be a positive number of milliseconds, got ${String(timeoutMs ?? process.env.DENDRITE_DIST_TIMEOUT_MS)}`);
  }
  return v;
}

/**
 * Settles like `promise`, or rejects with a DistributedError `dendrite.<op>: rank <rank> timed
 * out after <ms> ms waiting for <waitingFor>` if it has not settled within `ms`. For back ends
 * whose collectives are asynchronous (sockets, MPI requests); the timer never keeps the process
 * alive on its own.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, op: string, rank: number, waitingFor: string): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new DistributedError(`dendrite.${op}: rank ${rank} timed out after ${ms} ms waiting for ${waitingFor}`));
    }, ms);
    timer.unref?.();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
