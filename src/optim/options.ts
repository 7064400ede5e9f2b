/**
 * Option reading shared by the optimisers and schedules. Keras writes `learning_rate`,
 * `beta_1`, `global_clipnorm`; tfjs and our TypeScript types write `learningRate`, `beta1`,
 * `globalClipnorm`. Keys are compared with case and underscores removed, so every spelling of
 * one option lands on the same name, and a misspelt option is an error instead of being ignored.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';

/** What an option accepts. */
export type OptionKind =
  | { readonly kind: 'number'; readonly min?: number; readonly max?: number; readonly minExclusive?: boolean; readonly maxExclusive?: boolean }
  | { readonly kind: 'integer'; readonly min: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'optionalPositive' }
  | { readonly kind: 'raw' };

/** One option: its public (camelCase) name, other accepted spellings, and what it accepts. */
export interface OptionSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: OptionKind;
}

/** Keys Keras puts in every optimiser config that have no effect here. */
const KERAS_IGNORED = new Set(['name', 'emamomentum', 'emaoverwritefrequency', 'jitcompile', 'islegacyoptimizer', 'module', 'registeredname']);

/** 'learning_rate', 'learningRate', 'LEARNING-RATE' → 'learningrate'. */
export function canonicalKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Reads `raw` (an options object or a Keras config) against `specs`: returns the values by
 * public name, only for options that were given (undefined and null count as not given).
 * Unknown keys, two spellings of one option with different values, and values of the wrong
 * kind or range throw, naming `owner` ("dendrite.Adam").
 */
export function readOptions(owner: string, raw: unknown, specs: readonly OptionSpec[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ArgumentError(`${owner}: options must be an object, got ${describe(raw)}`);
  }
  const byKey = new Map<string, OptionSpec>();
  for (const s of specs) {
    byKey.set(canonicalKey(s.name), s);
    for (const a of s.aliases ?? []) byKey.set(canonicalKey(a), s);
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const ck = canonicalKey(key);
    const spec = byKey.get(ck);
    if (spec === undefined) {
      if (KERAS_IGNORED.has(ck)) continue;
      // Keras configs carry these with their "off" values; anything else changes behaviour we lack.
      if ((ck === 'useema' && (value === false || value == null)) ||
          ((ck === 'lossscalefactor' || ck === 'gradientaccumulationsteps') && (value == null || value === 1))) {
        continue;
      }
      throw new ArgumentError(
        `${owner}: unknown option '${key}'; valid options are ${specs.map((s) => s.name).join(', ')}`,
      );
    }
    if (value === undefined || value === null) continue;
    const checked = checkValue(owner, key, value, spec.type);
    if (out.has(spec.name) && out.get(spec.name) !== checked) {
      throw new ArgumentError(`${owner}: option '${spec.name}' given twice with different values (${String(out.get(spec.name))} and ${String(checked)})`);
    }
    out.set(spec.name, checked);
  }
  return out;
}

function checkValue(owner: string, key: string, value: unknown, type: OptionKind): unknown {
  switch (type.kind) {
    case 'raw':
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ArgumentError(`${owner}: '${key}' must be a boolean, got ${describe(value)}`);
      return value;
    case 'integer': {
      if (typeof value !== 'number') throw new ArgumentError(`${owner}: '${key}' must be a number, got ${describe(value)}`);
      if (!Number.isInteger(value) || value < type.min) {
        throw new ValueError(`${owner}: '${key}' must be an integer >= ${type.min}, got ${value}`);
      }
      return value;
    }
    case 'optionalPositive': {
      if (typeof value !== 'number') throw new ArgumentError(`${owner}: '${key}' must be a number, got ${describe(value)}`);
      if (!(value > 0) || Number.isNaN(value)) throw new ValueError(`${owner}: '${key}' must be positive, got ${value}`);
      return value;
    }
    case 'number': {
      if (typeof value !== 'number') throw new ArgumentError(`${owner}: '${key}' must be a number, got ${describe(value)}`);
      checkRange(owner, key, value, type);
      return value;
    }
  }
}

/** Throws ValueError unless `value` is finite and inside the range `type` states. */
export function checkRange(
  owner: string, key: string, value: number,
  type: { readonly min?: number; readonly max?: number; readonly minExclusive?: boolean; readonly maxExclusive?: boolean },
): void {
  const lowOk = type.min === undefined || (type.minExclusive === true ? value > type.min : value >= type.min);
  const highOk = type.max === undefined || (type.maxExclusive === true ? value < type.max : value <= type.max);
  if (!Number.isFinite(value) || !lowOk || !highOk) {
    const lo = type.min === undefined ? '' : `${type.minExclusive === true ? '>' : '>='} ${type.min}`;
    const hi = type.max === undefined ? '' : `${type.maxExclusive === true ? '<' : '<='} ${type.max}`;
    const range = [lo, hi].filter((s) => s !== '').join(' and ');
    throw new ValueError(`${owner}: '${key}' must be a finite number${range === '' ? '' : ` ${range}`}, got ${value}`);
  }
}

/** The option's value, or `fallback` when it was not given. */
export function option<T>(values: ReadonlyMap<string, unknown>, name: string, fallback: T): T {
  return values.has(name) ? (values.get(name) as T) : fallback;
}
