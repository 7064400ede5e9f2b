/**
 * The `layers` namespace: every layer class (Dense, Conv2D, LSTM, ...) and its tfjs-style factory
 * (`layers.dense({ units: 10 })`). Importing it registers the classes for loading.
 */
export {
  Dense, dense, Flatten, flatten, Reshape, reshape, Activation, activation, ReLU, reLU, LeakyReLU, leakyReLU,
  ELU, elu, Softmax, softmax, Dropout, dropout,
} from './core.js';
export type {
  DenseArgs, ReshapeArgs, ActivationArgs, ReLUArgs, AlphaArgs, SoftmaxArgs, DropoutArgs,
} from './core.js';
export * from './normalization.js';
export * from './embedding.js';
export * from './conv.js';
export * from './pooling.js';
export * from './recurrent.js';
