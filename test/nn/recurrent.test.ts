import { describe, expect, test } from 'vitest';
import { noGrad } from '../../src/autograd.js';
import { getBackend } from '../../src/backend/index.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { layerFromConfig } from '../../src/nn/layer.js';
import { sequential } from '../../src/nn/sequential.js';
import {
  GRU, GRUCell, LSTM, LSTMCell, type RecurrentOutput, SimpleRNN, SimpleRNNCell, gru, gruCell, lstm, lstmCell, simpleRNN,
  simpleRNNCell,
} from '../../src/nn/layers/recurrent.js';
import { mul } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { dense as denseOp } from '../../src/ops/matmul.js';
import { lossFromConfig } from '../../src/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { onBackend } from '../support/gradcheck.js';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

function t(data: number[], shape: number[]): Tensor {
  return new Tensor(Float32Array.from(data), shape);
}

function randT(rng: Random, shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniformRange(lo, hi);
  return new Tensor(d, shape);
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/**
 * Keras' equations in float64 for any number of units: the reference the layers are compared
 * with. Returns h for every step [batch][time][units] (processing order) and the final c.
 */
function reference(
  kind: 'rnn' | 'lstm' | 'gru' | 'gru1', x: Tensor, w: Float32Array, uk: Float32Array, b: Float32Array | null, units: number,
  goBackwards = false, h0?: number[][], c0?: number[][],
): { hs: number[][][]; c: number[][] } {
  const [B, T, F] = x.shape as [number, number, number];
  const G = kind === 'rnn' ? units : kind === 'lstm' ? 4 * units : 3 * units;
  const hs: number[][][] = [];
  const cs: number[][] = [];
  for (let bi = 0; bi < B; bi++) {
    let h = h0?.[bi]?.slice() ?? new Array<number>(units).fill(0);
    let c = c0?.[bi]?.slice() ?? new Array<number>(units).fill(0);
    const seq: number[][] = [];
    for (let s = 0; s < T; s++) {
      const ti = goBackwards ? T - 1 - s : s;
      const xw = new Array<number>(G).fill(0);
      const hu = new Array<number>(G).fill(0);
      for (let g = 0; g < G; g++) {
        for (let f = 0; f < F; f++) xw[g]! += x.data[(bi * T + ti) * F + f]! * w[f * G + g]!;
        if (b !== null) xw[g]! += b[g]!;
        for (let k = 0; k < units; k++) hu[g]! += h[k]! * uk[k * G + g]!;
        if (kind === 'gru' && b !== null) hu[g]! += b[G + g]!;
      }
      const nh = new Array<number>(units);
      const nc = new Array<number>(units);
      for (let j = 0; j < units; j++) {
        if (kind === 'rnn') nh[j] = Math.tanh(xw[j]! + hu[j]!);
        else if (kind === 'lstm') {
          const i = sig(xw[j]! + hu[j]!);
          const f = sig(xw[units + j]! + hu[units + j]!);
          const g = Math.tanh(xw[2 * units + j]! + hu[2 * units + j]!);
          const o = sig(xw[3 * units + j]! + hu[3 * units + j]!);
          nc[j] = f * c[j]! + i * g;
          nh[j] = o * Math.tanh(nc[j]!);
        } else {
          const z = sig(xw[j]! + hu[j]!);
          const r = sig(xw[units + j]! + hu[units + j]!);
          let pre: number;
          if (kind === 'gru') pre = xw[2 * units + j]! + r * hu[2 * units + j]!;
          else {
            pre = xw[2 * units + j]!;
            for (let k = 0; k < units; k++) {
              const rk = sig(xw[units + k]! + hu[units + k]!);
              pre += rk * h[k]! * uk[k * G + 2 * units + j]!;
            }
          }
          nh[j] = z * h[j]! + (1 - z) * Math.tanh(pre);
        }
      }
      h = nh;
      if (kind === 'lstm') c = nc;
      seq.push(h);
    }
    hs.push(seq);
    cs.push(c);
  }
  return { hs, c: cs };
}

describe('recurrent layers: output shapes', () => {
  const x = randT(new Random(1), [2, 5, 3]);
  const makers: Array<[string, (o: { returnSequences: boolean; returnState: boolean }) => { forward(x: Tensor): RecurrentOutput }, number]> = [
    ['SimpleRNN', (o) => new SimpleRNN<RecurrentOutput>({ units: 4, ...o }), 1],
    ['LSTM', (o) => new LSTM<RecurrentOutput>({ units: 4, ...o }), 2],
    ['GRU', (o) => new GRU<RecurrentOutput>({ units: 4, ...o }), 1],
    ['GRU (resetAfter false)', (o) => new GRU<RecurrentOutput>({ units: 4, resetAfter: false, ...o }), 1],
  ];
  for (const [name, make, states] of makers) {
    test.for([[false, false], [true, false], [false, true], [true, true]] as const)(
      `${name} returnSequences %s returnState %s`, ([returnSequences, returnState]) => {
        const layer = make({ returnSequences, returnState });
        const y = layer.forward(x);
        const outShape = returnSequences ? [2, 5, 4] : [2, 4];
        if (!returnState) {
          expect(y).toBeInstanceOf(Tensor);
          expect((y as Tensor).shape).toEqual(outShape);
        } else {
          expect(Array.isArray(y)).toBe(true);
          const ys = y as Tensor[];
          expect(ys.length).toBe(1 + states);
          expect(ys[0]!.shape).toEqual(outShape);
          for (const s of ys.slice(1)) expect(s.shape).toEqual([2, 4]);
          // The last output and the returned h are the same numbers.
          const last = returnSequences ? ys[0]!.data.filter((_, i) => Math.floor(i / 4) % 5 === 4) : ys[0]!.data;
          expectClose(ys[1]!.data, last, 0);
        }
        const l = layer as unknown as SimpleRNN<RecurrentOutput>;
        const computed = l.computeOutputShape([null, 5, 3]);
        if (returnState) expect(computed).toEqual([[null, ...outShape.slice(1)], ...new Array(states).fill([null, 4])]);
        else expect(computed).toEqual([null, ...outShape.slice(1)]);
      },
    );
  }

  test('stacked in a Sequential, with Keras parameter counts', () => {
    const m = sequential([
      lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }), gru({ units: 2, returnSequences: true }),
      gru({ units: 2, resetAfter: false, returnSequences: true }), simpleRNN({ units: 3 }),
    ]);
    expect(m.forward(randT(new Random(2), [2, 5, 3])).shape).toEqual([2, 3]);
    // Keras: LSTM 4·u·(in + u + 1); GRU 3·u·(in + u + 2) with resetAfter, + 1 without; RNN u·(in + u + 1).
    expect(m.layers.map((l) => l.countParams())).toEqual([128, 48, 30, 18]);
  });

  test('weights have Keras names and layouts', () => {
    const l = lstm({ units: 4 });
    l.forward(x);
    expect([...l.stateDict().entries()].map(([k, v]) => [k, v.shape])).toEqual([
      ['kernel', [3, 16]], ['recurrent_kernel', [4, 16]], ['bias', [16]],
    ]);
    // unitForgetBias: the forget block of the bias starts at one, the rest at zero.
    expect(Array.from(l.bias!.data)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const g = gru({ units: 2 });
    g.forward(x);
    expect(g.weights.map((w) => w.shape)).toEqual([[3, 6], [2, 6], [2, 6]]);
    const g1 = gru({ units: 2, resetAfter: false, useBias: false });
    g1.forward(x);
    expect(g1.weights.map((w) => w.shape)).toEqual([[3, 6], [2, 6]]);
    const r = simpleRNN({ units: 2 });
    r.forward(x);
    expect(r.weights.map((w) => w.shape)).toEqual([[3, 2], [2, 2], [2]]);
    expect(r.name.startsWith('simple_rnn')).toBe(true);
    // The orthogonal recurrent kernel: UᵀU = I for a square one.
    const u = r.recurrentKernel!.data;
    expect(u[0]! * u[0]! + u[2]! * u[2]!).toBeCloseTo(1, 5);
    expect(u[0]! * u[1]! + u[2]! * u[3]!).toBeCloseTo(0, 5);
  });
});

