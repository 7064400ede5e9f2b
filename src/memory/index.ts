/**
 * Memory: classical Hopfield networks (Hebbian and Storkey rules) and the modern continuous
 * Hopfield memory.
 */
export { HopfieldNetwork, bipolar, corrupt, overlap } from './hopfield.js';
export type { LearningRule, UpdateMode, PatternLike, RecallOptions, RecallResult } from './hopfield.js';
export { ModernHopfield } from './modern_hopfield.js';
export type { RetrieveOptions, RetrieveResult } from './modern_hopfield.js';
