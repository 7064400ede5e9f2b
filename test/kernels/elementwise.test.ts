// Native elementwise kernels (binary with broadcasting, unary, reductions, arg-reductions)
// against the reference backend, on every instruction-set path, plus the entry points' checks.
import { describe, expect, it } from 'vitest';
import {
  BINARY_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOpName, type ReduceOpName, type UnaryOpName,
} from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import {
  ISAS, SIZES, compareArrays, detachedArray, expectOpError, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

const DIMS = [1, 2, 3, 7, 16, 17, 33];
const SPECIALS = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 2.5, -2.5, 1e-30, 1e30, -1e30, Infinity, -Infinity, NaN];

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Tolerances of a binary op: +, −, ×, ÷, max, min are correctly rounded; pow is within an ulp or two. */
function binaryTol(op: BinaryOpName): [number, number] {
  return op === 'pow' ? [1e-37, 1e-6] : [0, 0];
}

function unaryTol(op: UnaryOpName): [number, number] {
  return op === 'exp' || op === 'log' ? [1e-44, 4e-7] : [0, 0];
}

/** Operands suited to the op: pow gets positive bases so most results are finite numbers. */
function operands(rng: Random, op: BinaryOpName, na: number, nb: number): [Float32Array, Float32Array] {
  if (op === 'pow') return [randomArray(rng, na, 0.1, 3), randomArray(rng, nb, -3, 3)];
  const b = randomArray(rng, nb, -2, 2);
  if (op === 'div') for (let i = 0; i < nb; i++) if (Math.abs(b[i]!) < 1e-3) b[i] = 0.5;
  return [randomArray(rng, na, -2, 2), b];
}

