// Native strided copy (copyStrided) against the reference backend on every instruction-set path:
// permutations, transposes, broadcasts, slices and block writes, compared exactly; plus the entry
// point's checks.
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import {
  ISAS, detachedArray, expectOpError, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

const DIMS = [1, 2, 3, 7, 16, 17, 33];
const SPECIALS = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-45, -3.4e38];

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function denseStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, k = 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d]!;
  }
  return s;
}

/** Random values with a sprinkling of special ones (±0, ±Inf, NaN, a denormal). */
function values(rng: Random, n: number): Float32Array {
  const a = randomArray(rng, n, -100, 100);
  for (let i = 0; i < n; i += 1 + rng.int(13)) a[i] = SPECIALS[rng.int(SPECIALS.length)]!;
  return a;
}

/** Exact equality per element; NaN matches NaN whatever its payload. */
function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!Object.is(Number.isNaN(g) ? NaN : g, Number.isNaN(w) ? NaN : w)) {
      expect.fail(`${what}: [${i}] got ${Object.is(g, -0) ? '-0' : g}, expected ${Object.is(w, -0) ? '-0' : w}`);
    }
  }
}

/** Runs both backends into outputs pre-filled with different sentinels and compares them. */
function check(
  x: Float32Array, shape: number[], strides: number[], what: string,
  outStrides?: number[], outLength = count(shape),
): void {
  const got = new Float32Array(outLength).fill(12345);
  const want = new Float32Array(outLength).fill(12345);
  native.copyStrided(x, shape, strides, got, outStrides);
  reference.copyStrided(x, shape, strides, want, outStrides);
  expectSame(got, want, what);
}

function permutation(rng: Random, rank: number): number[] {
  return rng.shuffle(Array.from({ length: rank }, (_, i) => i));
}

