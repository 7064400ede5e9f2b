import { describe, expect, test } from 'vitest';
import * as dn from '../../src/index.js';
import { Random } from '../../src/random.js';
import { BACKENDS, randTensor, runOn } from '../support/gradcheck.js';

const near = (actual: dn.NestedArray, expected: dn.NestedArray, tol = 1e-5): void => {
  const a = flat(actual);
  const e = flat(expected);
  expect(JSON.stringify(shapeOf(actual))).toBe(JSON.stringify(shapeOf(expected)));
  a.forEach((v, i) => {
    if (Number.isNaN(e[i]!)) expect(v).toBeNaN();
    else if (!Number.isFinite(e[i]!)) expect(v).toBe(e[i]);
    else expect(Math.abs(v - e[i]!), `element ${i}: ${v} vs ${e[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i]!)));
  });
};
function flat(x: dn.NestedArray): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}
function shapeOf(x: dn.NestedArray): number[] {
  return Array.isArray(x) ? [x.length, ...(x.length ? shapeOf(x[0]!) : [])] : [];
}

describe.each(BACKENDS)('op values on %s', (backend) => {
  test('broadcasting binary ops against hand-computed values', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const a = dn.tensor([[1, 2, 3], [4, 5, 6]]);
      const col = dn.tensor([[10], [20]]);
      const row = dn.tensor([1, 0, -1]);
      near(a.add(col).toArray(), [[11, 12, 13], [24, 25, 26]]);
      near(a.sub(row).toArray(), [[0, 2, 4], [3, 5, 7]]);
      near(a.mul(row).toArray(), [[1, 0, -3], [4, 0, -6]]);
      near(a.div(2).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
      near(dn.div(6, a).toArray(), [[6, 3, 2], [1.5, 1.2, 1]]);
      near(a.pow(2).toArray(), [[1, 4, 9], [16, 25, 36]]);
      near(dn.pow(2, row).toArray(), [2, 1, 0.5]);
      near(a.maximum(row.mul(4)).toArray(), [[4, 2, 3], [4, 5, 6]]);
      near(a.minimum(3.5).toArray(), [[1, 2, 3], [3.5, 3.5, 3.5]]);
      near(dn.add(dn.tensor([[1], [2], [3]]), dn.tensor([10, 20])).toArray(), [[11, 21], [12, 22], [13, 23]]);
      expect(dn.add(dn.ones([2, 1, 3]), dn.ones([4, 1])).shape).toEqual([2, 4, 3]);
      near(dn.add(1, 2).toArray(), 3);
    });
  });

  test('unary ops and clamp', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = dn.tensor([-2, -0.5, 0.25, 4]);
      near(x.neg().toArray(), [2, 0.5, -0.25, -4]);
      near(x.abs().toArray(), [2, 0.5, 0.25, 4]);
      near(x.exp().toArray(), [-2, -0.5, 0.25, 4].map(Math.exp), 1e-5);
      near(x.abs().log().toArray(), [2, 0.5, 0.25, 4].map(Math.log), 1e-5);
      near(x.abs().sqrt().toArray(), [2, 0.5, 0.25, 4].map(Math.sqrt), 1e-5);
      near(x.square().toArray(), [4, 0.25, 0.0625, 16]);
      near(x.reciprocal().toArray(), [-0.5, -2, 4, 0.25]);
      near(x.clamp(-1, 1).toArray(), [-1, -0.5, 0.25, 1]);
      near(x.clamp(0).toArray(), [0, 0, 0.25, 4]);
      near(x.clamp(null, 0).toArray(), [-2, -0.5, 0, 0]);
      const inf = dn.tensor([-Infinity, Infinity, 1]);
      near(inf.clamp(0).toArray(), [0, Infinity, 1]);
    });
  });

  test('comparisons give 0/1 tensors', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const a = dn.tensor([[1, 2, 3]]);
      expect(a.gt(2).toArray()).toEqual([[0, 0, 1]]);
      expect(a.ge(2).toArray()).toEqual([[0, 1, 1]]);
      expect(a.lt(dn.tensor([[2], [3]])).toArray()).toEqual([[1, 0, 0], [1, 1, 0]]);
      expect(a.le(2).toArray()).toEqual([[1, 1, 0]]);
      expect(a.eq(2).toArray()).toEqual([[0, 1, 0]]);
      expect(a.ne(2).toArray()).toEqual([[1, 0, 1]]);
    });
  });

  test('matmul: 2-D, 1-D cases, batched and broadcast batches', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const a = dn.tensor([[1, 2, 3], [4, 5, 6]]);
      const b = dn.tensor([[1, 0], [0, 1], [1, 1]]);
      near(a.matmul(b).toArray(), [[4, 5], [10, 11]]);
      near(dn.matmul(dn.tensor([1, 2, 3]), dn.tensor([4, 5, 6])).toArray(), 32);
      expect(dn.matmul(dn.tensor([1, 2, 3]), dn.tensor([4, 5, 6])).shape).toEqual([]);
      near(dn.matmul(dn.tensor([1, 1]), a).toArray(), [5, 7, 9]);
      near(dn.matmul(a, dn.tensor([1, 0, -1])).toArray(), [-2, -2]);
      const batch = dn.stack([a, a.mul(2)]);
      near(batch.matmul(b).toArray(), [[[4, 5], [10, 11]], [[8, 10], [20, 22]]]);
      near(dn.matmul(dn.stack([b.T, b.T.mul(-1)]), dn.eye(3)).toArray(), [b.T.toArray() as number[][], b.T.mul(-1).toArray() as number[][]]);
      // [2,1,2,3] x [1,3,3,2] -> [2,3,2,2], checked element by element against 2-D products
      const rng = new Random(4);
      const x = randTensor(rng, [2, 1, 2, 3]);
      const y = randTensor(rng, [1, 3, 3, 2]);
      const z = x.matmul(y);
      expect(z.shape).toEqual([2, 3, 2, 2]);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
        const xi = x.slice([i, 0], [1, 1]).reshape([2, 3]);
        const yj = y.slice([0, j], [1, 1]).reshape([3, 2]);
        near(z.slice([i, j], [1, 1]).reshape([2, 2]).toArray(), xi.matmul(yj).toArray(), 1e-5);
      }
      // a shared left operand broadcast over a batch
      const w = randTensor(rng, [3, 4]);
      const v = randTensor(rng, [5, 4, 2]);
      const wv = w.matmul(v);
      for (let i = 0; i < 5; i++) near(wv.slice(i, 1).reshape([3, 2]).toArray(), w.matmul(v.slice(i, 1).reshape([4, 2])).toArray(), 1e-5);
      expect(dn.matmul(dn.zeros([2, 0]), dn.zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    });
  });

  test('linear matches matmul + bias + activation', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(9);
      const x = randTensor(rng, [4, 3], -2, 2);
      const w = randTensor(rng, [5, 3]);
      const b = randTensor(rng, [5]);
      const z = x.matmul(w.T).add(b);
      near(dn.linear(x, w, b).toArray(), z.toArray(), 1e-5);
      near(dn.linear(x, w).toArray(), x.matmul(w.T).toArray(), 1e-5);
      near(dn.linear(x, w, b, 'relu').toArray(), z.relu().toArray(), 1e-5);
      near(dn.linear(x, w, b, 'gelu').toArray(), z.gelu().toArray(), 1e-5);
      near(dn.linear(x, w, b, { name: 'leakyRelu', alpha: 0.2 }).toArray(), z.leakyRelu(0.2).toArray(), 1e-5);
      near(dn.linear(x, w, b, 'hard_sigmoid').toArray(), z.hardSigmoid().toArray(), 1e-5);
      expect(dn.linear(x.reshape([2, 2, 3]), w, b).shape).toEqual([2, 2, 5]);
      expect(dn.linear(dn.tensor([1, 2, 3]), w, b).shape).toEqual([5]);
    });
  });

  test('activations against their formulas', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const vals = [-3, -1, -0.2, 0.3, 2];
      const x = dn.tensor(vals);
      const sig = (v: number): number => 1 / (1 + Math.exp(-v));
      const erf = (v: number): number => {
        // Abramowitz–Stegun 7.1.26 is too coarse; integrate numerically instead.
        let s = 0;
        const n = 2000;
        for (let i = 0; i < n; i++) {
          const t = ((i + 0.5) / n) * v;
          s += Math.exp(-t * t);
        }
        return (2 / Math.sqrt(Math.PI)) * s * (v / n);
      };
      const table: Array<[dn.Tensor, (v: number) => number]> = [
        [x.relu(), (v) => Math.max(v, 0)],
        [x.leakyRelu(), (v) => (v > 0 ? v : 0.01 * v)],
        [x.leakyRelu(0.3), (v) => (v > 0 ? v : 0.3 * v)],
        [x.elu(), (v) => (v > 0 ? v : Math.exp(v) - 1)],
        [x.elu(0.5), (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
        [x.selu(), (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
        [x.sigmoid(), sig],
        [x.hardSigmoid(), (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1)],
        [x.tanh(), Math.tanh],
        [x.softplus(), (v) => Math.log1p(Math.exp(v))],
        [x.softsign(), (v) => v / (1 + Math.abs(v))],
        [x.silu(), (v) => v * sig(v)],
        [x.swish(), (v) => v * sig(v)],
        [x.gelu(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
        [x.gelu({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      ];
      for (const [t, f] of table) near(t.toArray(), vals.map(f), 1e-5);
    });
  });

  test('softmax and logSoftmax along axes', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = dn.tensor([[1, 2, 3], [1, 1, 1]]);
      const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
      const s = e[0]! + e[1]! + e[2]!;
      near(x.softmax().toArray(), [[e[0]! / s, e[1]! / s, e[2]! / s], [1 / 3, 1 / 3, 1 / 3]]);
      near(x.logSoftmax().toArray(), [[1 - Math.log(s), 2 - Math.log(s), 3 - Math.log(s)], [-Math.log(3), -Math.log(3), -Math.log(3)]]);
      near(x.softmax(0).toArray(), [[0.5, 1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-2))], [0.5, 1 / (1 + Math.exp(1)), 1 / (1 + Math.exp(2))]]);
      near(dn.tensor([1000, 0]).softmax().toArray(), [1, 0]);
    });
  });

  test('reductions with axes and keepDims', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = dn.arange(24).reshape([2, 3, 4]);
      near(x.sum().toArray(), 276);
      expect(x.sum().shape).toEqual([]);
      expect(x.sum(undefined, true).shape).toEqual([1, 1, 1]);
      near(x.sum(0).toArray(), [[12, 14, 16, 18], [20, 22, 24, 26], [28, 30, 32, 34]]);
      near(x.sum(-1).toArray(), [[6, 22, 38], [54, 70, 86]]);
      near(x.sum([0, 2]).toArray(), [60, 92, 124]); // Σ over i, k of 12i + 4j + k = 60 + 32j
      expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
      near(x.sum([0, 2], true).toArray(), [[[60], [92], [124]]]);
      near(x.mean(1).toArray(), [[4, 5, 6, 7], [16, 17, 18, 19]]);
      near(x.mean([0, 2]).toArray(), [7.5, 11.5, 15.5]);
      near(x.max(1, true).toArray(), [[[8, 9, 10, 11]], [[20, 21, 22, 23]]]);
      near(x.min([1, 2]).toArray(), [0, 12]);
      const v = dn.tensor([[1, 2, 3, 4], [2, 2, 2, 2]]);
      near(v.variance(1).toArray(), [5 / 3, 0]);
      near(v.variance(1, { correction: 0 }).toArray(), [1.25, 0]);
      near(v.variance().toArray(), [1, 2, 3, 4, 2, 2, 2, 2].reduce((s, a) => s + (a - 2.25) ** 2, 0) / 7);
      near(v.std(1, true).toArray(), [[Math.sqrt(5 / 3)], [0]]);
      // variance over non-adjacent axes
      near(x.variance([0, 2]).toArray(), [0, 1, 2].map((j) => {
        const vals = [0, 1].flatMap((i) => [0, 1, 2, 3].map((k) => 12 * i + 4 * j + k));
        const m = vals.reduce((s, a) => s + a, 0) / vals.length;
        return vals.reduce((s, a) => s + (a - m) ** 2, 0) / (vals.length - 1);
      }));
      expect(x.sum([]).toArray()).toEqual(x.toArray());
    });
  });

  test('argmax and argmin', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = dn.tensor([[3, 9, 9], [7, 1, 0]]);
      expect(x.argmax().toArray()).toBe(1);
      expect(x.argmin().toArray()).toBe(5);
      expect(x.argmax(1).toArray()).toEqual([1, 0]);
      expect(x.argmax(0, true).toArray()).toEqual([[1, 0, 0]]);
      expect(x.argmin(-1).toArray()).toEqual([0, 2]);
    });
  });
});
