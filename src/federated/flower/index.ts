/**
 * The Flower client: joins a Flower (flwr 1.12) federated-learning server over gRPC and answers
 * its get-parameters, fit and evaluate requests with a dendrite model; tensors travel as NumPy
 * .npy bytes.
 */
export { startFlowerClient, flowerProtoDir, FLOWER_PROTOCOL_VERSION } from './client.js';
export type {
  FlowerScalar, FlowerConfig, NdArray, FitResult, EvaluateResult, FlowerClient, StartFlowerClientOptions,
  FlowerClientSummary,
} from './client.js';
export { flowerModelClient } from './model_client.js';
export type { ModelClientData } from './model_client.js';
export { encodeNpy, decodeNpy } from './npy.js';
export type { NpyArray } from './npy.js';
