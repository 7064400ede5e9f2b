/**
 * Argument handling shared by the recurrent layers and cells (not part of the public API).
 */
import { ArgumentError, describe } from '../../errors.js';
import { type Initializer, type InitializerSpec, serializeInitializer } from '../initializers.js';

/** An initialiser spec as JSON (names stay strings, instances become {className, config}). */
export function initializerConfig(spec: InitializerSpec): unknown {
  if (typeof spec === 'string') return spec;
  if (typeof (spec as Initializer).init === 'function') return serializeInitializer(spec as Initializer);
  return spec;
}

/** A boolean option, or `fallback` when omitted; ArgumentError naming the layer otherwise. */
export function boolArg(layer: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentError(`dendrite.${layer}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** A positive integer `units`. */
export function unitsArg(layer: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`dendrite.${layer}: units must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/**
 * Keras' unit_forget_bias around a bias initialiser: the forget gate's block (the second of
 * four) starts at 1 so the memory is kept early in training.
 */
export function unitForgetBiasInit(base: Initializer, units: number): Initializer {
  return {
    className: 'UnitForgetBias',
    init(shape, rng) {
      const data = base.init(shape, rng);
      data.fill(1, units, 2 * units);
      return data;
    },
    getConfig: () => ({}),
  };
}
