import { describe, test } from 'vitest';
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
