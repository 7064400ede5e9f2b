/**
 * Creating tensors: from nested arrays, flat arrays or typed arrays, constants, ranges, identity
 * matrices and seedable random draws.
 */
import { ArgumentError, DTypeError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { Random, globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import { MAX_ELEMENTS, alloc, checkShape, checkedSize, finiteArg, intArg } from './checks.js';

/** Options of every creation function. */
export interface TensorOptions {
  /** Record operations on this tensor for backward() (default false). */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** Draw from a new generator seeded with this value. */
  seed?: number;
  /** Draw from this generator (default: the global one, see manualSeed). */
  rng?: Random;
}

/** Data `tensor()` accepts: a number, (nested) arrays of numbers, or a typed array. */
export type TensorData =
  | number
  | NestedNumbers
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array
  | Uint8ClampedArray | Uint16Array | Uint32Array;

/** Arrays of numbers nested to any depth. */
export type NestedNumbers = ReadonlyArray<number | NestedNumbers>;

type Shape = number | readonly number[];

function gradFlag(op: string, options: TensorOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`dendrite.${op}: options must be an object, got ${describe(options)}`);
  }
  const r = options.requiresGrad;
  if (r !== undefined && typeof r !== 'boolean') {
    throw new ArgumentError(`dendrite.${op}: requiresGrad must be a boolean, got ${describe(r)}`);
  }
  return r === true;
}

/** Shape of nested arrays, validating that they are not ragged and hold only numbers. */
function nestedShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  checkedSize('tensor', shape);
  return shape;
}

function flattenNested(data: NestedNumbers, shape: readonly number[], out: Float32Array): void {
  let pos = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        if (Array.isArray(v)) {
          throw new ShapeError(`dendrite.tensor: ragged nested array: element ${path || '[]'} is an array, expected a number at depth ${depth}`);
        }
        throw new DTypeError(`dendrite.tensor: element ${path} must be a number, got ${describe(v)}`);
      }
      out[pos++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(
        `dendrite.tensor: ragged nested array: element ${path || '[]'} has ${Array.isArray(v) ? `length ${v.length}` : `no array (${describe(v)})`}, expected length ${shape[depth]}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
}

/**
 * A tensor from data: a number (rank 0), nested arrays (shape inferred; ragged arrays are a
 * ShapeError), or a flat array / typed array (1-D unless `shape` is given). The data is always
 * copied into a new Float32Array; wrap an existing one with `new Tensor(data, shape)` instead.
 */
export function tensor(data: TensorData, shape?: readonly number[], options?: TensorOptions): Tensor {
  const rg = gradFlag('tensor', options);
  let values: Float32Array;
  let inferred: number[];
  if (typeof data === 'number') {
    values = new Float32Array([data]);
    inferred = [];
  } else if (Array.isArray(data)) {
    inferred = nestedShape(data);
    values = alloc('tensor', checkedSize('tensor', inferred));
    flattenNested(data, inferred, values);
  } else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const view: unknown = data;
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
      throw new DTypeError(`dendrite.tensor: cannot make a float32 tensor from a ${view.constructor.name}`);
    }
    if (data.length > MAX_ELEMENTS) {
      throw new ShapeError(`dendrite.tensor: ${data.length} elements are more than the ${MAX_ELEMENTS} a tensor can hold`);
    }
    values = Float32Array.from(data as ArrayLike<number>);
    inferred = [data.length];
  } else {
    throw new DTypeError(`dendrite.tensor: data must be a number, an array or a typed array, got ${describe(data)}`);
  }
  if (shape === undefined) return new Tensor(values, inferred, rg);
  const s = checkShape('tensor', shape);
  const n = s.reduce((p, d) => p * d, 1);
  if (n !== values.length) {
    throw new ShapeError(
      `dendrite.tensor: data has ${values.length} elements (shape ${fmtShape(inferred)}) but shape ${fmtShape(s)} needs ${n}`,
    );
  }
  return new Tensor(values, s, rg);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, options?: TensorOptions): Tensor {
  const s = checkShape('full', shape);
  if (typeof value !== 'number') throw new ArgumentError(`dendrite.full: value must be a number, got ${describe(value)}`);
  const data = alloc('full', checkedSize('full', s));
  if (value !== 0) data.fill(value);
  return new Tensor(data, s, gradFlag('full', options));
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options?: TensorOptions): Tensor {
  return full(checkShape('zeros', shape), 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options?: TensorOptions): Tensor {
  return full(checkShape('ones', shape), 1, options);
}

/** Zeros with x's shape. */
export function zerosLike(x: Tensor, options?: TensorOptions): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.zerosLike: x must be a Tensor, got ${describe(x)}`);
  return zeros(x.shape, options);
}

