/** Helpers for the native-versus-reference kernel tests. */
import { nativeBackend, referenceBackend } from '../../src/backend/index.js';
import type { NativeBackend } from '../../src/backend/native.js';
import { Random } from '../../src/random.js';

export { expectOpError } from './errors.js';

export const native: NativeBackend = nativeBackend();
export const reference = referenceBackend();

/** Sizes every kernel is tried on (from the issue: 0, 1, primes, around SIMD widths and blocks). */
export const SIZES = [0, 1, 3, 7, 16, 17, 33, 64, 127, 300];

/** The instruction-set paths this machine supports, lowest first. */
export const ISAS: string[] = native.supportedIsas();

/** Runs fn with the native backend forced onto `isa`, restoring the previous path after. */
export function withIsa<T>(isa: string, fn: () => T): T {
  const before = native.isa();
  native.setIsa(isa);
  try {
    return fn();
  } finally {
    native.setIsa(before);
  }
}

/** Runs fn with the native pool at n threads, restoring the previous size after. */
export function withThreads<T>(n: number, fn: () => T): T {
  const before = native.threads();
  native.setNumThreads(n);
  try {
    return fn();
  } finally {
    native.setNumThreads(before);
  }
}

/** Float32Array of n values uniform in [lo, hi). */
export function randomArray(rng: Random, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

/**
 * Largest violation of |a − e| <= atol + rtol·|e| (0 when all pass); NaN must match NaN and
 * infinities must match exactly. Returns a description of the first failure for messages.
 */
export function compareArrays(
  actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number,
): { ok: boolean; message: string } {
  if (actual.length !== expected.length) {
    return { ok: false, message: `length ${actual.length} != ${expected.length}` };
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return { ok: false, message: `[${i}] got ${a}, expected ${e}` };
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return { ok: false, message: `[${i}] got ${a}, expected ${e}` };
      continue;
    }
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      return { ok: false, message: `[${i}] got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})` };
    }
  }
  return { ok: true, message: '' };
}

/** A Float32Array of n elements whose ArrayBuffer has been transferred away (detached). */
export function detachedArray(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
