/**
 * Finite-difference gradient checks. The output is projected onto fixed random weights
 * (L = Σ w ⊙ f(x), summed in float64) so every output element matters; each input element is
 * nudged by ±eps and the central difference of L is compared with the gradient backward() left.
 * Storage is float32, hence eps ≈ 1e-2…1e-3 on O(1) inputs and tolerances to match.
 */
import { expect } from 'vitest';
import {
  type BackendName, getBackend, nativeAvailable, setBackend,
} from '../../src/backend/index.js';
import { noGrad } from '../../src/autograd.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the projection weights. */
  seed?: number;
}

/** Backends the checks run on: reference always, native when its binary loads. */
export const BACKENDS: BackendName[] = nativeAvailable() ? ['reference', 'native'] : ['reference'];

/** Runs fn on backend `name`, restoring the previous one after. */
export function onBackend<T>(name: BackendName, fn: () => T): T {
  const before = getBackend().name;
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/**
 * Runs a test body on a backend. On the native backend, a kernel that is not there yet
 * ("… is not a function") skips the test instead of failing it.
 */
export function runOn(name: BackendName, skip: (note?: string) => void, fn: () => void): void {
  try {
    onBackend(name, fn);
  } catch (err) {
    if (name === 'native' && err instanceof TypeError && /is not a function/.test(err.message)) {
      skip(`native kernel missing: ${err.message}`);
      return;
    }
    throw err;
  }
}

/** Uniform values in [lo, hi) as a tensor, optionally kept away from the points in `avoid`. */
export function randTensor(
  rng: Random, shape: number[], lo = -1, hi = 1, avoid: number[] = [], margin = 0.05,
): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = lo + (hi - lo) * rng.uniform();
    while (avoid.some((a) => Math.abs(v - a) < margin));
    data[i] = v;
  }
  return new Tensor(data, shape);
}

function project(y: Tensor, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += w[i]! * y.data[i]!;
  return s;
}

/**
 * Checks backward() of `f` against central differences for every input that requires grad
 * (inputs are used as given; those without requiresGrad are held constant). Returns the largest
 * absolute error seen.
 */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {},
): number {
  const { eps = 1e-2, atol = 2e-3, rtol = 2e-2, seed = 1234 } = options;
  for (const x of inputs) x.grad = null;
  const y = f(...inputs);
  const rng = new Random(seed);
  const w = new Float64Array(y.size);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniformRange(-1, 1);
  const wt = new Tensor(Float32Array.from(w), y.shape);
  expect(y.requiresGrad).toBe(true);
  y.backward(wt);
  let worst = 0;
  inputs.forEach((x, xi) => {
    if (!x.requiresGrad) return;
    expect(x.grad, `input ${xi} has no grad`).not.toBeNull();
    const g = x.grad!;
    expect(g.shape).toEqual(x.shape);
    for (let j = 0; j < x.size; j++) {
      const keep = x.data[j]!;
      x.data[j] = keep + eps;
      const up = noGrad(() => project(f(...inputs), w));
      x.data[j] = keep - eps;
      const down = noGrad(() => project(f(...inputs), w));
      x.data[j] = keep;
      // Use the actually representable step.
      const step = Math.fround(keep + eps) - Math.fround(keep - eps);
      const numeric = (up - down) / step;
      const analytic = g.data[j]!;
      const err = Math.abs(numeric - analytic);
      worst = Math.max(worst, err);
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(
          `gradient mismatch for input ${xi} ${JSON.stringify(x.shape)} at element ${j}: ` +
            `backward ${analytic}, finite difference ${numeric} (|diff| ${err})`,
        );
      }
    }
  });
  return worst;
}
