import { describe, test } from 'vitest';
import * as dn from '../../src/index.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();

describe.each(BACKENDS)('reduction gradients on %s', (backend) => {
  const axes: Array<[number | number[] | undefined, boolean]> = [
    [undefined, false],
    [undefined, true],
    [0, false],
    [1, true],
    [-1, false],
    [[0, 2], false],
    [[0, 2], true],
    [[1, 2], true],
  ];
  const ops: Array<[string, (x: Tensor, a: number | number[] | undefined, k: boolean) => Tensor]> = [
    ['sum', (x, a, k) => dn.sum(x, a, k)],
    ['mean', (x, a, k) => dn.mean(x, a, k)],
    ['max', (x, a, k) => dn.max(x, a, k)],
    ['min', (x, a, k) => dn.min(x, a, k)],
    ['variance', (x, a, k) => dn.variance(x, a, k)],
    ['variance (correction 0)', (x, a, k) => dn.variance(x, a, { keepDims: k, correction: 0 })],
    ['std', (x, a, k) => dn.std(x, a, k)],
  ];
  for (const [name, f] of ops) {
    test.for(axes)(`${name} axis %j keepDims %s`, ([axis, keepDims], ctx) => {
      runOn(backend, ctx.skip, () => {
        const rng = new Random(name.length);
        // Distinct values spaced well beyond eps, so max/min have no near-ties.
        const x = randTensor(rng, [2, 3, 4]);
        const perm = rng.shuffle(Array.from({ length: x.size }, (_, i) => i));
        for (let i = 0; i < x.size; i++) x.data[i] = (perm[i]! - x.size / 2) * 0.1;
        gradcheck((t) => f(t, axis, keepDims), [rg(x)]);
      });
    });
  }

  test('max with ties splits the gradient evenly', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const x = dn.tensor([[1, 3, 3], [2, 0, 2]], undefined, { requiresGrad: true });
      dn.max(x, 1).sum().backward();
      const g = Array.from(x.grad!.data);
      const expected = [0, 0.5, 0.5, 0.5, 0, 0.5];
      g.forEach((v, i) => { if (Math.abs(v - expected[i]!) > 1e-7) throw new Error(`grad ${g} != ${expected}`); });
    });
  });
});

describe.each(BACKENDS)('shape and indexing gradients on %s', (backend) => {
  const cases: Array<[string, number[], (x: Tensor) => Tensor]> = [
    ['reshape with -1', [2, 3, 4], (x) => x.reshape([4, -1]).mul(x.reshape([4, 6]))],
    ['view', [2, 6], (x) => x.view([3, 4]).square()],
    ['flatten', [2, 3, 2], (x) => x.flatten(1).square()],
    ['squeeze/unsqueeze', [3, 1, 2], (x) => x.squeeze().unsqueeze(0).square()],
    ['transpose (default)', [3, 4], (x) => x.transpose().matmul(x)],
    ['transpose (dims)', [2, 3, 4], (x) => x.transpose(0, 2).square()],
    ['T', [3, 5], (x) => x.T.square()],
    ['permute', [2, 3, 4], (x) => x.permute([2, 0, 1]).mul(dn.arange(24).reshape([4, 2, 3]))],
    ['broadcastTo', [3, 1], (x) => x.broadcastTo([2, 3, 4]).mul(dn.arange(24).reshape([2, 3, 4]))],
    ['clone', [4], (x) => x.clone().square()],
    ['slice begin/size', [4, 5], (x) => x.slice([1, 2], [2, -1]).square()],
    ['slice ranges', [4, 5, 3], (x) => x.slice([[1, -1], null, [0, 2]]).square()],
    ['slice axis 0 only', [5, 3], (x) => x.slice(2, 2).square()],
    ['gather axis 0 (repeats)', [5, 3], (x) => x.gather(new Int32Array([4, 0, 4, 2]), 0).square()],
    ['gather axis 1 with tensor indices', [3, 5], (x) => x.gather(dn.tensor([[1, 1], [0, 4]]), 1).square()],
    ['concat axis 0', [2, 3], (x) => dn.concat([x, x.square()], 0)],
    ['concat axis 1 of different widths', [2, 3], (x) => dn.concat([x, x.slice([0, 1]), x.exp()], 1)],
    ['stack axis 0', [2, 3], (x) => dn.stack([x, x.square()], 0)],
    ['stack axis -1', [2, 3], (x) => dn.stack([x, x.square(), x], -1)],
    ['diamond: x used twice', [3], (x) => x.mul(x).add(x.exp())],
  ];
  test.for(cases)('%s', ([_name, shape, f], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(shape.length * 7);
      gradcheck(f, [rg(randTensor(rng, shape))]);
    });
  });

  test('concat and stack with two grad inputs', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(8);
      gradcheck((a, b) => dn.concat([a, b], 1), [rg(randTensor(rng, [2, 3])), rg(randTensor(rng, [2, 2]))]);
      gradcheck((a, b) => dn.stack([a, b], 1), [rg(randTensor(rng, [2, 3])), rg(randTensor(rng, [2, 3]))]);
    });
  });
});
