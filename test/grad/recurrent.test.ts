import { describe, expect, test } from 'vitest';
import { GRU, LSTM, type RecurrentOutput, SimpleRNN } from '../../src/nn/layers/recurrent.js';
import { gruSequence, lstmSequence, simpleRnnSequence } from '../../src/ops/recurrent.js';
import { concat, reshape } from '../../src/ops/shape.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, randTensor, runOn } from '../support/gradcheck.js';

const rg = (t: Tensor): Tensor => t.requiresGrad_();

// Batch 2, 3–4 time steps, 3 units: small enough for finite differences to run in milliseconds.
const B = 2;
const T = 4;
const U = 3;

describe.each(BACKENDS)('recurrent sequence op gradients on %s', (backend) => {
  test.for([false, true])('simpleRnnSequence (goBackwards %s)', (goBackwards, ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(11);
      const xw = rg(randTensor(rng, [B, T, U]));
      const k = rg(randTensor(rng, [U, U], -0.8, 0.8));
      const h0 = rg(randTensor(rng, [B, U]));
      gradcheck((a, b, c) => simpleRnnSequence(a, b, c, { goBackwards }), [xw, k, h0]);
    });
  });

  test('simpleRnnSequence with relu (pre-activation needed) and no initial state', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(12);
      const xw = rg(randTensor(rng, [B, 3, U], -1, 1, [0], 0.1));
      const k = rg(randTensor(rng, [U, U], -0.3, 0.3));
      gradcheck((a, b) => simpleRnnSequence(a, b, null, { activation: 'relu' }), [xw, k], { eps: 1e-3 });
    });
  });

  test.for([false, true])('lstmSequence (goBackwards %s), h and c outputs', (goBackwards, ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(21);
      const xw = rg(randTensor(rng, [B, T, 4 * U]));
      const k = rg(randTensor(rng, [U, 4 * U], -0.8, 0.8));
      const h0 = rg(randTensor(rng, [B, U]));
      const c0 = rg(randTensor(rng, [B, U]));
      gradcheck((a, b, c, d) => lstmSequence(a, b, c, d, { goBackwards }), [xw, k, h0, c0]);
    });
  });

  test('lstmSequence with other activations', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(22);
      const xw = rg(randTensor(rng, [B, 3, 4 * U]));
      const k = rg(randTensor(rng, [U, 4 * U], -0.8, 0.8));
      gradcheck(
        (a, b) => lstmSequence(a, b, null, null, { activation: 'softsign', recurrentActivation: 'tanh' }), [xw, k],
      );
    });
  });

  test.for([true, false])('gruSequence resetAfter %s', (resetAfter, ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(resetAfter ? 31 : 32);
      const xw = rg(randTensor(rng, [B, T, 3 * U]));
      const k = rg(randTensor(rng, [U, 3 * U], -0.8, 0.8));
      const h0 = rg(randTensor(rng, [B, U]));
      if (resetAfter) {
        const rb = rg(randTensor(rng, [3 * U]));
        gradcheck((a, b, c, d) => gruSequence(a, b, c, d, { resetAfter }), [xw, k, h0, rb]);
      } else {
        gradcheck((a, b, c) => gruSequence(a, b, c, null, { resetAfter }), [xw, k, h0]);
      }
    });
  });

  test('gruSequence backwards through time', (ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(33);
      const xw = rg(randTensor(rng, [B, 3, 3 * U]));
      const k = rg(randTensor(rng, [U, 3 * U], -0.8, 0.8));
      gradcheck((a, b) => gruSequence(a, b, null, null, { goBackwards: true, resetAfter: false }), [xw, k]);
      gradcheck((a, b) => gruSequence(a, b, null, null, { goBackwards: true }), [xw, k]);
    });
  });
});

describe.each(BACKENDS)('recurrent layer gradients (input, kernels, bias, initial state) on %s', (backend) => {
  const F = 2;
  const layers: Array<[string, () => SimpleRNN<RecurrentOutput> | LSTM<RecurrentOutput> | GRU<RecurrentOutput>, number]> = [
    ['SimpleRNN', () => new SimpleRNN<RecurrentOutput>({ units: U, returnSequences: true, returnState: true }), 1],
    ['LSTM', () => new LSTM<RecurrentOutput>({ units: U, returnSequences: true, returnState: true }), 2],
    ['LSTM goBackwards', () => new LSTM<RecurrentOutput>({ units: U, returnSequences: true, returnState: true, goBackwards: true }), 2],
    ['GRU resetAfter', () => new GRU<RecurrentOutput>({ units: U, returnSequences: true, returnState: true }), 1],
    ['GRU resetAfter false', () => new GRU<RecurrentOutput>({ units: U, returnSequences: true, returnState: true, resetAfter: false }), 1],
  ];
  test.for(layers)('%s through 4-step sequences', ([_name, make, states], ctx) => {
    runOn(backend, ctx.skip, () => {
      const rng = new Random(41);
      const layer = make();
      layer.build([null, T, F]);
      // Random biases so every bias element matters (the defaults start at zero and one).
      layer.bias!.data.set(randTensor(rng, layer.bias!.shape.slice()).data);
      const x = rg(randTensor(rng, [B, T, F]));
      const init = Array.from({ length: states }, () => rg(randTensor(rng, [B, U])));
      // Every output at once: the whole sequence and the final states side by side.
      const f = (): Tensor => {
        const ys = layer.forward(x, { initialState: init }) as Tensor[];
        return concat([reshape(ys[0]!, [B, T * U]), ...ys.slice(1)], 1);
      };
      const weights = [layer.kernel!, layer.recurrentKernel!, layer.bias!];
      expect(weights.every((w) => w.requiresGrad)).toBe(true);
      gradcheck(f, [x, ...init, ...weights]);
    });
  });
});