describe('recurrent layers: known values', () => {
  // One unit, two features, three steps, batch 1: every number written out below in float64.
  const x = t([0.5, -1, 1.5, 0.25, -0.75, 2], [1, 3, 2]);
  const xs = [[0.5, -1], [1.5, 0.25], [-0.75, 2]];

  test('SimpleRNN, 1 unit', () => {
    const l = simpleRNN({ units: 1, returnSequences: true });
    l.build([null, 3, 2]);
    const w = [0.3, -0.2];
    const u = 0.7;
    const b = 0.1;
    l.setWeights([t(w, [2, 1]), t([u], [1, 1]), t([b], [1])]);
    let h = 0;
    const expected: number[] = [];
    for (const [x0, x1] of xs) {
      h = Math.tanh(x0! * w[0]! + x1! * w[1]! + h * u + b);
      expected.push(h);
    }
    expectClose((l.forward(x) as Tensor).data, expected);
  });

  test('LSTM, 1 unit, with an initial state', () => {
    const l = lstm({ units: 1, returnSequences: true, returnState: true });
    l.build([null, 3, 2]);
    // kernel columns i, f, c, o.
    const w = [[0.1, 0.4, -0.3, 0.2], [-0.5, 0.3, 0.6, 0.1]];
    const u = [0.2, -0.4, 0.5, 0.3];
    const b = [0.05, 1, -0.1, 0.2];
    l.setWeights([t([...w[0]!, ...w[1]!], [2, 4]), t(u, [1, 4]), t(b, [4])]);
    let h = 0.3;
    let c = -0.2;
    const expected: number[] = [];
    for (const [x0, x1] of xs) {
      const z = [0, 1, 2, 3].map((g) => x0! * w[0]![g]! + x1! * w[1]![g]! + h * u[g]! + b[g]!);
      const i = sig(z[0]!);
      const f = sig(z[1]!);
      const gg = Math.tanh(z[2]!);
      const o = sig(z[3]!);
      c = f * c + i * gg;
      h = o * Math.tanh(c);
      expected.push(h);
    }
    const [seq, hT, cT] = l.forward(x, { initialState: [t([0.3], [1, 1]), t([-0.2], [1, 1])] });
    expectClose(seq!.data, expected);
    expectClose(hT!.data, [h]);
    expectClose(cT!.data, [c]);
  });

  test.for([true, false])('GRU, 1 unit, resetAfter %s', (resetAfter) => {
    const l = gru({ units: 1, returnSequences: true, resetAfter });
    l.build([null, 3, 2]);
    // kernel columns z, r, h.
    const w = [[0.2, -0.3, 0.5], [0.4, 0.1, -0.6]];
    const u = [0.3, -0.2, 0.8];
    const bIn = [0.1, -0.1, 0.2];
    const bRec = [-0.05, 0.15, 0.3];
    const bias = resetAfter ? t([...bIn, ...bRec], [2, 3]) : t(bIn, [3]);
    l.setWeights([t([...w[0]!, ...w[1]!], [2, 3]), t(u, [1, 3]), bias]);
    let h = 0;
    const expected: number[] = [];
    for (const [x0, x1] of xs) {
      const xw = [0, 1, 2].map((g) => x0! * w[0]![g]! + x1! * w[1]![g]! + bIn[g]!);
      const rec = [0, 1, 2].map((g) => h * u[g]! + (resetAfter ? bRec[g]! : 0));
      const z = sig(xw[0]! + rec[0]!);
      const r = sig(xw[1]! + rec[1]!);
      const hh = resetAfter ? Math.tanh(xw[2]! + r * rec[2]!) : Math.tanh(xw[2]! + r * h * u[2]!);
      h = z * h + (1 - z) * hh;
      expected.push(h);
    }
    expectClose((l.forward(x) as Tensor).data, expected);
  });

  // Several units and a batch: catches gate blocks or units mixed up, on the default backend.
  const kinds: Array<['rnn' | 'lstm' | 'gru' | 'gru1', boolean]> = [
    ['rnn', false], ['lstm', false], ['gru', false], ['gru1', false], ['rnn', true], ['lstm', true], ['gru', true], ['gru1', true],
  ];
  test.for(kinds)('%s with 3 units against Keras equations in float64 (goBackwards %s)', ([kind, goBackwards]) => {
    const rng = new Random(7);
    const x3 = randT(rng, [2, 4, 3]);
    const args = { units: 3, returnSequences: true, goBackwards, biasInitializer: 'randomUniform' };
    const l = kind === 'rnn' ? simpleRNN(args) : kind === 'lstm' ? lstm(args) : gru({ ...args, resetAfter: kind === 'gru' });
    const h0 = [[0.1, -0.2, 0.3], [0.5, 0.0, -0.4]];
    const c0 = [[-0.3, 0.2, 0.1], [0.0, 0.4, -0.1]];
    const init = kind === 'lstm' ? [t(h0.flat(), [2, 3]), t(c0.flat(), [2, 3])] : [t(h0.flat(), [2, 3])];
    const y = l.forward(x3, { initialState: init }) as Tensor;
    const ref = reference(kind, x3, l.kernel!.data, l.recurrentKernel!.data, l.bias!.data, 3, goBackwards, h0, c0);
    expectClose(y.data, ref.hs.flat(2), 5e-6);
  });
});

