import { describe, expect, test } from 'vitest';
import * as dn from '../../src/index.js';

const close = (a: ArrayLike<number>, b: number[]): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
};

describe('autograd mechanics', () => {
  test('gradients accumulate over two backward calls and zeroGrad resets them', () => {
    const x = dn.tensor([1, 2, 3], undefined, { requiresGrad: true });
    x.mul(x).sum().backward(); // d/dx Σx² = 2x
    close(x.grad!.data, [2, 4, 6]);
    x.mul(3).sum().backward();
    close(x.grad!.data, [5, 7, 9]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.sum().backward();
    close(x.grad!.data, [1, 1, 1]);
    dn.zeroGrad([x]);
    expect(x.grad).toBeNull();
  });

  test('the same graph twice needs retainGraph', () => {
    const x = dn.tensor([1, 2], undefined, { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    close(x.grad!.data, [4, 8]);
    expect(() => y.backward()).toThrow(dn.AutogradError);
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
  });

  test('diamond graph: a used twice gets both contributions', () => {
    const a = dn.tensor([0.5, -1], undefined, { requiresGrad: true });
    const b = a.mul(2);
    const c = a.exp();
    const d = b.mul(c).sum(); // Σ 2a·eᵃ → 2eᵃ(1 + a)
    d.backward();
    close(a.grad!.data, [2 * Math.exp(0.5) * 1.5, 0]);
  });

  test('an intermediate used twice (b feeds c and d)', () => {
    const a = dn.tensor([2], undefined, { requiresGrad: true });
    const b = a.square(); // a²
    const out = b.mul(b).add(b).sum(); // a⁴ + a² → 4a³ + 2a
    out.backward();
    close(a.grad!.data, [4 * 8 + 4]);
  });

  test('noGrad records nothing and restores recording, also for async functions', async () => {
    const x = dn.ones([2], { requiresGrad: true });
    const y = dn.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(dn.isGradEnabled()).toBe(true);
    expect(() => dn.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(dn.isGradEnabled()).toBe(true);
    const p = dn.noGrad(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return x.mul(2);
    });
    expect(dn.isGradEnabled()).toBe(false);
    const z = await p;
    expect(z.requiresGrad).toBe(false);
    expect(dn.isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  test('detach cuts the graph but shares the buffer', () => {
    const x = dn.tensor([1, 2, 3], undefined, { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data).toBe(x.data);
    const y = x.mul(d).sum(); // d is a constant: grad = d
    y.backward();
    close(x.grad!.data, [1, 2, 3]);
  });

  test('non-differentiable ops give tensors without grad', () => {
    const x = dn.tensor([[1, 5], [7, 2]], undefined, { requiresGrad: true });
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.argmin(1).requiresGrad).toBe(false);
    expect(x.gt(2).requiresGrad).toBe(false);
    expect(x.eq(x).requiresGrad).toBe(false);
    expect(x.mul(x.gt(2)).requiresGrad).toBe(true);
  });

  test('backward errors', () => {
    const c = dn.tensor([1, 2]);
    expect(() => c.sum().backward()).toThrow(dn.AutogradError);
    const x = dn.ones([2, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/non-scalar output of shape \[2, 2\]/);
    expect(() => y.backward(dn.ones([3]))).toThrow(dn.ShapeError);
    expect(() => y.requiresGrad_()).toThrow(/only leaf tensors/);
    y.backward(dn.full([2, 2], 0.5));
    close(x.grad!.data, [1, 1, 1, 1]);
  });

  test('requiresGrad_, isLeaf, gradFn and retainGrad', () => {
    const x = dn.tensor([1, 2]);
    expect(x.requiresGrad).toBe(false);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.isLeaf).toBe(true);
    const h = x.mul(3).retainGrad();
    expect(h.isLeaf).toBe(false);
    expect(h.gradFn).toBe('mul');
    h.square().sum().backward();
    close(h.grad!.data, [6, 12]);
    close(x.grad!.data, [18, 36]);
  });

  test('a user-assigned grad is not mutated by accumulation', () => {
    const x = dn.tensor([1, 1], undefined, { requiresGrad: true });
    const mine = dn.tensor([10, 20]);
    x.grad = mine;
    x.sum().backward();
    close(x.grad.data, [11, 21]);
    close(mine.data, [10, 20]);
  });

  test('gradients of add to both operands do not alias', () => {
    const a = dn.tensor([1, 2], undefined, { requiresGrad: true });
    const b = dn.tensor([3, 4], undefined, { requiresGrad: true });
    a.add(b).sum().backward();
    a.add(b).sum().backward();
    close(a.grad!.data, [2, 2]);
    close(b.grad!.data, [2, 2]);
    expect(a.grad!.data).not.toBe(b.grad!.data);
  });

  test('a deep chain does not overflow the stack', () => {
    const x = dn.tensor([1], undefined, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    close(x.grad!.data, [1]);
  });
});
