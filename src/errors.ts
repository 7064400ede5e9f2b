/**
 * Typed errors. Each message starts with "dendrite.<op>: " and names the shapes or the argument
 * at fault, so a failure deep inside a model still says which call went wrong.
 */

/** Shapes that do not fit together, bad dimensions or axes, sizes too large to allocate. */
export class ShapeError extends RangeError {
  override name = 'ShapeError';
}

/** Data of the wrong element type (e.g. strings in a nested array, BigInt64Array). */
export class DTypeError extends TypeError {
  override name = 'DTypeError';
}

/** An argument of the wrong kind (not a Tensor, not a number, an unknown option value). */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
}

/** A value out of its allowed range (non-finite where finite is required, index out of bounds). */
export class ValueError extends RangeError {
  override name = 'ValueError';
}

/** Misuse of automatic differentiation (backward on a tensor without grad, freed graph, …). */
export class AutogradError extends Error {
  override name = 'AutogradError';
}

/** "[2, 3]": how shapes appear in messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Describes a value's kind for "got …" in messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the string '${v}'`;
  return `a ${typeof v}`;
}