function runBinary(
  op: BinaryOpName, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], outShape: number[],
): { got: Float32Array; want: Float32Array } {
  const got = new Float32Array(count(outShape)).fill(12345);
  const want = new Float32Array(count(outShape)).fill(-12345);
  native.binary(op, a, aShape, b, bShape, got, outShape);
  reference.binary(op, a, aShape, b, bShape, want, outShape);
  return { got, want };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  const r = compareArrays(got, want, atol, rtol);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

/** A random broadcast pair for `outShape`: some dims set to 1, some leading dims dropped. */
function broadcastShape(rng: Random, outShape: number[]): number[] {
  const drop = rng.int(outShape.length + 1);
  return outShape.slice(rng.int(3) === 0 ? drop : 0).map((d) => (rng.int(3) === 0 ? 1 : d));
}

describe.each(ISAS)('elementwise on %s', (isa) => {
  it('binary ops with random broadcasting match the reference (ranks 0-4, up to ~100K elements)', () => {
    withIsa(isa, () => withThreads(2, () => {
      const rng = new Random(101);
      let big = 0;
      for (let trial = 0; trial < 160; trial++) {
        const rank = rng.int(5);
        const outShape = Array.from({ length: rank }, () => DIMS[rng.int(DIMS.length)]!);
        if (count(outShape) > 120_000) continue;
        if (count(outShape) >= 65_536) big++;
        const aShape = broadcastShape(rng, outShape);
        const bShape = broadcastShape(rng, outShape);
        const op = BINARY_OPS[trial % BINARY_OPS.length]!;
        const [a, b] = operands(rng, op, count(aShape), count(bShape));
        const { got, want } = runBinary(op, a, aShape, b, bShape, outShape);
        const [atol, rtol] = binaryTol(op);
        expectClose(got, want, atol, rtol, `${op} [${aShape}] with [${bShape}] -> [${outShape}]`);
      }
      expect(big).toBeGreaterThan(0);
    }));
  });

  it('every binary op on the usual broadcasting patterns, small and threaded', () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[], [], []],
      [[5, 7], [], [5, 7]],
      [[], [5, 7], [5, 7]],
      [[6, 17], [17], [6, 17]],
      [[6, 17], [6, 1], [6, 17]],
      [[4, 1, 6], [4, 5, 6], [4, 5, 6]],
      [[4, 5, 6], [5, 1], [4, 5, 6]],
      [[3, 1, 5], [1, 4, 1], [3, 4, 5]],
      [[2, 1, 3, 1], [1, 7, 1, 16], [2, 7, 3, 16]],
      [[100_003], [100_003], [100_003]],
      [[100_003], [1], [100_003]],
      [[400, 300], [300], [400, 300]],
      [[400, 300], [400, 1], [400, 300]],
      [[50, 40, 60], [50, 1, 60], [50, 40, 60]],
      [[50, 1, 60], [1, 40, 1], [50, 40, 60]],
      [[70_000, 3], [3], [70_000, 3]],
    ];
    const rng = new Random(202);
    withIsa(isa, () => {
      for (const threads of [1, 2]) {
        withThreads(threads, () => {
          for (const [aShape, bShape, outShape] of cases) {
            for (const op of BINARY_OPS) {
              const [a, b] = operands(rng, op, count(aShape), count(bShape));
              const { got, want } = runBinary(op, a, aShape, b, bShape, outShape);
              const [atol, rtol] = binaryTol(op);
              expectClose(got, want, atol, rtol, `${op} [${aShape}] with [${bShape}], ${threads} threads`);
            }
          }
        });
      }
    });
  });

  it('binary ops on special values (±0, ±Inf, NaN, negative bases for pow)', () => {
    const n = SPECIALS.length;
    const a = Float32Array.from(SPECIALS);
    withIsa(isa, () => {
      for (const op of BINARY_OPS) {
        const { got, want } = runBinary(op, a, [n, 1], a, [1, n], [n, n]);
        const [atol, rtol] = binaryTol(op);
        expectClose(got, want, atol, rtol, `${op} on special values`);
      }
      // Spot checks of the semantics themselves (not just agreement with the reference).
      const out = new Float32Array(8);
      const x = Float32Array.from([-8, -2, 0, NaN, 1, -1, 2, NaN]);
      const y = Float32Array.from([1 / 3, 0.5, 0, 0, NaN, Infinity, 3, 1]);
      native.binary('pow', x, [8], y, [8], out, [8]);
      expect(Array.from(out)).toEqual([NaN, NaN, 1, 1, 1, 1, 8, NaN]);
      native.binary('maximum', x, [8], y, [8], out, [8]);
      expect(Array.from(out)).toEqual([1 / 3, 0.5, 0, NaN, NaN, Infinity, 3, NaN].map(Math.fround));
      native.binary('minimum', y, [8], x, [8], out, [8]);
      expect(Array.from(out)).toEqual([-8, -2, 0, NaN, NaN, -1, 2, NaN]);
    });
  });

  it('binary ops in place: out is the dense operand', () => {
    const rng = new Random(303);
    withIsa(isa, () => withThreads(2, () => {
      for (const [shape, other] of [[[9, 33], [33]], [[300, 400], [300, 1]], [[17], []]] as Array<[number[], number[]]>) {
        for (const op of BINARY_OPS) {
          const [a, b] = operands(rng, op, count(shape), count(other));
          const want = new Float32Array(count(shape));
          reference.binary(op, a, shape, b, other, want, shape);
          const [atol, rtol] = binaryTol(op);
          const inA = a.slice();
          native.binary(op, inA, shape, b, other, inA, shape);
          expectClose(inA, want, atol, rtol, `${op} in place on a [${shape}]`);
          // Same op with the dense operand on the right: out = b' op a', out is b'.
          const want2 = new Float32Array(count(shape));
          reference.binary(op, b, other, a, shape, want2, shape);
          const inB = a.slice();
          native.binary(op, b, other, inB, shape, inB, shape);
          expectClose(inB, want2, atol, rtol, `${op} in place on b [${shape}]`);
        }
      }
    }));
  });

  it('unary ops match the reference, in place too, on sizes around the vector widths and past the threading threshold', () => {
    const rng = new Random(404);
    withIsa(isa, () => withThreads(2, () => {
      for (const op of UNARY_OPS) {
        const [atol, rtol] = unaryTol(op);
        for (const n of [...SIZES, 100_003]) {
          const lo = op === 'exp' ? -90 : op === 'log' || op === 'sqrt' ? -1 : -4;
          const hi = op === 'exp' ? 90 : op === 'log' || op === 'sqrt' ? 100 : 4;
          const x = randomArray(rng, n, lo, hi);
          const got = new Float32Array(n);
          const want = new Float32Array(n);
          native.unary(op, x, got, -0.75, 1.5);
          reference.unary(op, x, want, -0.75, 1.5);
          expectClose(got, want, atol, rtol, `${op} n=${n}`);
          const inPlace = x.slice();
          native.unary(op, inPlace, inPlace, -0.75, 1.5);
          expectClose(inPlace, want, atol, rtol, `${op} in place n=${n}`);
        }
        const s = Float32Array.from([...SPECIALS, 1e-40, -1e-40, 88.7, 89, -103, -104, -150, 1e-38]);
        const got = new Float32Array(s.length);
        const want = new Float32Array(s.length);
        native.unary(op, s, got, -0.75, 1.5);
        reference.unary(op, s, want, -0.75, 1.5);
        expectClose(got, want, atol, rtol, `${op} on special values`);
      }
      const out = new Float32Array(6);
      native.unary('log', Float32Array.from([-1, 0, -0, Infinity, NaN, 1]), out, 0, 0);
      expect(Array.from(out)).toEqual([NaN, -Infinity, -Infinity, Infinity, NaN, 0]);
      native.unary('clamp', Float32Array.from([NaN, -5, 5, 0.25, -Infinity, Infinity]), out, -1, 1);
      expect(Array.from(out)).toEqual([NaN, -1, 1, 0.25, -1, 1]);
    }));
  });

  it('reductions over every axis of ranks 1-4 match the reference, NaN included', () => {
    const rng = new Random(505);
    withIsa(isa, () => {
      let checked = 0;
      for (let rank = 1; rank <= 4; rank++) {
        for (let axis = 0; axis < rank; axis++) {
          for (const len of SIZES) {
            const others = rank <= 2 ? [1, 2, 3, 7, 16, 17] : [1, 2, 3, 7];
            const shape = Array.from({ length: rank }, () => others[rng.int(others.length)]!);
            shape[axis] = len;
            const outer = count(shape.slice(0, axis));
            const inner = count(shape.slice(axis + 1));
            const x = randomArray(rng, count(shape), -2, 2);
            if (rng.int(3) === 0 && x.length > 0) for (let k = 0; k < 3; k++) x[rng.int(x.length)] = NaN;
            for (const op of REDUCE_OPS) {
              const correction = op === 'variance' ? rng.int(2) : 0;
              const got = new Float32Array(outer * inner).fill(777);
              const want = new Float32Array(outer * inner);
              native.reduce(op, x, outer, len, inner, got, correction);
              reference.reduce(op, x, outer, len, inner, want, correction);
              const atol = op === 'max' || op === 'min' ? 0 : 1e-5 * Math.max(1, len);
              expectClose(got, want, atol, 1e-5, `${op} over axis ${axis} of [${shape}] (correction ${correction})`);
              checked++;
            }
          }
        }
      }
      expect(checked).toBe(10 * 10 * REDUCE_OPS.length);
    });
  });

  it('len = 0 gives sum 0, mean NaN, max -Inf, min +Inf, variance NaN', () => {
    const expected: Record<ReduceOpName, number> = { sum: 0, mean: NaN, max: -Infinity, min: Infinity, variance: NaN };
    withIsa(isa, () => {
      for (const op of REDUCE_OPS) {
        for (const inner of [1, 5]) {
          const out = new Float32Array(3 * inner).fill(9);
          native.reduce(op, new Float32Array(0), 3, 0, inner, out, 1);
          expect(Array.from(out), `${op} inner=${inner}`).toEqual(new Array(3 * inner).fill(expected[op]));
        }
      }
    });
  });

  it('argmax/argmin over every axis return the first extreme (NaN counts as the extreme)', () => {
    const rng = new Random(606);
    withIsa(isa, () => {
      for (let rank = 1; rank <= 4; rank++) {
        for (let axis = 0; axis < rank; axis++) {
          for (const len of SIZES.filter((s) => s > 0)) {
            const others = rank <= 2 ? [1, 2, 3, 7, 16, 17] : [1, 2, 3, 7];
            const shape = Array.from({ length: rank }, () => others[rng.int(others.length)]!);
            shape[axis] = len;
            const outer = count(shape.slice(0, axis));
            const inner = count(shape.slice(axis + 1));
            // Few distinct values, so ties are common.
            const x = new Float32Array(count(shape));
            for (let i = 0; i < x.length; i++) x[i] = rng.int(5) - 2;
            if (rng.int(3) === 0) for (let k = 0; k < 3; k++) x[rng.int(x.length)] = NaN;
            if (rng.int(4) === 0) for (let k = 0; k < 3; k++) x[rng.int(x.length)] = rng.int(2) ? Infinity : -Infinity;
            for (const op of ['argmax', 'argmin'] as const) {
              const got = new Int32Array(outer * inner).fill(-7);
              const want = new Int32Array(outer * inner);
              native.argReduce(op, x, outer, len, inner, got);
              reference.argReduce(op, x, outer, len, inner, want);
              expect(Array.from(got), `${op} over axis ${axis} of [${shape}]`).toEqual(Array.from(want));
            }
          }
        }
      }
      const i = new Int32Array(1);
      native.argReduce('argmax', Float32Array.from([1, 3, NaN, 3, NaN]), 1, 5, 1, i);
      expect(i[0]).toBe(2);
      native.argReduce('argmin', Float32Array.from([1, -3, 0, -3]), 1, 4, 1, i);
      expect(i[0]).toBe(1);
    });
  });

  it('large reductions split over threads match the reference', () => {
    const rng = new Random(707);
    const cases: Array<[number, number, number]> = [
      [1, 300_001, 1], [2, 150_000, 1], [300, 1000, 1], [1, 1000, 300], [1, 4096, 1024], [4, 300, 200], [3000, 40, 1],
    ];
    withIsa(isa, () => withThreads(2, () => {
      for (const [outer, len, inner] of cases) {
        const x = randomArray(rng, outer * len * inner, -1, 3);
        for (const op of REDUCE_OPS) {
          const got = new Float32Array(outer * inner);
          const want = new Float32Array(outer * inner);
          native.reduce(op, x, outer, len, inner, got, 1);
          reference.reduce(op, x, outer, len, inner, want, 1);
          const atol = op === 'max' || op === 'min' ? 0 : 1e-6 * len;
          expectClose(got, want, atol, 1e-5, `${op} [${outer}, ${len}, ${inner}]`);
        }
        x[rng.int(x.length)] = NaN;
        for (const op of ['argmax', 'argmin'] as const) {
          const got = new Int32Array(outer * inner);
          const want = new Int32Array(outer * inner);
          native.argReduce(op, x, outer, len, inner, got);
          reference.argReduce(op, x, outer, len, inner, want);
          expect(Array.from(got), `${op} [${outer}, ${len}, ${inner}]`).toEqual(Array.from(want));
        }
      }
    }));
  });

  it('a 4M-element float32 sum is accurate to 1e-5 relative of the float64 sum', () => {
    const rng = new Random(808);
    const n = 4 * 1024 * 1024;
    const x = randomArray(rng, n, 0, 1);
    let exact = 0;
    for (let i = 0; i < n; i++) exact += x[i]!;
    withIsa(isa, () => {
      for (const threads of [1, 2]) {
        withThreads(threads, () => {
          const out = new Float32Array(1);
          native.reduce('sum', x, 1, n, 1, out, 0);
          expect(Math.abs(out[0]! - exact) / exact, `${threads} threads`).toBeLessThan(1e-5);
          native.reduce('mean', x, 1, n, 1, out, 0);
          expect(Math.abs(out[0]! - exact / n) / (exact / n)).toBeLessThan(1e-5);
          // The same data as 4096 columns of 1024 rows (the column-tile path).
          const cols = new Float32Array(4096);
          native.reduce('sum', x, 1, 1024, 4096, cols, 0);
          let total = 0;
          for (let c = 0; c < 4096; c++) total += cols[c]!;
          expect(Math.abs(total - exact) / exact).toBeLessThan(1e-5);
        });
      }
    });
  });
});

