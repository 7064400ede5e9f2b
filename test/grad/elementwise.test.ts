import { describe, test } from 'vitest';
import * as dn from '../../src/index.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();

describe.each(BACKENDS)('elementwise gradients on %s', (backend) => {
  const binaryPairs: Array<[string, number[], number[]]> = [
    ['same shape', [3, 4], [3, 4]],
    ['row broadcast', [3, 4], [4]],
    ['column broadcast', [3, 1], [3, 4]],
    ['both sides', [2, 1, 3], [1, 4, 1]],
    ['scalar tensor', [2, 3], []],
  ];
  const ops: Array<[string, (a: Tensor, b: Tensor) => Tensor, number, number]> = [
    ['add', dn.add, -1, 1],
    ['sub', dn.sub, -1, 1],
    ['mul', dn.mul, -1, 1],
    ['div', dn.div, 0.5, 2],
    ['pow', dn.pow, 0.5, 2],
    ['maximum', dn.maximum, -1, 1],
    ['minimum', dn.minimum, -1, 1],
  ];
  for (const [name, f, lo, hi] of ops) {
    test.for(binaryPairs)(`${name}: %s`, ([_label, sa, sb], ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(name.length * 31 + sa.length);
        let a = rg(randTensor(rng, sa, lo, hi));
        let b = rg(randTensor(rng, sb, lo, hi));
        if (name === 'maximum' || name === 'minimum') {
          // |a| in [0.5, 1] with random signs, |b| <= 0.3: both branches taken, no ties.
          a = rg(randTensor(rng, sa, -1, 1, [-0.3, -0.1, 0.1, 0.3], 0.2));
          b = rg(randTensor(rng, sb, -0.3, 0.3));
        }
        gradcheck(f, [a, b]);
      });
    });
  }

  test('scalars on either side', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(7);
      const a = rg(randTensor(rng, [2, 3], 0.5, 2));
      gradcheck((x) => dn.add(dn.mul(x, 3), 1), [a]);
      gradcheck((x) => dn.div(2, x), [a]);
      gradcheck((x) => dn.sub(1, x), [a]);
      gradcheck((x) => dn.pow(x, 3), [a]);
      gradcheck((x) => dn.pow(2, x), [a]);
    });
  });

  const unary: Array<[string, (x: Tensor) => Tensor, number, number, number[]]> = [
    ['neg', dn.neg, -2, 2, []],
    ['abs', dn.abs, -2, 2, [0]],
    ['exp', dn.exp, -2, 2, []],
    ['log', dn.log, 0.3, 3, []],
    ['sqrt', dn.sqrt, 0.3, 3, []],
    ['square', dn.square, -2, 2, []],
    ['reciprocal', dn.reciprocal, 0.5, 2, []],
    ['clamp', (x) => dn.clamp(x, -0.5, 0.7), -2, 2, [-0.5, 0.7]],
    ['clamp (min only)', (x) => dn.clamp(x, 0.1), -2, 2, [0.1]],
  ];
  test.for(unary)('%s', ([_name, f, lo, hi, avoid], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(99);
      gradcheck(f, [rg(randTensor(rng, [3, 5], lo, hi, avoid))]);
    });
  });
});
