/**
 * Federated learning: parameters as plain arrays, server strategies (FedAvg, FedProx, the
 * adaptive FedOpt family, robust aggregators, DP-FedAvg with an RDP accountant), client-side
 * local training, dataset partitioning, and an in-process simulation with worker threads.
 */
export {
  getWeights, setWeights, getWeightShapes, weightCount, flattenWeights, unflattenWeights, cloneWeights, zerosLikeWeights,
  subtractWeights, addScaledWeights, weightsNorm, squaredDistance, clipWeightsNorm, weightedSum,
} from './parameters.js';
export type { Weights, WeightShapes } from './parameters.js';
export { validateUpdate } from './validation.js';
export type { ClientUpdate, Rejection, RejectionKind, ValidationLimits } from './validation.js';
export {
  Strategy, FedAvg, FedProx, FedAdagrad, FedAdam, FedYogi, CoordinateMedian, TrimmedMean, Krum, MultiKrum, DpFedAvg,
  krumScores, makeStrategy, STRATEGY_NAMES,
} from './strategies.js';
export type {
  ClientConfig, AcceptedUpdate, AggregationResult, StrategyOptions, FedProxOptions, FedOptOptions, TrimmedMeanOptions,
  KrumOptions, MultiKrumOptions, DpFedAvgOptions, StrategyName, MakeStrategyOptions,
} from './strategies.js';
export {
  RdpAccountant, rdpSubsampledGaussian, computeDpEpsilon, epsilonFromRdp, DEFAULT_RDP_ORDERS, logGamma, logErfc,
} from './accountant.js';
export type { PrivacySpent, RdpConversion } from './accountant.js';
export {
  iidPartition, dirichletPartition, shardPartition, labelCounts, sampleGamma, sampleDirichlet,
} from './partition.js';
export type { DirichletPartitionOptions, ShardPartitionOptions } from './partition.js';
export { FederatedClient, localTrain, trainEpoch, evaluateModel, poison, ATTACKS } from './client.js';
export type { LocalData, LocalTrainConfig, LocalTrainMetrics, Attack, EpochStats } from './client.js';
export { InProcessRunner, WorkerPoolRunner } from './pool.js';
export type { ClientJob, ClientOutcome, ClientRunner, RunnerData, WorkerPoolOptions } from './pool.js';
export { runSimulation, runCentralised } from './simulation.js';
export type { SimulationData, SimulationOptions, SimulationResult, RoundRecord, CentralisedOptions } from './simulation.js';

// ── Flower (gRPC) client
export * from './flower/index.js';
