import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, nativeAvailable, setBackend, type BackendName } from '../../src/backend/index.js';
import { ArgumentError, ValueError } from '../../src/errors.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';
import { tensor } from '../../src/ops/creation.js';
import { Tensor } from '../../src/tensor.js';

function withGrad(values: number[], grad: number[]): Tensor {
  const t = tensor(values, [values.length], { requiresGrad: true });
  t.grad = new Tensor(new Float32Array(grad), [grad.length]);
  return t;
}

const backends: BackendName[] = nativeAvailable() ? ['reference', 'native'] : ['reference'];

describe.each(backends)('gradient clipping on the %s backend', (name) => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend().name;
    setBackend(name);
  });
  afterAll(() => setBackend(before));

  it('clipGradNorm scales all gradients together and returns the norm before clipping', () => {
    const a = withGrad([0, 0], [3, 0]);
    const b = withGrad([0, 0, 0], [0, 4, 0]);
    const frozen = tensor([1, 2], [2], { requiresGrad: true });
    const norm = clipGradNorm([a, frozen, b], 2);
    expect(norm).toBeCloseTo(5, 6);
    const s = 2 / (5 + 1e-6);
    expect(a.grad!.data[0]).toBeCloseTo(3 * s, 6);
    expect(a.grad!.data[1]).toBe(0);
    expect(b.grad!.data[1]).toBeCloseTo(4 * s, 6);
    expect(frozen.grad).toBeNull();
    // Already inside the limit: untouched.
    const c = withGrad([0], [0.5]);
    expect(clipGradNorm(c, 1)).toBeCloseTo(0.5, 7);
    expect(c.grad!.data[0]).toBe(0.5);
    // No gradients at all: norm 0.
    expect(clipGradNorm([tensor([1], [1], { requiresGrad: true })], 1)).toBe(0);
  });

  it('clipGradNorm reports non-finite norms when asked', () => {
    const a = withGrad([0, 0], [Infinity, 1]);
    expect(() => clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrow(ValueError);
    expect(clipGradNorm([withGrad([0], [NaN])], 1)).toBeNaN();
  });

  it('clipGradValue clamps each element', () => {
    const a = withGrad([0, 0, 0, 0], [0.1, -0.3, 0.8, -2]);
    clipGradValue([a], 0.25);
    expect(Array.from(a.grad!.data)).toEqual([0.1, -0.25, 0.25, -0.25].map(Math.fround));
    const b = withGrad([0], [1e30]);
    clipGradValue(b, Infinity);
    expect(b.grad!.data[0]).toBe(Math.fround(1e30));
  });

  it('rejects bad arguments', () => {
    const a = withGrad([0], [1]);
    expect(() => clipGradNorm([a], 0)).toThrow(/dendrite\.clipGradNorm: maxNorm must be a positive number/);
    expect(() => clipGradNorm([a], NaN)).toThrow(ValueError);
    expect(() => clipGradValue([a], -1)).toThrow(ValueError);
    expect(() => clipGradNorm([1 as unknown as Tensor], 1)).toThrow(ArgumentError);
    expect(() => clipGradValue(5 as unknown as Tensor, 1)).toThrow(ArgumentError);
  });
});