describe('recurrent layers: config and errors', () => {
  test('getConfig → layerFromConfig round trip predicts identically', () => {
    const x = randT(new Random(3), [2, 4, 3]);
    const layers = [
      new LSTM({ units: 3, returnSequences: true, goBackwards: true, recurrentActivation: 'hard_sigmoid', unitForgetBias: false, name: 'enc' }),
      new GRU({ units: 2, resetAfter: false, activation: 'relu', kernelInitializer: 'he_normal' }),
      new SimpleRNN({ units: 2, useBias: false, recurrentInitializer: { className: 'Identity', config: { gain: 0.5 } } }),
    ];
    for (const l of layers) {
      const y = l.forward(x);
      const ser = JSON.parse(JSON.stringify(l.serialize())) as ReturnType<typeof l.serialize>;
      const copy = layerFromConfig(ser) as typeof l;
      expect(copy.className).toBe(l.className);
      expect(copy.getConfig()).toEqual(l.getConfig());
      copy.build([null, 4, 3]);
      copy.setWeights(l.getWeights());
      expectClose((copy.forward(x) as Tensor).data, (y as Tensor).data, 0);
    }
    expect(layers[0]!.getConfig()).toMatchObject({
      name: 'enc', units: 3, returnSequences: true, returnState: false, goBackwards: true, recurrentActivation: 'hard_sigmoid',
      unitForgetBias: false, activation: 'tanh', kernelInitializer: 'glorotUniform', recurrentInitializer: 'orthogonal',
    });
  });

  test('bad arguments and inputs get typed errors naming the layer and shapes', () => {
    expect(() => lstm({ units: 0 })).toThrow(ArgumentError);
    expect(() => lstm({ units: 2, dropout: 0.5 })).toThrow(/LSTM: dropout is not supported/);
    expect(() => gru({ units: 2, stateful: true })).toThrow(/GRU: stateful/);
    expect(() => simpleRNN({ units: 2, activation: 'nope' as never })).toThrow(/unknown activation/);
    expect(() => lstm({ units: 2, kernelInitializer: 'nope' })).toThrow(/unknown initializer/);
    const l = lstm({ units: 2, name: 'mem' });
    expect(() => l.forward(randT(new Random(1), [2, 3]))).toThrow(ShapeError);
    expect(() => l.forward(randT(new Random(1), [2, 3]))).toThrow(/LSTM: layer 'mem' expects input \[batch, time, features\]/);
    l.forward(randT(new Random(1), [2, 3, 4]));
    expect(() => l.forward(randT(new Random(1), [2, 3, 5]))).toThrow(/LSTM: layer 'mem' expects input \[batch, time, 4\], got \[2, 3, 5\]/);
    expect(() => l.forward(randT(new Random(1), [2, 3, 4, 1]))).toThrow(ShapeError);
    expect(() => l.forward(randT(new Random(1), [2, 0, 4]))).toThrow(/at least one time step/);
    const x = randT(new Random(1), [2, 3, 4]);
    expect(() => l.forward(x, { initialState: [randT(new Random(1), [2, 2])] })).toThrow(/array of 2 tensors/);
    expect(() => l.forward(x, { initialState: [randT(new Random(1), [2, 2]), randT(new Random(1), [3, 2])] })).toThrow(
      /initialState\[1\] must be \[2, 2\] for input \[2, 3, 4\], got \[3, 2\]/,
    );
  });
});