describe.each(ISAS)('copyStrided on %s', (isa) => {
  it('random permutations of ranks 0-5 match the reference exactly', () => {
    withIsa(isa, () => withThreads(2, () => {
      const rng = new Random(31);
      let done = 0;
      let big = 0;
      while (done < 150) {
        const rank = done % 6;
        const shape = Array.from({ length: rank }, () => DIMS[rng.int(DIMS.length)]!);
        if (count(shape) > 150_000) continue;
        const dims = permutation(rng, rank);
        const st = denseStrides(shape);
        const x = values(rng, count(shape));
        check(x, dims.map((d) => shape[d]!), dims.map((d) => st[d]!), `[${shape}] permuted by [${dims}]`);
        if (count(shape) >= 65_536) big++;
        done++;
      }
      expect(big).toBeGreaterThan(0);
    }));
  });

  it('transposes of 1×N, N×1, 127×300, 300×127 and 1024×1024 (threaded)', () => {
    const rng = new Random(32);
    withIsa(isa, () => {
      for (const [r, c] of [[1, 1000], [1000, 1], [127, 300], [300, 127], [16, 16], [15, 17], [1024, 1024]] as const) {
        const x = values(rng, r * c);
        for (const threads of [1, 2]) {
          withThreads(threads, () => check(x, [c, r], [1, c], `transpose ${r}×${c}, ${threads} threads`));
        }
      }
    });
  });

  it('transposes inside larger permutations (NHWC↔NCHW, stride-1 axis away from the inner two)', () => {
    const rng = new Random(33);
    const cases: Array<[number[], number[]]> = [
      [[4, 33, 17, 16], [0, 3, 1, 2]],
      [[4, 16, 33, 17], [0, 2, 3, 1]],
      [[32, 64, 64, 16], [0, 3, 1, 2]],
      [[5, 6, 7, 19], [3, 1, 0, 2]],
      [[17, 3, 2, 33], [3, 0, 2, 1]],
      [[2, 3, 5, 7, 11], [4, 2, 0, 3, 1]],
    ];
    withIsa(isa, () => withThreads(2, () => {
      for (const [shape, dims] of cases) {
        const st = denseStrides(shape);
        check(values(rng, count(shape)), dims.map((d) => shape[d]!), dims.map((d) => st[d]!), `[${shape}] by [${dims}]`);
      }
    }));
  });

  it('broadcast strides (0 on any axis, innermost included)', () => {
    const rng = new Random(34);
    withIsa(isa, () => withThreads(2, () => {
      const fixed: Array<[number[], number[], number]> = [
        [[4096, 1024], [0, 1], 1024],
        [[1024, 300], [1, 0], 1024],
        [[70_000], [0], 1],
        [[3, 5, 7], [0, 0, 0], 1],
        [[7, 33, 16], [33, 1, 0], 231],
        [[16, 17, 2], [0, 1, 17], 34],
        [[100_000, 3], [1, 0], 100_000],
      ];
      for (const [shape, strides, n] of fixed) check(values(rng, n), shape, strides, `[${shape}] strides [${strides}]`);
      for (let t = 0; t < 60; t++) {
        const rank = 1 + rng.int(4);
        const src = Array.from({ length: rank }, () => DIMS[rng.int(DIMS.length)]!);
        const shape = src.map((d) => (rng.int(3) === 0 ? DIMS[rng.int(DIMS.length)]! : d));
        const st = denseStrides(src);
        // A broadcast axis reads one source element (stride 0); the others keep the source's size.
        const out = shape.map((d, i) => (rng.int(2) === 0 ? d : src[i]!));
        const strides = out.map((d, i) => (d === src[i] ? st[i]! : 0));
        check(values(rng, count(src)), out, strides, `broadcast [${src}] to [${out}]`);
      }
    }));
  });

  it('slices with offsets (subarray plus the source strides)', () => {
    const rng = new Random(35);
    withIsa(isa, () => withThreads(2, () => {
      for (let t = 0; t < 80; t++) {
        const rank = 1 + rng.int(4);
        const shape = Array.from({ length: rank }, () => DIMS[rng.int(DIMS.length)]! + rng.int(40));
        if (count(shape) > 100_000) {
          t--;
          continue;
        }
        const st = denseStrides(shape);
        const begins = shape.map((d) => rng.int(d));
        const sizes = shape.map((d, i) => 1 + rng.int(d - begins[i]!));
        const x = values(rng, count(shape));
        const offset = begins.reduce((p, b, i) => p + b * st[i]!, 0);
        check(x.subarray(offset), sizes, st, `slice of [${shape}] at [${begins}] size [${sizes}]`);
      }
      // Large ones that run threaded, with long and with short rows.
      const x = values(rng, 600 * 500);
      check(x.subarray(3 * 500 + 7), [590, 480], [500, 1], 'slice of [600, 500]');
      const y = values(rng, 100_000 * 10);
      check(y.subarray(4), [100_000, 3], [10, 1], 'columns 4..6 of [100000, 10]');
    }));
  });

  it('writes into a block of a larger output with outStrides (concatenation), leaving the rest alone', () => {
    const rng = new Random(36);
    withIsa(isa, () => withThreads(2, () => {
      for (const [outer, mid, total, inner, at] of [
        [5, 3, 10, 7, 4], [300, 1, 3, 1, 2], [2, 33, 40, 17, 0], [400, 2, 5, 300, 3], [1, 17, 20, 16, 3],
      ] as const) {
        const x = values(rng, outer * mid * inner);
        const outLength = outer * total * inner;
        const got = new Float32Array(outLength).fill(7);
        const want = new Float32Array(outLength).fill(7);
        const shape = [outer, mid, inner];
        const os = [total * inner, inner, 1];
        native.copyStrided(x, shape, denseStrides(shape), got.subarray(at * inner), os);
        reference.copyStrided(x, shape, denseStrides(shape), want.subarray(at * inner), os);
        expectSame(got, want, `block [${shape}] at ${at} of [${outer}, ${total}, ${inner}]`);
        // And the other way round: a transposed source into the block.
        const tShape = [outer, inner, mid];
        const tx = values(rng, outer * mid * inner);
        const tos = [total * inner, 1, inner];
        got.fill(7);
        want.fill(7);
        native.copyStrided(tx, tShape, denseStrides(tShape), got.subarray(at * inner), tos);
        reference.copyStrided(tx, tShape, denseStrides(tShape), want.subarray(at * inner), tos);
        expectSame(got, want, `transposed block [${tShape}]`);
      }
    }));
  });

  it('empty shapes write nothing; rank 0 copies one element', () => {
    withIsa(isa, () => {
      const out = new Float32Array(3).fill(9);
      native.copyStrided(new Float32Array(0), [0, 5], [5, 1], out);
      native.copyStrided(new Float32Array(0), [5, 0, 2], [100, 7, 1], out);
      expect(Array.from(out)).toEqual([9, 9, 9]);
      native.copyStrided(Float32Array.from([4, 5]), [], [], out.subarray(1));
      expect(Array.from(out)).toEqual([9, 4, 9]);
    });
  });
});

