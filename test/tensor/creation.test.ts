import { describe, expect, test } from 'vitest';
import * as dn from '../../src/index.js';

describe('creation', () => {
  test('tensor from nested arrays infers the shape', () => {
    const t = dn.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.rank).toBe(2);
    expect(t.size).toBe(6);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(dn.tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(dn.tensor([]).shape).toEqual([0]);
    expect(dn.tensor([[], []]).shape).toEqual([2, 0]);
  });

  test('tensor from a number is rank 0; item() reads it', () => {
    const s = dn.tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
  });

  test('tensor from flat and typed arrays with a shape, copying the data', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = dn.tensor(src, [3, 2]);
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    src[0] = 100;
    expect(t.data[0]).toBe(1);
    expect(dn.tensor(new Int32Array([7, -8])).toArray()).toEqual([7, -8]);
    expect(dn.tensor(new Float64Array([0.1])).data[0]).toBe(Math.fround(0.1));
    expect(dn.tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('new Tensor wraps a Float32Array without copying', () => {
    const data = new Float32Array(4);
    const t = new dn.Tensor(data, [2, 2]);
    data[3] = 9;
    expect(t.toArray()).toEqual([[0, 0], [0, 9]]);
  });

  test('zeros, ones, full, zerosLike, onesLike', () => {
    expect(dn.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(dn.ones(3).toArray()).toEqual([1, 1, 1]);
    expect(dn.full([2], -2.5).toArray()).toEqual([-2.5, -2.5]);
    const x = dn.tensor([[1, 2]]);
    expect(dn.zerosLike(x).shape).toEqual([1, 2]);
    expect(dn.onesLike(x).toArray()).toEqual([[1, 1]]);
    expect(dn.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(dn.zeros([0, 3]).size).toBe(0);
  });

  test('arange and linspace', () => {
    expect(dn.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(dn.arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(dn.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(dn.arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(dn.arange(3, 1).size).toBe(0);
    expect(dn.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(dn.linspace(2, 3, 1).toArray()).toEqual([2]);
  });

  test('eye', () => {
    expect(dn.eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(dn.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  test('rand and randn are seedable, in range, and follow the global seed', () => {
    const a = dn.rand([1000], { seed: 42 });
    const b = dn.rand([1000], { seed: 42 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.min().item()).toBeGreaterThanOrEqual(0);
    expect(a.max().item()).toBeLessThan(1);
    expect(Math.abs(a.mean().item() - 0.5)).toBeLessThan(0.05);
    const n = dn.randn([20000], { seed: 1 });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.03);
    const r = new dn.Random(5);
    const c = dn.randn([3], { rng: r });
    expect(Array.from(c.data)).toEqual(Array.from(dn.randn([3], { rng: new dn.Random(5) }).data));
    dn.manualSeed(7);
    const g1 = dn.rand([4]);
    dn.manualSeed(7);
    expect(Array.from(dn.rand([4]).data)).toEqual(Array.from(g1.data));
    const u = dn.rand([100], { seed: 3, low: -2, high: -1 });
    expect(u.min().item()).toBeGreaterThanOrEqual(-2);
    expect(u.max().item()).toBeLessThan(-1);
  });

  test('toString shows shape and values', () => {
    expect(String(dn.tensor([[1, 2]]))).toBe('Tensor([1, 2]: [[1,2]])');
  });
});