describe('recurrent cells', () => {
  const cases: Array<[string, () => LSTM<Tensor[]> | GRU<Tensor[]> | SimpleRNN<Tensor[]>, () => LSTMCell | GRUCell | SimpleRNNCell]> = [
    ['SimpleRNNCell', () => simpleRNN({ units: 3, returnSequences: true, returnState: true }), () => simpleRNNCell({ units: 3 })],
    ['LSTMCell', () => lstm({ units: 3, returnSequences: true, returnState: true }), () => lstmCell({ units: 3 })],
    ['GRUCell', () => gru({ units: 3, returnSequences: true, returnState: true }), () => gruCell({ units: 3 })],
    ['GRUCell resetAfter false', () => gru({ units: 3, returnSequences: true, returnState: true, resetAfter: false }),
      () => gruCell({ units: 3, resetAfter: false })],
  ];
  test.for(cases)('%s stepped by hand matches the layer, values and gradients', ([_name, makeLayer, makeCell]) => {
    const rng = new Random(5);
    const x = randT(rng, [2, 3, 4]);
    const layer = makeLayer();
    const cell = makeCell();
    layer.build([null, 3, 4]);
    cell.build([null, 4]);
    layer.bias!.data.set(randT(rng, layer.bias!.shape.slice()).data);
    cell.setWeights(layer.getWeights());
    const [seq] = layer.forward(x);
    sum(mul(seq!, seq!)).backward();
    let states: Tensor[] = [];
    const outs: number[] = [];
    for (let s = 0; s < 3; s++) {
      const xs = new Tensor(Float32Array.from([0, 1].flatMap((b) => Array.from(x.data.subarray((b * 3 + s) * 4, (b * 3 + s + 1) * 4)))), [2, 4]);
      const y = cell.forward(states.length === 0 ? xs : [xs, ...states]);
      states = y instanceof Tensor ? [y] : y;
      outs.push(...states[0]!.data);
    }
    // outs is time-major; the layer's sequence batch-major.
    const bm = [0, 1].flatMap((b) => [0, 1, 2].flatMap((s) => outs.slice((s * 2 + b) * 3, (s * 2 + b + 1) * 3)));
    expectClose(seq!.data, bm, 1e-6);
    // The same loss through the cell steps: the same weight gradients.
    cell.zeroGrad();
    let h: Tensor[] = [];
    const parts: Tensor[] = [];
    for (let s = 0; s < 3; s++) {
      const xs = new Tensor(Float32Array.from([0, 1].flatMap((b) => Array.from(x.data.subarray((b * 3 + s) * 4, (b * 3 + s + 1) * 4)))), [2, 4]);
      const y = cell.forward(h.length === 0 ? xs : [xs, ...h]);
      h = y instanceof Tensor ? [y] : y;
      parts.push(sum(mul(h[0]!, h[0]!)));
    }
    parts.reduce((a, b) => a.add(b)).backward();
    cell.weights.forEach((w, i) => expectClose(w.grad!.data, layer.weights[i]!.grad!.data, 1e-5));
  });

  test('cell config round trip and errors', () => {
    const c = lstmCell({ units: 2, unitForgetBias: false, name: 'step' });
    const copy = layerFromConfig(JSON.parse(JSON.stringify(c.serialize())) as ReturnType<typeof c.serialize>);
    expect(copy).toBeInstanceOf(LSTMCell);
    expect(copy.getConfig()).toEqual(c.getConfig());
    expect(new LSTMCell({ units: 2 }).name.startsWith('lstm_cell')).toBe(true);
    const x = randT(new Random(1), [2, 3]);
    const [h, cs] = c.forward(x);
    expect(h!.shape).toEqual([2, 2]);
    expect(cs!.shape).toEqual([2, 2]);
    expect(() => c.forward([x, h!])).toThrow(/LSTMCell: input must be x or \[x, h, c\]/);
    expect(() => c.forward([x, h!, randT(new Random(1), [2, 3])])).toThrow(/state 1 must be \[2, 2\] for x \[2, 3\], got \[2, 3\]/);
    expect(() => c.forward(randT(new Random(1), [2, 4]))).toThrow(/LSTMCell: cell 'step' expects x \[batch, 3\], got \[2, 4\]/);
    expect(() => gruCell({ units: 2 }).forward(randT(new Random(1), [2, 3, 1]))).toThrow(ShapeError);
  });
});

