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
