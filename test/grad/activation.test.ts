import { describe, test } from 'vitest';
import * as dn from '../../src/index.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();

describe.each(BACKENDS)('activation gradients on %s', (backend) => {
  const acts: Array<[string, (x: Tensor) => Tensor, number[]]> = [
    ['relu', dn.relu, [0]],
    ['leakyRelu', (x) => dn.leakyRelu(x), [0]],
    ['leakyRelu(0.2)', (x) => dn.leakyRelu(x, 0.2), [0]],
    ['elu', (x) => dn.elu(x), [0]],
    ['elu(0.7)', (x) => dn.elu(x, 0.7), [0]],
    ['selu', dn.selu, [0]],
    ['sigmoid', dn.sigmoid, []],
    ['hardSigmoid', dn.hardSigmoid, [-3, 3]],
    ['tanh', dn.tanh, []],
    ['softplus', dn.softplus, []],
    ['softsign', dn.softsign, [0]],
    ['silu', dn.silu, []],
    ['swish', dn.swish, []],
    ['gelu', (x) => dn.gelu(x), []],
    ['gelu tanh', (x) => dn.gelu(x, { approximate: 'tanh' }), []],
  ];
  test.for(acts)('%s', ([_name, f, kinks], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(11);
      gradcheck(f, [rg(randTensor(rng, [4, 6], -4, 4, kinks, 0.1))], { eps: 5e-3 });
    });
  });

  test.for([[-1], [0], [1]])('softmax and logSoftmax along axis %i', ([axis], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(17);
      const x = rg(randTensor(rng, [3, 4, 5], -2, 2));
      gradcheck((t) => dn.softmax(t, axis), [x]);
      gradcheck((t) => dn.logSoftmax(t, axis), [x]);
    });
  });
});
