// Calls every addon entry point directly with random, mostly wrong arguments, thousands of
// times. Each call must either succeed or throw a TypeError/RangeError naming the op; the
// process must survive (a crash here fails the whole test file).
import { describe, expect, it } from 'vitest';
import { detachedArray, native } from '../support/kernels.js';
import { Random } from '../../src/random.js';

type Fn = (...args: unknown[]) => unknown;


function randomArg(rng: Random): unknown {
  const pick = rng.int(24);
  switch (pick) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rng.int(2) === 0;
    case 3: return 'relu';
    case 4: return {};
    case 5: return [rng.int(4), rng.int(4)];
    case 6: return -1 - rng.int(5);
    case 7: return rng.uniform() * 10;
    case 8: return NaN;
    case 9: return Infinity;
    case 10: return 2 ** 40 + rng.int(3);
    case 11: return 2 ** 62;
    case 12: return new Int32Array(rng.int(10));
    case 13: return new Float64Array(rng.int(10));
    case 14: return detachedArray(8);
    case 15: return new Float32Array(rng.int(12)).subarray(rng.int(3));
    case 16: return [1, -2, 3.5];
    case 17: return Symbol('x');
    case 18: return 10n;
    default: {
      if (rng.int(2) === 0) return rng.int(6);  // small valid-looking dims and codes
      const a = new Float32Array(rng.int(40));
      for (let i = 0; i < a.length; i++) a[i] = rng.uniform() * 4 - 2;
      return a;
    }
  }
}

describe('addon entry points under random wrong arguments', () => {
  it('throw TypeError or RangeError and never crash', () => {
    const addon = native.addon as unknown as Record<string, Fn>;
    const names = Object.keys(addon).filter((k) => typeof addon[k] === 'function');
    expect(names.length).toBeGreaterThanOrEqual(5);
    const rng = new Random(1234);
    const threadsBefore = native.threads();
    const isaBefore = native.isa();
    const outcomes = { ok: 0, typeError: 0, rangeError: 0 };
    try {
      for (let i = 0; i < 20000; i++) {
        const name = names[rng.int(names.length)]!;
        const args = Array.from({ length: rng.int(16) }, () => randomArg(rng));
        try {
          addon[name]!(...args);
          outcomes.ok++;
        } catch (err) {
          if (err instanceof RangeError) outcomes.rangeError++;
          else if (err instanceof TypeError) outcomes.typeError++;
          else throw new Error(`${name}(${args.map(String).join(', ')}) threw ${String(err)}`);
          expect((err as Error).message).toMatch(/^dendrite\.\w+: /);
        }
      }
    } finally {
      native.setNumThreads(threadsBefore);
      native.setIsa(isaBefore);
    }
    expect(outcomes.typeError).toBeGreaterThan(1000);
    expect(outcomes.rangeError).toBeGreaterThan(100);
  });

  it('still computes correctly afterwards', () => {
    const c = new Float32Array(4);
    native.gemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 0, c);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });
});
