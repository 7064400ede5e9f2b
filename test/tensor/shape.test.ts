import { describe, expect, test } from 'vitest';
import * as dn from '../../src/index.js';

describe('views share the buffer', () => {
  test('reshape, view, flatten, squeeze, unsqueeze, detach', () => {
    const x = dn.arange(6);
    const r = x.reshape([2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.data).toBe(x.data);
    expect(x.view([3, 2]).data).toBe(x.data);
    const f = r.reshape([1, 2, 1, 3]);
    expect(f.squeeze().shape).toEqual([2, 3]);
    expect(f.squeeze(2).shape).toEqual([1, 2, 3]);
    expect(f.squeeze([0, 2]).shape).toEqual([2, 3]);
    expect(f.flatten().shape).toEqual([6]);
    expect(f.flatten(1, 2).shape).toEqual([1, 2, 3]);
    expect(f.flatten(2).shape).toEqual([1, 2, 3]);
    expect(r.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(r.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(f.squeeze().data).toBe(x.data);
    x.data[5] = 50;
    expect(r.toArray()).toEqual([[0, 1, 2], [3, 4, 50]]);
    expect(x.detach().data).toBe(x.data);
    expect(x.clone().data).not.toBe(x.data);
    expect(Array.from(x.clone().data)).toEqual(Array.from(x.data));
  });
});

describe('copies', () => {
  test('transpose and permute', () => {
    const m = dn.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.transpose().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(m.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(dn.arange(3).transpose().toArray()).toEqual([0, 1, 2]);
    const t = dn.arange(24).reshape([2, 3, 4]);
    const p = t.permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    // p[k][i][j] = t[i][j][k] = 12i + 4j + k
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      expect(p.data[k * 6 + i * 3 + j]).toBe(12 * i + 4 * j + k);
    }
    expect(t.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(t.transpose(0, 2).data[1]).toBe(12);
    const big = dn.arange(70 * 45).reshape([70, 45]);
    const bt = big.T;
    expect(bt.data[3 * 70 + 61]).toBe(61 * 45 + 3);
  });

  test('slice with begin/size and with ranges', () => {
    const x = dn.arange(20).reshape([4, 5]);
    expect(x.slice([1, 2], [2, 2]).toArray()).toEqual([[7, 8], [12, 13]]);
    expect(x.slice([2], [-1]).toArray()).toEqual([[10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]);
    expect(x.slice(3).toArray()).toEqual([[15, 16, 17, 18, 19]]);
    expect(x.slice([0, 4], [-1, 1]).toArray()).toEqual([[4], [9], [14], [19]]);
    expect(x.slice([[1, 3], [-2]]).toArray()).toEqual([[8, 9], [13, 14]]);
    expect(x.slice([null, [1, -1]]).toArray()).toEqual([[1, 2, 3], [6, 7, 8], [11, 12, 13], [16, 17, 18]]);
    expect(x.slice([[3, 100]]).toArray()).toEqual([[15, 16, 17, 18, 19]]);
    expect(x.slice([[2, 1]]).shape).toEqual([0, 5]);
    const y = dn.arange(24).reshape([2, 3, 4]);
    expect(dn.slice(y, [1, 0, 1], [1, 2, 2]).toArray()).toEqual([[[13, 14], [17, 18]]]);
  });

  test('concat and stack', () => {
    const a = dn.tensor([[1, 2], [3, 4]]);
    const b = dn.tensor([[5, 6]]);
    expect(dn.concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(dn.concat([a, dn.tensor([[7], [8]])], 1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(a.concat([a], -1).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(dn.stack([a, a.mul(10)]).toArray()).toEqual([[[1, 2], [3, 4]], [[10, 20], [30, 40]]]);
    expect(dn.stack([a, a.mul(10)], 2).toArray()).toEqual([[[1, 10], [2, 20]], [[3, 30], [4, 40]]]);
    expect(dn.stack([dn.tensor(1), dn.tensor(2)]).toArray()).toEqual([1, 2]);
  });

  test('gather along an axis with Int32Array, arrays and tensors', () => {
    const x = dn.arange(12).reshape([4, 3]);
    expect(x.gather(new Int32Array([3, 0, 3])).toArray()).toEqual([[9, 10, 11], [0, 1, 2], [9, 10, 11]]);
    expect(x.gather([2, 0], 1).toArray()).toEqual([[2, 0], [5, 3], [8, 6], [11, 9]]);
    expect(dn.gather(x, dn.tensor([[1], [2]]), 0).shape).toEqual([2, 1, 3]);
    expect(dn.gather(x, dn.tensor([[1], [2]]), 0).toArray()).toEqual([[[3, 4, 5]], [[6, 7, 8]]]);
  });

  test('broadcastTo', () => {
    expect(dn.tensor([1, 2]).broadcastTo([2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(dn.tensor([[1], [2]]).broadcastTo([2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });
});

describe('layout ops above the kernels\' rank limit', () => {
  // Rank 9 is past the native strided copy (rank ≤ 8): the same ops go through the any-rank loop.
  const shape = [2, 1, 3, 1, 2, 1, 2, 1, 2];
  const x = dn.arange(0, 48).reshape(shape);

  test('permute, broadcastTo and slice give the values index arithmetic predicts', () => {
    const p = dn.permute(x, [8, 1, 2, 3, 4, 5, 6, 7, 0]);
    expect(p.shape).toEqual([2, 1, 3, 1, 2, 1, 2, 1, 2]);
    // out[i8, …, i0] = x[i0, …, i8]: the first two output elements step x's last and first axes.
    expect(Array.from(p.data.subarray(0, 2))).toEqual([0, 24]);
    expect(p.data[24]).toBe(1);

    const b = dn.broadcastTo(dn.tensor([5, 7]).reshape([1, 1, 1, 1, 1, 1, 1, 1, 2]), [1, 1, 1, 1, 1, 1, 1, 3, 2]);
    expect(Array.from(b.data)).toEqual([5, 7, 5, 7, 5, 7]);

    const s = dn.slice(x, [[1, 2], null, [2, 3]]);
    expect(s.shape).toEqual([1, 1, 1, 1, 2, 1, 2, 1, 2]);
    expect(Array.from(s.data)).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
  });
});
