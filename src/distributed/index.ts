/**
 * Distributed (data-parallel) training: the Communicator contract, the in-process `local` back
 * end, DistributedDataParallel and DistributedSampler.
 */
export { DistributedError, DEFAULT_TIMEOUT_MS, resolveTimeoutMs, withTimeout } from './communicator.js';
export type { Communicator, ReduceOp } from './communicator.js';
export { DistributedDataParallel } from './ddp.js';
export type { DistributedDataParallelOptions, DistributedStats } from './ddp.js';
export { DistributedSampler } from './sampler.js';
export type { DistributedSamplerOptions } from './sampler.js';
export type { DistributedFitOptions } from '../train/model.js';

// ── back ends
export { launchLocal, sendToLauncher, LocalCommunicator, createLocalGroup, DEFAULT_CHUNK_SIZE } from './local.js';
export type { LaunchLocalOptions, LocalCommunicatorOptions, LocalGroupMemory, LocalMain } from './local.js';
// The MPI back end's re-export goes here: export * from './mpi.js';
