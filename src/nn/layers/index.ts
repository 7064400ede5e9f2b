/**
 * The `layers` namespace: every layer class (Dense, Conv2D, LSTM, ...) and its tfjs-style factory
 * (`layers.dense({ units: 10 })`). Importing it registers the classes for loading.
 */
export * from './core.js';
export * from './normalization.js';
export * from './embedding.js';
export * from './conv.js';
export * from './pooling.js';
export * from './recurrent.js';