/** Ones with x's shape. */
export function onesLike(x: Tensor, options?: TensorOptions): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.onesLike: x must be a Tensor, got ${describe(x)}`);
  return ones(x.shape, options);
}

/**
 * Values from start (inclusive) to stop (exclusive) by step, like numpy.arange; arange(n) is
 * 0..n−1.
 */
export function arange(start: number, stop?: number, step = 1, options?: TensorOptions): Tensor {
  let lo = finiteArg('arange', 'start', start);
  let hi: number;
  if (stop === undefined) {
    hi = lo;
    lo = 0;
  } else {
    hi = finiteArg('arange', 'stop', stop);
  }
  const st = finiteArg('arange', 'step', step);
  if (st === 0) throw new ValueError('dendrite.arange: step must not be 0');
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  if (n > MAX_ELEMENTS) throw new ShapeError(`dendrite.arange: ${n} elements are more than the ${MAX_ELEMENTS} a tensor can hold`);
  const data = alloc('arange', n);
  for (let i = 0; i < n; i++) data[i] = lo + i * st;
  return new Tensor(data, [n], gradFlag('arange', options));
}

/** `num` evenly spaced values from start to stop, both included. */
export function linspace(start: number, stop: number, num: number, options?: TensorOptions): Tensor {
  const a = finiteArg('linspace', 'start', start);
  const b = finiteArg('linspace', 'stop', stop);
  const n = intArg('linspace', 'num', num);
  if (n < 0) throw new ShapeError(`dendrite.linspace: num must be non-negative, got ${n}`);
  const data = alloc('linspace', n);
  const step = n > 1 ? (b - a) / (n - 1) : 0;
  for (let i = 0; i < n; i++) data[i] = a + i * step;
  if (n > 1) data[n - 1] = b;
  return new Tensor(data, [n], gradFlag('linspace', options));
}

/** An n×m matrix (m defaults to n) with ones on the diagonal. */
export function eye(n: number, m?: number, options?: TensorOptions): Tensor {
  const rows = intArg('eye', 'n', n);
  const cols = m === undefined ? rows : intArg('eye', 'm', m);
  const t = zeros([rows, cols]);
  for (let i = 0; i < Math.min(rows, cols); i++) t.data[i * cols + i] = 1;
  t.requiresGrad = gradFlag('eye', options);
  return t;
}

function generator(op: string, options: RandomOptions | undefined): Random {
  if (options?.rng !== undefined) {
    if (!(options.rng instanceof Random)) throw new ArgumentError(`dendrite.${op}: rng must be a Random, got ${describe(options.rng)}`);
    if (options.seed !== undefined) throw new ArgumentError(`dendrite.${op}: give seed or rng, not both`);
    return options.rng;
  }
  if (options?.seed !== undefined) return new Random(finiteArg(op, 'seed', options.seed));
  return globalRandom;
}

/** Uniform values in [low, high) (default [0, 1)). */
export function rand(shape: Shape, options?: RandomOptions & { low?: number; high?: number }): Tensor {
  const s = checkShape('rand', shape);
  const rng = generator('rand', options);
  const low = options?.low === undefined ? 0 : finiteArg('rand', 'low', options.low);
  const high = options?.high === undefined ? 1 : finiteArg('rand', 'high', options.high);
  const data = alloc('rand', checkedSize('rand', s));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.uniform();
  return new Tensor(data, s, gradFlag('rand', options));
}

/** Normally distributed values (default mean 0, std 1). */
export function randn(shape: Shape, options?: RandomOptions & { mean?: number; std?: number }): Tensor {
  const s = checkShape('randn', shape);
  const rng = generator('randn', options);
  const mean = options?.mean === undefined ? 0 : finiteArg('randn', 'mean', options.mean);
  const std = options?.std === undefined ? 1 : finiteArg('randn', 'std', options.std);
  const data = alloc('randn', checkedSize('randn', s));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor(data, s, gradFlag('randn', options));
}
