/** Native activations and softmax against the reference, on every ISA path. */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type ActivationName } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import {
  ISAS, SIZES, compareArrays, detachedArray, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

const ALPHA: Partial<Record<ActivationName, number>> = { leaky_relu: 0.1, elu: 1.3 };
const alphaOf = (a: ActivationName): number => ALPHA[a] ?? 0;
const ACT_SIZES = [...SIZES, 4099, 70000];
const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 100, -100, 1e4, -1e4, 1e-40, -1e-40, 3, -3, 88.8, -88.8];

function expectClose(actual: Float32Array, expected: Float32Array, atol: number, rtol: number, what: string): void {
  const r = compareArrays(actual, expected, atol, rtol);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

/** Inputs: uniform in [−10, 10), every 7th value in [−100, 100). */
function inputs(rng: Random, n: number): Float32Array {
  const x = randomArray(rng, n, -10, 10);
  for (let i = 0; i < n; i += 7) x[i] = -100 + 200 * rng.uniform();
  return x;
}

function forwardBoth(act: ActivationName, x: Float32Array): { got: Float32Array; want: Float32Array } {
  const got = new Float32Array(x.length).fill(7);
  const want = new Float32Array(x.length);
  native.activation(act, x, got, alphaOf(act));
  reference.activation(act, x, want, alphaOf(act));
  return { got, want };
}

function backwardBoth(act: ActivationName, x: Float32Array, dy: Float32Array): { got: Float32Array; want: Float32Array } {
  const y = new Float32Array(x.length);
  reference.activation(act, x, y, alphaOf(act));
  const got = new Float32Array(x.length).fill(7);
  const want = new Float32Array(x.length);
  native.activationBackward(act, x, y, dy, got, alphaOf(act));
  reference.activationBackward(act, x, y, dy, want, alphaOf(act));
  return { got, want };
}

describe.each(ISAS)('activations on %s', (isa) => {
  it.each([...ACTIVATIONS])('%s forward and backward match the reference', (act) => {
    withIsa(isa, () => {
      const rng = new Random(1234 + ACTIVATIONS.indexOf(act));
      for (const n of ACT_SIZES) {
        const run = (): void => {
          const x = inputs(rng, n);
          const f = forwardBoth(act, x);
          expectClose(f.got, f.want, 1e-6, 1e-5, `${act} forward n=${n}`);
          const dy = randomArray(rng, n, -1, 1);
          const b = backwardBoth(act, x, dy);
          expectClose(b.got, b.want, 1e-6, 1e-5, `${act} backward n=${n}`);
        };
        if (n === 70000) withThreads(2, run);
        else run();
      }
    });
  });

  it.each([...ACTIVATIONS])('%s special values give the limits', (act) => {
    withIsa(isa, () => {
      const x = Float32Array.from(SPECIALS);
      const f = forwardBoth(act, x);
      expectClose(f.got, f.want, 1e-6, 1e-5, `${act} forward specials`);
      const dy = new Float32Array(x.length).fill(0.5);
      const b = backwardBoth(act, x, dy);
      expectClose(b.got, b.want, 1e-6, 1e-5, `${act} backward specials`);
      // NaN propagates through every forward.
      expect(Number.isNaN(f.got[4]!), `${act}(NaN)`).toBe(true);
    });
  });

  it('named limits hold exactly', () => {
    withIsa(isa, () => {
      const run = (act: ActivationName, v: number): number => {
        const y = new Float32Array(1);
        native.activation(act, Float32Array.of(v), y, alphaOf(act));
        return y[0]!;
      };
      expect(run('sigmoid', Infinity)).toBe(1);
      expect(Math.abs(run('sigmoid', -Infinity))).toBe(0);
      expect(run('sigmoid', 100)).toBe(1);
      expect(run('sigmoid', -100)).toBeCloseTo(0, 40);
      expect(run('sigmoid', -100)).toBeGreaterThan(0);
      expect(run('tanh', -Infinity)).toBe(-1);
      expect(run('tanh', Infinity)).toBe(1);
      expect(run('relu', Infinity)).toBe(Infinity);
      expect(run('softplus', 1e4)).toBe(1e4);
      expect(Math.abs(run('softplus', -1e4))).toBe(0);
      expect(run('softplus', Infinity)).toBe(Infinity);
      expect(run('softsign', -Infinity)).toBe(-1);
      expect(Math.abs(run('silu', -Infinity))).toBe(0);
      expect(run('gelu', Infinity)).toBe(Infinity);
      expect(Math.abs(run('gelu_erf', -Infinity))).toBe(0);
      expect(run('elu', -Infinity)).toBeCloseTo(-1.3, 6);
    });
  });

  it('works in place (y = x, dx = dy)', () => {
    withIsa(isa, () => {
      const rng = new Random(99);
      for (const act of ACTIVATIONS) {
        for (const n of [17, 4099]) {
          const x = inputs(rng, n);
          const want = new Float32Array(n);
          reference.activation(act, x, want, alphaOf(act));
          const y = x.slice();
          native.activation(act, y, y, alphaOf(act));
          expectClose(y, want, 1e-6, 1e-5, `${act} in place`);
          const dy = randomArray(rng, n, -1, 1);
          const wantDx = new Float32Array(n);
          reference.activationBackward(act, x, want, dy, wantDx, alphaOf(act));
          native.activationBackward(act, x, want, dy, dy, alphaOf(act));
          expectClose(dy, wantDx, 1e-6, 1e-5, `${act} backward in place`);
        }
      }
    });
  });
});

/** Outputs of 16 MiB and more are written with non-temporal stores after an aligned head. */
const STREAMED = (1 << 22) + 37;

describe.each(ISAS)('large (streamed) outputs on %s', (isa) => {
  it.each([0, 3])('activations forward and backward, offset %i', (offset) => {
    withIsa(isa, () => {
      const rng = new Random(4242 + offset);
      const x = inputs(rng, STREAMED + offset).subarray(offset);
      const dy = randomArray(rng, STREAMED + offset, -1, 1).subarray(offset);
      for (const act of ['relu', 'tanh', 'gelu'] as const) {
        for (const threads of [1, 2]) {
          withThreads(threads, () => {
            const f = forwardBoth(act, x);
            expectClose(f.got, f.want, 1e-6, 1e-5, `${act} forward n=${STREAMED} +${offset} t=${threads}`);
            const b = backwardBoth(act, x, dy);
            expectClose(b.got, b.want, 1e-6, 1e-5, `${act} backward n=${STREAMED} +${offset} t=${threads}`);
          });
        }
      }
    });
  });

  it.each([0, 1])('softmax rows of 1024 (whole cache lines), offset %i', (offset) => {
    withIsa(isa, () => {
      const rng = new Random(77 + offset);
      const rows = 4100, cols = 1024;
      const x = randomArray(rng, rows * cols + offset, -10, 10).subarray(offset);
      const dy = randomArray(rng, rows * cols, -1, 1);
      for (const log of [false, true]) {
        const got = new Float32Array(rows * cols + offset).fill(7).subarray(offset);
        const want = new Float32Array(rows * cols);
        withThreads(2, () => native.softmax(x, got, rows, cols, log));
        reference.softmax(x, want, rows, cols, log);
        expectClose(got, want, 1e-6, 1e-5, `softmax ${rows}×${cols} log=${log}`);
        const dxGot = new Float32Array(rows * cols + offset).fill(7).subarray(offset);
        const dxWant = new Float32Array(rows * cols);
        native.softmaxBackward(want, dy, dxGot, rows, cols, log);
        reference.softmaxBackward(want, dy, dxWant, rows, cols, log);
        expectClose(dxGot, dxWant, 1e-5, 1e-4, `softmax backward ${rows}×${cols} log=${log}`);
      }
    });
  });
});

const SOFTMAX_SHAPES: [number, number][] = [
  [0, 5], [3, 0], [1, 1], [5, 1], [1, 300], ...SIZES.filter((s) => s > 0).map((c, i): [number, number] => [SIZES[(i + 3) % SIZES.length]! || 2, c]),
  [70, 1000],
];

describe.each(ISAS)('softmax on %s', (isa) => {
  it.each([false, true])('rows×cols match the reference (log=%s)', (log) => {
    withIsa(isa, () => {
      const rng = new Random(log ? 5 : 6);
      for (const [rows, cols] of SOFTMAX_SHAPES) {
        const x = randomArray(rng, rows * cols, -10, 10);
        const got = new Float32Array(rows * cols).fill(7);
        const want = new Float32Array(rows * cols);
        withThreads(2, () => native.softmax(x, got, rows, cols, log));
        reference.softmax(x, want, rows, cols, log);
        expectClose(got, want, 1e-6, 1e-5, `softmax ${rows}×${cols}`);
        const dy = randomArray(rng, rows * cols, -1, 1);
        const dxGot = new Float32Array(rows * cols).fill(7);
        const dxWant = new Float32Array(rows * cols);
        native.softmaxBackward(want, dy, dxGot, rows, cols, log);
        reference.softmaxBackward(want, dy, dxWant, rows, cols, log);
        expectClose(dxGot, dxWant, 1e-5, 1e-4, `softmax backward ${rows}×${cols}`);
        // in place
        const inPlace = x.slice();
        native.softmax(inPlace, inPlace, rows, cols, log);
        expectClose(inPlace, want, 1e-6, 1e-5, `softmax in place ${rows}×${cols}`);
        native.softmaxBackward(want, dy, dy, rows, cols, log);
        expectClose(dy, dxWant, 1e-5, 1e-4, `softmax backward in place ${rows}×${cols}`);
      }
    });
  });

  it('handles huge logits, −Inf entries and rows of −Inf', () => {
    withIsa(isa, () => {
      const cols = 19;
      const x = new Float32Array(4 * cols);
      for (let j = 0; j < cols; j++) {
        x[j] = j % 2 ? 1e4 : -1e4;            // row 0: ±1e4
        x[cols + j] = j === 3 ? -Infinity : j; // row 1: one −Inf
        x[2 * cols + j] = -Infinity;           // row 2: all −Inf
        x[3 * cols + j] = j === 5 ? NaN : 0;   // row 3: a NaN
      }
      for (const log of [false, true]) {
        const got = new Float32Array(x.length);
        const want = new Float32Array(x.length);
        native.softmax(x, got, 4, cols, log);
        reference.softmax(x, want, 4, cols, log);
        expectClose(got, want, 1e-6, 1e-5, `softmax specials log=${log}`);
        const row0 = got.subarray(0, cols);
        for (const v of row0) expect(Number.isFinite(v)).toBe(true); // log_softmax stays finite
        if (log) expect(row0[0]).toBeCloseTo(-2e4 - Math.log(9), 0);
        else expect(row0[1]).toBeCloseTo(1 / 9, 6);
        expect(got[cols + 3]).toBe(log ? -Infinity : 0);
        for (let j = 0; j < cols; j++) {
          expect(Number.isNaN(got[2 * cols + j]!)).toBe(true);
          expect(Number.isNaN(got[3 * cols + j]!)).toBe(true);
        }
      }
    });
  });
});

describe('activation entry points reject bad input', () => {
  const addon = native.addon;
  const x = new Float32Array(8);
  const y = new Float32Array(8);
  it('checks types', () => {
    expect(() => addon.activation(1, new Float64Array(8) as unknown as Float32Array, y, 0)).toThrow(TypeError);
    expect(() => addon.activation(1, x, [1, 2] as unknown as Float32Array, 0)).toThrow(TypeError);
    expect(() => addon.activation('relu' as unknown as number, x, y, 0)).toThrow(TypeError);
    expect(() => addon.softmax(x, y, 2, 4, 1 as unknown as boolean)).toThrow(TypeError);
    expect(() => addon.softmaxBackward(x, y, new Int32Array(8) as unknown as Float32Array, 2, 4, false)).toThrow(TypeError);
  });
  it('checks lengths, codes and alpha', () => {
    expect(() => addon.activation(1, x, new Float32Array(7), 0)).toThrow(/activation: y has 7 elements, x has 8/);
    expect(() => addon.activationBackward(1, x, y, new Float32Array(9), new Float32Array(8), 0)).toThrow(RangeError);
    expect(() => addon.activation(13, x, y, 0)).toThrow(RangeError);
    expect(() => addon.activation(-1, x, y, 0)).toThrow(RangeError);
    expect(() => addon.activation(1.5, x, y, 0)).toThrow(RangeError);
    expect(() => addon.activation(2, x, y, NaN)).toThrow(/alpha must be finite/);
    expect(() => addon.activation(2, x, y, Infinity)).toThrow(RangeError);
    expect(() => addon.softmax(x, y, 3, 3, false)).toThrow(/softmax: x has 8 elements, rows·cols has 9/);
    expect(() => addon.softmax(x, y, 2 ** 40, 2 ** 40, false)).toThrow(RangeError);
    expect(() => addon.softmax(x, y, -2, -4, false)).toThrow(RangeError);
    expect(() => addon.softmaxBackward(x, y, new Float32Array(4), 2, 4, true)).toThrow(RangeError);
  });
  it('rejects partial overlap but allows exact in-place', () => {
    const buf = new Float32Array(16);
    expect(() => addon.activation(1, buf.subarray(0, 8), buf.subarray(4, 12), 0)).toThrow(/must not share memory/);
    expect(() => addon.activationBackward(1, x, y, buf.subarray(0, 8), buf.subarray(2, 10), 0)).toThrow(RangeError);
    expect(() => addon.softmax(buf.subarray(0, 8), buf.subarray(1, 9), 2, 4, false)).toThrow(RangeError);
    expect(() => addon.softmaxBackward(buf.subarray(0, 8), y, buf.subarray(3, 11), 2, 4, false)).toThrow(RangeError);
    expect(() => addon.activation(1, buf.subarray(0, 8), buf.subarray(0, 8), 0)).not.toThrow();
    expect(() => addon.activation(1, buf.subarray(0, 8), buf.subarray(8, 16), 0)).not.toThrow();
  });
  it('rejects detached buffers', () => {
    const d = detachedArray(8);
    expect(() => addon.activation(1, d, y, 0)).toThrow(TypeError);
    expect(() => addon.softmax(x, d, 2, 4, false)).toThrow(TypeError);
  });
  it('accepts empty arrays', () => {
    expect(() => addon.activation(7, new Float32Array(0), new Float32Array(0), 0)).not.toThrow();
    expect(() => addon.softmax(new Float32Array(0), new Float32Array(0), 0, 10, true)).not.toThrow();
  });
});
