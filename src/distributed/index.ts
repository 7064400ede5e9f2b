/**
 * Distributed (data-parallel) training: the Communicator contract, the in-process `local` back
 * end, DistributedDataParallel and DistributedSampler.
 */
export { DistributedError, DEFAULT_TIMEOUT_MS, resolveTimeoutMs, withTimeout } from './communicator.js';
export type { Communicator, ReduceOp } from './communicator.js';

// ── back ends
// (the MPI back end's re-export goes here: export * from './mpi.js')