describe('copyStrided entry point rejects bad input', () => {
  const addon = native.addon;
  const f = (n: number) => new Float32Array(n);
  const detached = detachedArray;
  const expectError = (fn: () => void, type: typeof TypeError | typeof RangeError) =>
    expectOpError(fn, type, 'copyStrided');
  const call = (...args: unknown[]) => () => (addon.copyStrided as (...x: unknown[]) => void)(...args);

  it('wrong types and arities', () => {
    expectError(call(f(6), f(6), [2, 3]), TypeError);
    expectError(call(new Float64Array(6), f(6), [2, 3], [3, 1]), TypeError);
    expectError(call(f(6), new Int32Array(6), [2, 3], [3, 1]), TypeError);
    expectError(call([1, 2, 3], f(6), [3], [1]), TypeError);
    expectError(call(f(6), f(6), 6, [1]), TypeError);
    expectError(call(f(6), f(6), [6], [1], 'dense'), TypeError);
    expectError(call(f(6), f(6), [2, '3'], [3, 1]), TypeError);
    expectError(call(detached(6), f(6), [2, 3], [3, 1]), TypeError);
    expectError(call(f(6), detached(6), [2, 3], [3, 1]), TypeError);
  });

  it('bad shapes, strides and lengths', () => {
    expectError(call(f(6), f(6), [2, 3], [1]), RangeError);
    expectError(call(f(6), f(6), [2, 3], [3, 1], [1]), RangeError);
    expectError(call(f(6), f(6), [2, -3], [3, 1]), RangeError);
    expectError(call(f(6), f(6), [2, 3], [3, 1.5]), RangeError);
    expectError(call(f(6), f(6), [2, 3], [NaN, 1]), RangeError);
    expectError(call(f(9), f(9), new Array(9).fill(1), new Array(9).fill(0)), RangeError);  // rank > 8
    expectError(call(f(5), f(6), [2, 3], [3, 1]), RangeError);  // short x
    expectError(call(f(6), f(6), [2, 3], [4, 1]), RangeError);  // strides reach index 6
    expectError(call(f(6), f(6), [3, 2], [2, 3]), RangeError);  // reaches index 7
    expectError(call(f(6), f(5), [2, 3], [3, 1]), RangeError);  // short out
    expectError(call(f(6), f(9), [2, 3], [3, 1], [5, 2]), RangeError);  // out reaches index 9
    expectError(call(f(6), f(20), [2, 3], [3, 1], [1, 1]), RangeError);  // outStrides collide
    expectError(call(f(6), f(20), [2, 3], [3, 1], [0, 1]), RangeError);
    expectError(call(f(6), f(6), [2 ** 30, 2 ** 30], [0, 0]), RangeError);  // 2^60 elements
    expectError(call(f(6), f(6), [2 ** 26, 2 ** 26], [2 ** 40, 1]), RangeError);  // reach overflows
    expectError(call(f(6), f(6), [2 ** 53, 1], [1, 1]), RangeError);
  });

  it('overlapping x and out', () => {
    const buf = f(12);
    expectError(call(buf.subarray(0, 6), buf.subarray(3, 9), [2, 3], [3, 1]), RangeError);
    expectError(call(buf.subarray(0, 6), buf.subarray(0, 6), [2, 3], [3, 1]), RangeError);
    expectError(call(buf.subarray(4, 6), buf.subarray(0, 6), [2, 3], [0, 1]), RangeError);
    // Disjoint parts of one buffer are fine.
    buf.set([1, 2, 3, 4, 5, 6]);
    addon.copyStrided(buf.subarray(0, 6), buf.subarray(6), [3, 2], [1, 3]);
    expect(Array.from(buf.subarray(6))).toEqual([1, 4, 2, 5, 3, 6]);
    // An empty shape reads and writes nothing, so short or shared arrays are fine.
    addon.copyStrided(f(0), f(0), [0, 3], [3, 1]);
    addon.copyStrided(buf, buf, [4, 0], [1, 1]);
  });
});
