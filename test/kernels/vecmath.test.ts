/**
 * Accuracy of the vectorised exp / expm1 / log / sigmoid / tanh / erf against Math.* (float64),
 * swept over the float range (every binary exponent, denormals, ±0, ±Inf, NaN and the overflow /
 * underflow thresholds of exp), on every ISA path. The bounds asserted are the ones stated in
 * native/kernels/math/vecmath_*.h.
 */
import { describe, expect, it } from 'vitest';
import { erfc } from '../../src/backend/reference/activation.js';
import { ISAS, native, withIsa } from '../support/kernels.js';

/** One float32 ulp at the magnitude of v (denormal spacing below 2⁻¹²⁶). */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let k = Math.floor(Math.log2(a));
  if (2 ** k > a) k--;
  if (2 ** (k + 1) <= a) k++;
  return 2 ** (k - 23);
}

/** Values across the whole float range plus specials and exp's thresholds. */
function sweep(): Float32Array {
  const v: number[] = [0, -0, Infinity, -Infinity, NaN, 2 ** -149, -(2 ** -149), 2 ** -126, 3.4028234663852886e38];
  for (let e = -149; e <= 127; e++) {
    for (const m of [1, 1.1, 1.25, 1.4142, 1.5, 1.75, 1.9999999]) {
      v.push(m * 2 ** e, -m * 2 ** e);
    }
  }
  for (let i = -4000; i <= 4000; i++) v.push(i / 100); // dense over [−40, 40]
  for (const t of [88.72283, 88.7228394, 88.7228, 88.73, 89, -87.33654, -87.3366, -103.278, -103.972, -103.973, -104, -110]) {
    v.push(t);
  }
  return Float32Array.from(v);
}

interface Worst { ulps: number; x: number; got: number; want: number; mismatch?: string }

/** Largest error in ulps of got vs want(x); NaN/Inf must match exactly. */
function measure(xs: Float32Array, got: Float32Array, want: (x: number) => number, keep: (x: number) => boolean = () => true): Worst {
  const w: Worst = { ulps: 0, x: 0, got: 0, want: 0 };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!keep(x)) continue;
    const e = want(x);
    const g = got[i]!;
    if (Number.isNaN(e) || Number.isNaN(g) || !Number.isFinite(e) || !Number.isFinite(g)) {
      const same = Number.isNaN(e) ? Number.isNaN(g) : Math.fround(e) === g;
      if (!same && !w.mismatch) w.mismatch = `x=${x}: got ${g}, want ${e}`;
      continue;
    }
    const u = Math.abs(g - e) / ulp(e);
    if (u > w.ulps) Object.assign(w, { ulps: u, x, got: g, want: e });
  }
  return w;
}

function viaActivation(act: 'tanh' | 'sigmoid' | 'elu' | 'gelu_erf' | 'softplus', xs: Float32Array, alpha = 0): Float32Array {
  const y = new Float32Array(xs.length);
  native.activation(act, xs, y, alpha);
  return y;
}

function viaUnary(op: 'exp' | 'log', xs: Float32Array): Float32Array | undefined {
  const y = new Float32Array(xs.length);
  try {
    native.unary(op, xs, y, 0, 0);
  } catch {
    return undefined; // the elementwise family is not built in
  }
  return y;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

describe.each(ISAS)('vector math accuracy on %s', (isa) => {
  const xs = sweep();

  it('tanh ≤ 2 ulp', () => {
    withIsa(isa, () => {
      const w = measure(xs, viaActivation('tanh', xs), Math.tanh);
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(2);
    });
  });

  it('sigmoid ≤ 3 ulp, exact 0/1 limits', () => {
    withIsa(isa, () => {
      const y = viaActivation('sigmoid', xs);
      const w = measure(xs, y, sigmoid);
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(3);
      const lim = viaActivation('sigmoid', Float32Array.of(100, -100, Infinity, -Infinity, 1e4, -1e4));
      expect(Array.from(lim.subarray(0, 1))).toEqual([1]);
      expect(lim[1]).toBeGreaterThan(0);
      expect(lim[2]).toBe(1);
      expect(Math.abs(lim[3]!)).toBe(0);
      expect(lim[4]).toBe(1);
      expect(Math.abs(lim[5]!)).toBe(0);
    });
  });

  it('expm1 (through elu with alpha = 1, x ≤ 0) ≤ 2 ulp', () => {
    withIsa(isa, () => {
      const w = measure(xs, viaActivation('elu', xs, 1), Math.expm1, (x) => !(x > 0));
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(2);
    });
  });

  it('softplus (log1p of exp) ≤ 3 ulp', () => {
    withIsa(isa, () => {
      const ref = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      const w = measure(xs, viaActivation('softplus', xs), ref);
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(3);
    });
  });

  it('erf through gelu_erf: ≤ 16 ulp for x ≥ −3, relative ≤ 2e−5 in the tail', () => {
    withIsa(isa, () => {
      const y = viaActivation('gelu_erf', xs);
      const ref = (x: number): number => (x === -Infinity ? 0 : 0.5 * x * erfc(-x / Math.SQRT2));
      const head = measure(xs, y, ref, (x) => !(x < -3));
      expect(head.mismatch).toBeUndefined();
      // erfc ≤ 8 ulp, plus the rounding of −x/√2 to float (its effect grows like x²·2⁻²⁴).
      expect(head.ulps, JSON.stringify(head)).toBeLessThanOrEqual(16);
      // Below −3 the result is x·erfc(|x|/√2)/2: rounding x/√2 to float alone moves erfc by
      // ~x²·2⁻²⁴ relative, so the bound is relative (until the result turns denormal).
      let worst = 0;
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        if (!(x < -3) || x === -Infinity) continue;
        const e = ref(x);
        if (Math.abs(e) < 2 ** -126) continue;
        worst = Math.max(worst, Math.abs(y[i]! - e) / Math.abs(e));
      }
      expect(worst).toBeLessThanOrEqual(2e-5);
    });
  });

  it('exp ≤ 2 ulp including denormal results and overflow', () => {
    withIsa(isa, () => {
      const y = viaUnary('exp', xs);
      if (!y) return;
      const w = measure(xs, y, Math.exp);
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(2);
      const t = viaUnary('exp', Float32Array.of(88.72283, 88.7228394, 89, -103.2, -104, Infinity, -Infinity))!;
      expect(Number.isFinite(t[0]!)).toBe(true);
      expect(t[2]).toBe(Infinity);
      expect(t[3]).toBeGreaterThan(0);
      expect(t[4]).toBe(0);
      expect(t[5]).toBe(Infinity);
      expect(t[6]).toBe(0);
    });
  });

  it('log ≤ 2 ulp including denormal inputs, log(0) = −Inf, log(x < 0) = NaN', () => {
    withIsa(isa, () => {
      const y = viaUnary('log', xs);
      if (!y) return;
      const w = measure(xs, y, Math.log);
      expect(w.mismatch).toBeUndefined();
      expect(w.ulps, JSON.stringify(w)).toBeLessThanOrEqual(2);
    });
  });
});
