import { describe, expect, test } from 'vitest';
import { releaseGrad } from '../../src/autograd.js';
import * as dn from '../../src/index.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();

describe.each(BACKENDS)('matmul and linear gradients on %s', (backend) => {
  const cases: Array<[string, number[], number[]]> = [
    ['2-D', [3, 4], [4, 5]],
    ['1-D · 1-D', [4], [4]],
    ['1-D · 2-D', [4], [4, 3]],
    ['2-D · 1-D', [3, 4], [4]],
    ['batched', [2, 3, 4], [2, 4, 5]],
    ['batched · 2-D (shared right operand)', [2, 3, 4], [4, 5]],
    ['2-D · batched (shared left operand)', [3, 4], [2, 4, 5]],
    ['broadcast batch', [2, 1, 3, 4], [1, 3, 4, 2]],
    ['broadcast batch, size-1 batch', [1, 3, 4], [2, 4, 3]],
    ['1-D · batched', [4], [2, 4, 3]],
    ['batched · 1-D', [2, 3, 4], [4]],
  ];
  test.for(cases)('matmul %s', ([_name, sa, sb], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(sa.length * 10 + sb.length);
      gradcheck(dn.matmul, [rg(randTensor(rng, sa)), rg(randTensor(rng, sb))]);
    });
  });

  test('matmul with only one operand requiring grad', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(5);
      gradcheck(dn.matmul, [randTensor(rng, [2, 3, 4]), rg(randTensor(rng, [4, 2]))]);
      gradcheck(dn.matmul, [rg(randTensor(rng, [2, 3, 4])), randTensor(rng, [4, 2])]);
    });
  });

  const acts: Array<[dn.ActivationSpec | undefined, number[]]> = [
    [undefined, []],
    ['identity', []],
    ['relu', [0]],
    ['leakyRelu', [0]],
    [{ name: 'leakyRelu', alpha: 0.2 }, [0]],
    [{ name: 'leakyRelu', alpha: -0.3 }, [0]],
    ['elu', [0]],
    [{ name: 'elu', alpha: 0.5 }, [0]],
    [{ name: 'elu', alpha: -0.5 }, [0]],
    ['selu', [0]],
    ['sigmoid', []],
    ['hardSigmoid', [-3, 3]],
    ['tanh', []],
    ['softplus', []],
    ['softsign', []],
    ['silu', []],
    ['swish', []],
    ['gelu', []],
    ['geluTanh', []],
  ];
  test.for(acts)('linear with activation %j', ([activation, kinks], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(21);
      const x = rg(randTensor(rng, [4, 3], -2, 2));
      const w = rg(randTensor(rng, [5, 3], -1.5, 1.5));
      const b = rg(randTensor(rng, [5], -1, 1));
      const f = (xx: Tensor, ww: Tensor, bb: Tensor): Tensor => dn.linear(xx, ww, bb, activation);
      // Keep pre-activations away from kinks so finite differences stay on one side.
      const z = dn.noGrad(() => dn.linear(x, w, b));
      for (let tries = 0; tries < 50 && kinks.some((k) => Array.from(z.data).some((v) => Math.abs(v - k) < 0.1)); tries++) {
        for (let i = 0; i < b.size; i++) b.data[i] = rng.uniformRange(-1, 1);
        z.data.set(dn.noGrad(() => dn.linear(x, w, b)).data);
      }
      gradcheck(f, [x, w, b], { eps: 5e-3 });
    });
  });

  test('linear without bias, rank-3 input', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(3);
      const x = rg(randTensor(rng, [2, 3, 4]));
      const w = rg(randTensor(rng, [2, 4]));
      gradcheck((xx, ww) => dn.linear(xx, ww, null, 'tanh'), [x, w]);
    });
  });
});

describe.each(BACKENDS)('dense (Keras kernel layout) and gradient sinks on %s', (backend) => {
  test('dense gradients match finite differences, with and without bias', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(31);
      const x = rg(randTensor(rng, [4, 3], -2, 2));
      const k = rg(randTensor(rng, [3, 5]));
      const b = rg(randTensor(rng, [5]));
      gradcheck((xx, kk, bb) => dn.dense(xx, kk, bb, 'tanh'), [x, k, b], { eps: 5e-3 });
      gradcheck((xx, kk) => dn.dense(xx, kk, null, 'sigmoid'), [x, k], { eps: 5e-3 });
    });
  });

  test('dense equals linear with the transposed weight', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(32);
      const x = randTensor(rng, [6, 7]);
      const k = randTensor(rng, [7, 3]);
      const b = randTensor(rng, [3]);
      const a = dn.dense(x, k, b, 'relu');
      const l = dn.linear(x, k.transpose(), b, 'relu');
      for (let i = 0; i < a.size; i++) expect(a.data[i]).toBeCloseTo(l.data[i]!, 5);
    });
  });

  test('weight gradients accumulate in place across backward passes and reuse released buffers', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(33);
      const x = randTensor(rng, [5, 4]);
      const k = rg(randTensor(rng, [4, 3]));
      const b = rg(randTensor(rng, [3]));
      dn.dense(x, k, b, 'tanh').sum().backward();
      const g1 = Float32Array.from(k.grad!.data);
      const gb1 = Float32Array.from(b.grad!.data);
      const buf = k.grad!.data;
      dn.dense(x, k, b, 'tanh').sum().backward();
      expect(k.grad!.data).toBe(buf);
      for (let i = 0; i < g1.length; i++) expect(k.grad!.data[i]).toBeCloseTo(2 * g1[i]!, 5);
      for (let i = 0; i < gb1.length; i++) expect(b.grad!.data[i]).toBeCloseTo(2 * gb1[i]!, 5);
      // releaseGrad (what optimiser.zeroGrad uses) clears .grad; the next backward overwrites
      // the same buffer instead of allocating.
      releaseGrad(k);
      releaseGrad(b);
      expect(k.grad).toBeNull();
      dn.dense(x, k, b, 'tanh').sum().backward();
      expect(k.grad!.data).toBe(buf);
      for (let i = 0; i < g1.length; i++) expect(k.grad!.data[i]).toBeCloseTo(g1[i]!, 5);
      for (let i = 0; i < gb1.length; i++) expect(b.grad!.data[i]).toBeCloseTo(gb1[i]!, 5);
    });
  });

  test('a weight used twice in one graph gets the sum of both contributions', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(34);
      const x = randTensor(rng, [3, 4]);
      const k = rg(randTensor(rng, [4, 4]));
      gradcheck((kk) => dn.dense(dn.dense(x, kk, null, 'tanh'), kk, null, 'sigmoid'), [k], { eps: 5e-3 });
    });
  });

  test('zero-row input gives zero weight gradients', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const k = rg(dn.ones([2, 3]));
      const b = rg(dn.ones([3]));
      dn.dense(dn.zeros([0, 2]), k, b).sum().backward();
      expect(Array.from(k.grad!.data)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(Array.from(b.grad!.data)).toEqual([0, 0, 0]);
    });
  });
});
