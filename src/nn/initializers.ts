/**
 * Weight initialisers, Keras-named: glorotUniform/glorot_uniform (xavier), heNormal (kaiming),
 * lecun, orthogonal, zeros, ones, constant, randomNormal, ... All draw from a seedable Random.
 */
import type { Random } from '../random.js';

/** Fills a new buffer for a weight of `shape`; fan-in/out follow Keras' rules for the shape. */
export interface Initializer {
  /** Keras class name, e.g. 'GlorotUniform'. */
  readonly className: string;
  init(shape: readonly number[], rng: Random): Float32Array;
  /** JSON-serialisable arguments (seed, scale, ...), enough to rebuild it with getInitializer. */
  getConfig(): Record<string, unknown>;
}

/** A name ('glorotUniform' or 'glorot_uniform'), a serialised {className, config}, or an instance. */
export type InitializerSpec =
  | string
  | { readonly className: string; readonly config?: Record<string, unknown> }
  | Initializer;

/** Resolves an initialiser spec; ArgumentError naming the valid choices for an unknown name. */
export function getInitializer(spec: InitializerSpec): Initializer {
  throw new Error(`getInitializer: not implemented yet (${String(spec)})`);
}