function stepKernelAvailable(): boolean {
  const hyper = {
    lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-7, momentum: 0, dampening: 0, rho: 0.9, weightDecay: 0, decoupled: false,
    nesterov: false, amsgrad: false, centered: false, step: 1, gradScale: 1, clipValue: Infinity,
  };
  try {
    getBackend().optimizerStep('adam', [], [], [[], []], hyper);
    return true;
  } catch {
    return false;
  }
}

describe('LSTM learns a memory task', () => {
  test('sign of the first of 10 random ±1 steps: ≥ 95% after ≤ 300 Adam steps', () => {
    const rng = new Random(2024);
    const T = 10;
    const batch = (n: number): { x: Tensor; y: Tensor } => {
      const x = new Float32Array(n * T);
      const y = new Float32Array(n);
      for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < 0.5 ? -1 : 1;
      for (let i = 0; i < n; i++) y[i] = x[i * T]! > 0 ? 1 : 0;
      return { x: new Tensor(x, [n, T, 1]), y: new Tensor(y, [n, 1]) };
    };
    const layer = lstm({ units: 8 });
    layer.build([null, T, 1]);
    const head = randT(rng, [8, 1], -0.5, 0.5).requiresGrad_();
    const headBias = new Tensor(new Float32Array(1), [1]).requiresGrad_();
    const params = [...layer.parameters(), head, headBias];
    const opt = new Adam(params, { learningRate: 0.02 });
    const bce = lossFromConfig('binaryCrossentropy', { fromLogits: true });
    // The update runs on the native kernel where this build has it, otherwise on the reference
    // one (the same rule over the same Float32Arrays); the LSTM itself runs on the default backend.
    const stepBackend = stepKernelAvailable() ? getBackend().name : 'reference';
    const logits = (x: Tensor): Tensor => denseOp(layer.forward(x), head, headBias);
    const accuracy = (n: number): number => noGrad(() => {
      const { x, y } = batch(n);
      const z = logits(x);
      let ok = 0;
      for (let i = 0; i < n; i++) if ((z.data[i]! > 0 ? 1 : 0) === y.data[i]) ok++;
      return ok / n;
    });
    let steps = 0;
    for (; steps < 300; steps++) {
      if (steps % 25 === 0 && accuracy(256) >= 0.99) break;
      const { x, y } = batch(32);
      const z = logits(x);
      const loss = bce(y, z);
      opt.zeroGrad();
      loss.backward();
      onBackend(stepBackend, () => opt.step());
    }
    expect(accuracy(1000)).toBeGreaterThanOrEqual(0.95);
    expect(steps).toBeLessThanOrEqual(300);
  });
});
