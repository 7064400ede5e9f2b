/**
 * dendrite's public API: re-exports only.
 */
export { Tensor, isTensor } from './tensor.js';
export type { TensorLike, NestedArray, VarianceOptions } from './tensor.js';
export { noGrad, isGradEnabled } from './autograd.js';
export { ShapeError, DTypeError, ArgumentError, ValueError, AutogradError } from './errors.js';

export {
  tensor, zeros, ones, full, arange, linspace, eye, rand, randn, zerosLike, onesLike,
} from './ops/creation.js';
export type { TensorOptions, RandomOptions, TensorData, NestedNumbers } from './ops/creation.js';
export {
  add, sub, mul, div, pow, maximum, minimum, neg, abs, exp, log, sqrt, square, reciprocal, clamp,
} from './ops/elementwise.js';
export { eq, ne, lt, le, gt, ge } from './ops/compare.js';
export { matmul, linear, dense } from './ops/matmul.js';
export { conv2d, conv1d } from './ops/conv.js';
export type { Conv2dOptions, Conv1dOptions, PaddingMode } from './ops/conv.js';
export { maxPool2d, avgPool2d, maxPool1d, avgPool1d, globalAvgPool, globalMaxPool } from './ops/pool.js';
export type { Pool2dOptions, Pool1dOptions } from './ops/pool.js';
export { simpleRnnSequence, lstmSequence, gruSequence } from './ops/recurrent.js';
export { batchNormTrain, batchNormInference, layerNorm } from './ops/norm.js';
export { dropout } from './ops/dropout.js';
export {
  relu, leakyRelu, elu, selu, sigmoid, hardSigmoid, tanh, softplus, softsign, silu, swish, gelu,
  softmax, logSoftmax,
} from './ops/activation.js';
export type { ActivationKind, ActivationSpec, GeluOptions } from './ops/activation.js';
export { sum, mean, max, min, variance, std, argmax, argmin } from './ops/reduce.js';
export {
  reshape, view, flatten, squeeze, unsqueeze, transpose, permute, broadcastTo, concat, stack,
  clone, detach,
} from './ops/shape.js';
export { slice, gather } from './ops/indexing.js';
export type { SliceRange, SliceSpec } from './ops/indexing.js';
export { zeroGrad } from './ops/grad.js';

export { Random, globalRandom, manualSeed } from './random.js';
export { setBackend, backendInfo, setNumThreads, getBackend, nativeAvailable } from './backend/index.js';
export type { BackendName } from './backend/index.js';
export type { Backend, ActivationName } from './backend/backend.js';

// ── networks and training
export { Module } from './nn/module.js';
export { Layer, registerLayer, layerFromConfig } from './nn/layer.js';
export type { LayerArgs, CallArgs, Shape, LayerConfig, SerializedLayer } from './nn/layer.js';
export * as layers from './nn/layers/index.js';
export { Sequential, sequential } from './nn/sequential.js';
export type { SequentialArgs } from './nn/sequential.js';
export { getInitializer } from './nn/initializers.js';
export type { Initializer, InitializerSpec } from './nn/initializers.js';
export { Model } from './train/model.js';
export type {
  CompileArgs, FitArgs, EvaluateArgs, PredictArgs, History, Callback, Logs, Batch, BatchSource,
} from './train/model.js';
export {
  Optimizer, getOptimizer, SGD, Adam, AdamW, RMSprop, Adagrad, sgd, adam, adamw, rmsprop, adagrad,
  train, clipGradNorm, clipGradValue, stepDecay, exponentialDecay, cosineDecay, linearWarmup,
  scheduleFromConfig,
} from './optim/index.js';
export type {
  OptimizerSpec, OptimizerOptions, OptimizerStateDict, SGDOptions, AdamOptions, RMSpropOptions,
  AdagradOptions, LearningRate, LearningRateSchedule,
} from './optim/index.js';
export * as optim from './optim/index.js';
export {
  callbacks, CallbackBase, EarlyStopping, ModelCheckpoint, LearningRateScheduler, LambdaCallback, HistoryCallback,
  ReduceLROnPlateau as ReduceLROnPlateauCallback, formatFilepath,
} from './train/callbacks.js';
export type {
  EarlyStoppingArgs, ModelCheckpointArgs, ReduceLROnPlateauArgs as ReduceLROnPlateauCallbackArgs, LambdaArgs, Schedule, MonitorMode,
} from './train/callbacks.js';
export type { ProgressStream } from './train/progress.js';
export { Dataset, fromTensors, fromAsyncIterable, fromGenerator } from './data/dataset.js';
export type { Sample } from './data/dataset.js';
export { getLoss } from './losses.js';
export * as losses from './losses.js';
export type { LossFunction, LossOptions, LossSpec, LossConfig, NamedLossFunction, Labels, Reduction } from './losses.js';
export { getMetric } from './train/metrics.js';
export * as metrics from './train/metrics.js';
export type { Metric, MetricSpec } from './train/metrics.js';
export { loadModel, saveModel, saveWeights, loadWeights } from './io/model_io.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export { releaseGrad } from './autograd.js';

// ── data
export { parseIdx, readIdx, loadIdxImages, loadIdxLabels } from './data/idx.js';
export type { IdxArray } from './data/idx.js';
export { loadMnist, defaultMnistDir } from './data/mnist.js';
export type { Mnist, MnistSplit, LoadMnistOptions } from './data/mnist.js';

// ── distributed (data-parallel) training
export * from './distributed/index.js';

// ── memory
export { HopfieldNetwork, ModernHopfield, bipolar, corrupt, overlap } from './memory/index.js';
export type {
  LearningRule, UpdateMode, PatternLike, RecallOptions, RecallResult, RetrieveOptions, RetrieveResult,
} from './memory/index.js';

// ── federated learning
export * as federated from './federated/index.js';