describe('elementwise entry points reject bad input', () => {
  const addon = native.addon;
  const f = (n: number) => new Float32Array(n);
  const detached = detachedArray;
  const expectError = expectOpError;

  it('binary', () => {
    const a = f(6), b = f(3), out = f(6);
    const call = (...args: unknown[]) => () => (addon.binary as (...x: unknown[]) => void)(...args);
    expectError(call(0, a, b, out, [2, 3], [3, 1]), TypeError, 'binary');
    expectError(call('add', a, b, out, [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    expectError(call(7, a, b, out, [2, 3], [3, 1], [0, 1]), RangeError, 'binary');
    expectError(call(-1, a, b, out, [2, 3], [3, 1], [0, 1]), RangeError, 'binary');
    expectError(call(0, new Float64Array(6), b, out, [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    expectError(call(0, a, [1, 2, 3], out, [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    expectError(call(0, a, b, new Int32Array(6), [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    expectError(call(0, a, b, out, [2, 3], [3, 1], [1]), RangeError, 'binary');
    expectError(call(0, a, b, out, [2, 3], [3], [0, 1]), RangeError, 'binary');
    expectError(call(0, a, b, out, [2, 3], [3, 1], [0, 1.5]), RangeError, 'binary');
    expectError(call(0, a, b, out, [2, -3], [3, 1], [0, 1]), RangeError, 'binary');
    expectError(call(0, a, b, out, [1, 1, 1, 1, 1, 1, 1, 1, 1], new Array(9).fill(0), new Array(9).fill(0)), RangeError, 'binary');
    expectError(call(0, a, b, out, [2, 3], [3, 1], [1, 1]), RangeError, 'binary');  // b reaches index 3
    expectError(call(0, a, b, out, [2, 3], [4, 1], [0, 1]), RangeError, 'binary');  // a reaches index 6
    expectError(call(0, a, b, out, [2 ** 30, 2 ** 30], [2 ** 40, 1], [0, 0]), RangeError, 'binary');
    expectError(call(0, a, b, f(5), [2, 3], [3, 1], [0, 1]), RangeError, 'binary');  // short out
    expectError(call(0, a, b, out, [2 ** 27, 2 ** 27], [0, 0], [0, 0]), RangeError, 'binary');
    const buf = f(12);
    expectError(call(0, buf.subarray(0, 6), b, buf.subarray(3, 9), [2, 3], [3, 1], [0, 1]), RangeError, 'binary');
    expectError(call(0, a, buf.subarray(0, 3), buf.subarray(0, 6), [2, 3], [3, 1], [0, 1]), RangeError, 'binary');
    expectError(call(0, detached(6), b, out, [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    expectError(call(0, a, b, detached(6), [2, 3], [3, 1], [0, 1]), TypeError, 'binary');
    // Empty output shapes read nothing, so short operands are fine; exact in-place is fine.
    addon.binary(0, f(0), f(0), f(0), [0, 3], [3, 1], [0, 1]);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    addon.binary(0, x, Float32Array.from([10, 20, 30]), x, [2, 3], [3, 1], [0, 1]);
    expect(Array.from(x)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('unary', () => {
    const call = (...args: unknown[]) => () => (addon.unary as (...x: unknown[]) => void)(...args);
    expectError(call(0, f(4), f(4), 0), TypeError, 'unary');
    expectError(call(8, f(4), f(4), 0, 0), RangeError, 'unary');
    expectError(call(0.5, f(4), f(4), 0, 0), RangeError, 'unary');
    expectError(call(0, f(4), f(3), 0, 0), RangeError, 'unary');
    expectError(call(0, new Float64Array(4), f(4), 0, 0), TypeError, 'unary');
    expectError(call(7, f(4), f(4), 1, 0), RangeError, 'unary');
    expectError(call(7, f(4), f(4), NaN, 1), RangeError, 'unary');
    expectError(call(7, f(4), f(4), 0, Infinity), RangeError, 'unary');
    expectError(call(7, f(4), f(4), '0', 1), TypeError, 'unary');
    expectError(call(0, detached(4), f(4), 0, 0), TypeError, 'unary');
    const buf = f(8);
    expectError(call(0, buf.subarray(0, 4), buf.subarray(2, 6), 0, 0), RangeError, 'unary');
  });

  it('reduce', () => {
    const call = (...args: unknown[]) => () => (addon.reduce as (...x: unknown[]) => void)(...args);
    expectError(call(0, f(6), 2, 3, 1, f(2)), TypeError, 'reduce');
    expectError(call(5, f(6), 2, 3, 1, f(2), 0), RangeError, 'reduce');
    expectError(call(0, f(5), 2, 3, 1, f(2), 0), RangeError, 'reduce');
    expectError(call(0, f(6), 2, 3, 1, f(1), 0), RangeError, 'reduce');
    expectError(call(0, f(6), 2, 3, 1, f(2), NaN), RangeError, 'reduce');
    expectError(call(0, f(6), -2, 3, 1, f(2), 0), RangeError, 'reduce');
    expectError(call(0, f(6), 2 ** 40, 2 ** 40, 1, f(2), 0), RangeError, 'reduce');
    expectError(call(0, f(6), 2, 3, 1, new Float64Array(2), 0), TypeError, 'reduce');
    expectError(call(0, detached(6), 2, 3, 1, f(2), 0), TypeError, 'reduce');
    const buf = f(8);
    expectError(call(0, buf.subarray(0, 6), 2, 3, 1, buf.subarray(5, 7), 0), RangeError, 'reduce');
  });

  it('argReduce', () => {
    const call = (...args: unknown[]) => () => (addon.argReduce as (...x: unknown[]) => void)(...args);
    const i32 = (n: number) => new Int32Array(n);
    expectError(call(1, f(6), 2, 3, 1, i32(2)), TypeError, 'argReduce');
    expectError(call(true, f(6), 2, 3, 1, f(2)), TypeError, 'argReduce');
    expectError(call(true, f(6), 2, 0, 1, i32(2)), RangeError, 'argReduce');
    expectError(call(true, f(5), 2, 3, 1, i32(2)), RangeError, 'argReduce');
    expectError(call(true, f(6), 2, 3, 1, i32(1)), RangeError, 'argReduce');
    expectError(call(true, f(6), 2, 3.5, 1, i32(2)), RangeError, 'argReduce');
    expectError(call(true, detached(6), 2, 3, 1, i32(2)), TypeError, 'argReduce');
    const shared = new ArrayBuffer(32);
    expectError(call(true, new Float32Array(shared, 0, 6), 2, 3, 1, new Int32Array(shared, 16, 2)), RangeError, 'argReduce');
    expectError(call(true, f(6), 2, 3), TypeError, 'argReduce');
  });
});
