import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError, ValueError } from '../src/errors.js';
import * as L from '../src/losses.js';
import { softmax } from '../src/ops/activation.js';
import { clone } from '../src/ops/shape.js';
import { Random } from '../src/random.js';
import { Tensor } from '../src/tensor.js';
import { getBackend } from '../src/backend/index.js';
import { BACKENDS, gradcheck, randTensor, runOn } from './support/gradcheck.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);
const rg = (x: Tensor): Tensor => x.requiresGrad_();
const vals = (x: Tensor): number[] => [...x.data];

function close(actual: number[] | Tensor, expected: number[], tol = 1e-5): void {
  const a = actual instanceof Tensor ? vals(actual) : actual;
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) => expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!))));
}

/** log Σ exp, in float64. */
function lse(row: number[]): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
}

describe.each(BACKENDS)('losses on %s', (backend) => {
  // A native kernel not built yet skips instead of failing (runOn).
  const on = (fn: () => void) => (ctx: { skip: (note?: string) => void }) => runOn(backend, ctx.skip, fn);

  test('mean squared and mean absolute error: reductions and sample weights', on(() => {
    const yTrue = t([0, 1, 2, 3], [2, 2]);
    const yPred = t([1, 1, 2, 5], [2, 2]);
    close(L.meanSquaredError(yTrue, yPred, { reduction: 'none' }), [0.5, 2]);
    close(L.meanSquaredError(yTrue, yPred), [1.25]);
    expect(L.meanSquaredError(yTrue, yPred).shape).toEqual([]);
    close(L.meanSquaredError(yTrue, yPred, { reduction: 'sum' }), [2.5]);
    // Keras: Σ w·l / batch, not / Σ w.
    close(L.meanSquaredError(yTrue, yPred, { sampleWeight: Float32Array.of(2, 0.5) }), [1]);
    close(L.meanSquaredError(yTrue, yPred, { sampleWeight: t([2, 0.5], [2]), reduction: 'sum' }), [2]);
    close(L.meanSquaredError(yTrue, yPred, { sampleWeight: t([2, 0.5], [2, 1]), reduction: 'none' }), [1, 1]);
    close(L.mse(yTrue, yPred), [1.25]);
    close(L.meanAbsoluteError(yTrue, yPred, { reduction: 'none' }), [0.5, 1]);
    close(L.mae(yTrue, yPred), [0.75]);
    // Rank 1 is one value per sample.
    close(L.meanSquaredError(t([1, 2], [2]), t([1, 4], [2]), { reduction: 'none' }), [0, 4]);
    // Labels [batch] against predictions [batch, 1], and Int32Array labels.
    close(L.meanSquaredError(t([1, 2], [2]), t([1, 4], [2, 1]), { reduction: 'none' }), [0, 4]);
    close(L.meanSquaredError(Int32Array.of(1, 2), t([1, 4], [2, 1]), { reduction: 'none' }), [0, 4]);
  }));

  test('huber', on(() => {
    const yTrue = t([0, 0, 0, 0], [2, 2]);
    const yPred = t([0.5, -2, 1.5, 0], [2, 2]);
    close(L.huber(yTrue, yPred, { reduction: 'none' }), [(0.125 + 1.5) / 2, (1.0 + 0) / 2]);
    const h2 = L.huber({ delta: 2 });
    close(h2(yTrue, yPred, { reduction: 'none' }), [(0.125 + 2) / 2, 1.125 / 2]);
    expect(h2.lossName).toBe('huber');
  }));

  test('binary cross-entropy from probabilities (clipped as Keras) and from logits (stable)', on(() => {
    const z = t([1, 0, 1, 1], [4, 1]);
    const p = t([0.8, 0.4, 0, 1], [4, 1]);
    const eps = 1e-7;
    close(L.binaryCrossentropy(z, p, { reduction: 'none' }), [
      -Math.log(0.8), -Math.log(0.6), -Math.log(eps), -Math.log(Math.fround(1 - eps)),
    ], 1e-4);
    const x = t([2, -1, 0, 1e4, -1e4, 1e4], [3, 2]);
    const zl = t([1, 0, 1, 1, 1, 0], [3, 2]);
    const bce = L.binaryCrossentropy({ fromLogits: true });
    const per = bce(zl, x, { reduction: 'none' });
    close(per, [
      (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2,
      (Math.LN2 + 0) / 2,
      (1e4 + 1e4) / 2,
    ], 1e-5);
    // Label smoothing 0.2: z → z·0.8 + 0.1.
    const smooth = L.binaryCrossentropy({ labelSmoothing: 0.2 });
    close(smooth(t([1], [1, 1]), t([0.7], [1, 1])), [-(0.9 * Math.log(0.7) + 0.1 * Math.log(0.3))], 1e-5);
    // Gradient from logits is sigmoid(x) − z, finite at ±1e4.
    const xr = rg(t([0, 1e4, -1e4, 3], [4, 1]));
    L.binaryCrossentropy({ fromLogits: true })(t([1, 0, 1, 0], [4, 1]), xr, { reduction: 'sum' }).backward();
    close(xr.grad!, [0.5 - 1, 1, -1, 1 / (1 + Math.exp(-3))], 1e-6);
  }));

  test('categorical cross-entropy: probabilities (normalised), logits, label smoothing', on(() => {
    const z = t([0, 1, 0, 1, 0, 0], [2, 3]);
    const p = t([0.2, 0.7, 0.1, 0.5, 0.25, 0.25], [2, 3]);
    close(L.categoricalCrossentropy(z, p, { reduction: 'none' }), [-Math.log(0.7), -Math.log(0.5)], 1e-5);
    // Keras normalises probabilities that do not sum to 1.
    const p2 = t([0.4, 1.4, 0.2, 1, 0.5, 0.5], [2, 3]);
    close(L.categoricalCrossentropy(z, p2, { reduction: 'none' }), [-Math.log(0.7), -Math.log(0.5)], 1e-5);
    const x = [1, 2, 3, -1, 0.5, 4];
    const cce = L.categoricalCrossentropy({ fromLogits: true });
    close(cce(z, t(x, [2, 3]), { reduction: 'none' }), [lse(x.slice(0, 3)) - 2, lse(x.slice(3)) + 1], 1e-5);
    // Soft targets; and targets not summing to 1 get Keras' −Σ t·log softmax.
    const soft = t([0.2, 0.3, 0.5, 0.5, 0.5, 0.5], [2, 3]);
    const logp = (row: number[], i: number) => row[i]! - lse(row);
    const r0 = x.slice(0, 3);
    const r1 = x.slice(3);
    close(cce(soft, t(x, [2, 3]), { reduction: 'none' }), [
      -(0.2 * logp(r0, 0) + 0.3 * logp(r0, 1) + 0.5 * logp(r0, 2)),
      -(0.5 * logp(r1, 0) + 0.5 * logp(r1, 1) + 0.5 * logp(r1, 2)),
    ], 1e-5);
    const ls = L.categoricalCrossentropy({ labelSmoothing: 0.3 });
    // one-hot [0, 1, 0] → [0.1, 0.8, 0.1]
    close(ls(t([0, 1, 0], [1, 3]), t([0.2, 0.7, 0.1], [1, 3])), [-(0.1 * Math.log(0.2) + 0.8 * Math.log(0.7) + 0.1 * Math.log(0.1))], 1e-5);
  }));

  test('sparse categorical cross-entropy: labels as Int32Array or tensors', on(() => {
    const p = t([0.2, 0.7, 0.1, 0.5, 0.25, 0.25], [2, 3]);
    const want = [-Math.log(0.7), -Math.log(0.5)];
    close(L.sparseCategoricalCrossentropy(Int32Array.of(1, 0), p, { reduction: 'none' }), want, 1e-5);
    close(L.sparseCategoricalCrossentropy(t([1, 0], [2]), p, { reduction: 'none' }), want, 1e-5);
    close(L.sparseCategoricalCrossentropy(t([1, 0], [2, 1]), p, { reduction: 'none' }), want, 1e-5);
    close(L.sparseCategoricalCrossentropy(Int32Array.of(1, 0), p), [(want[0]! + want[1]!) / 2], 1e-5);
    const x = [1, 2, 3, -1, 0.5, 4];
    const scce = L.sparseCategoricalCrossentropy({ fromLogits: true });
    expect(scce.lossName).toBe('sparseCategoricalCrossentropy');
    close(scce(Int32Array.of(2, 1), t(x, [2, 3]), { reduction: 'none' }), [lse(x.slice(0, 3)) - 3, lse(x.slice(3)) - 0.5], 1e-5);
    // Rank 3: per-sample losses keep the batch and time axes.
    const x3 = t([1, 2, 3, -1, 0.5, 4, 0, 0, 0, 2, 2, 2], [2, 2, 3]);
    const l3 = scce(t([2, 1, 0, 2], [2, 2]), x3, { reduction: 'none' });
    expect(l3.shape).toEqual([2, 2]);
    close(l3, [lse([1, 2, 3]) - 3, lse([-1, 0.5, 4]) - 0.5, Math.log(3), Math.log(3)], 1e-5);
  }));

  test('sparse labels are checked: range, integrality, count, kind', on(() => {
    const p = t([0.2, 0.7, 0.1, 0.5, 0.25, 0.25], [2, 3]);
    expect(() => L.sparseCategoricalCrossentropy(Int32Array.of(1, 3), p)).toThrow(ValueError);
    expect(() => L.sparseCategoricalCrossentropy(Int32Array.of(1, 3), p)).toThrow(/sparseCategoricalCrossentropy: label 3 at index 1 is outside \[0, 3\) for yPred of shape \[2, 3\]/);
    expect(() => L.sparseCategoricalCrossentropy(Int32Array.of(-1, 0), p)).toThrow(ValueError);
    expect(() => L.sparseCategoricalCrossentropy(t([1.5, 0], [2]), p)).toThrow(/label 1.5 at index 0 is not a class index/);
    expect(() => L.sparseCategoricalCrossentropy(Int32Array.of(1, 0, 2), p)).toThrow(ShapeError);
    expect(() => L.sparseCategoricalCrossentropy(t([1, 0, 2], [3]), p)).toThrow(/labels of shape \[3\] do not match yPred of shape \[2, 3\]/);
    expect(() => L.sparseCategoricalCrossentropy([1, 0] as unknown as Int32Array, p)).toThrow(ArgumentError);
    expect(() => L.sparseCategoricalCrossentropy({ fromLogits: true })(Int32Array.of(0, 5), p)).toThrow(ValueError);
    expect(() => L.meanSquaredError(t([1, 2, 3], [3]), p)).toThrow(/meanSquaredError: yTrue of shape \[3\] does not match yPred of shape \[2, 3\]/);
    expect(() => L.meanSquaredError(p, p, { reduction: 'avg' as 'mean' })).toThrow(ArgumentError);
    expect(() => L.meanSquaredError(p, p, { sampleWeight: Float32Array.of(1, 2, 3) })).toThrow(ShapeError);
    expect(() => L.meanSquaredError(p, 'x' as unknown as Tensor)).toThrow(ArgumentError);
  }));

  test('kl divergence and cosine similarity', on(() => {
    close(L.kld(t([0.2, 0.8], [1, 2]), t([0.5, 0.5], [1, 2])), [0.2 * Math.log(0.4) + 0.8 * Math.log(1.6)], 1e-5);
    close(L.kullbackLeiblerDivergence(t([0, 1], [1, 2]), t([0.5, 0.5], [1, 2])), [1e-7 * Math.log(2e-7) + Math.log(2)], 1e-5);
    close(L.cosineSimilarity(t([1, 0, 3, 4], [2, 2]), t([1, 1, -3, -4], [2, 2]), { reduction: 'none' }), [-Math.SQRT1_2, 1], 1e-5);
  }));

  test('softmax outputs are fused: equal to the slow path, stable for extreme logits, gradient to the logits', on(() => {
    const rng = new Random(5);
    const logits = rg(randTensor(rng, [4, 5], -3, 3));
    const labels = Int32Array.of(0, 4, 2, 1);
    const fused = L.sparseCategoricalCrossentropy(labels, softmax(logits), { reduction: 'none' });
    // clone() is not a softmax output: Keras' normalise-clip-log path.
    const slow = L.sparseCategoricalCrossentropy(labels, clone(softmax(logits)), { reduction: 'none' });
    const direct = L.sparseCategoricalCrossentropy({ fromLogits: true })(labels, logits, { reduction: 'none' });
    close(fused, vals(slow), 1e-5);
    close(fused, vals(direct), 1e-6);
    expect(fused.gradNode?.op).toBe('softmaxCrossEntropy');
    expect(fused.gradNode?.inputs[0]).toBe(logits);
    const onehot = new Float32Array(20);
    labels.forEach((c, r) => { onehot[r * 5 + c] = 1; });
    const cf = L.categoricalCrossentropy(new Tensor(onehot, [4, 5]), softmax(logits), { reduction: 'none' });
    close(cf, vals(direct), 1e-6);
    expect(cf.gradNode?.op).toBe('softmaxCrossEntropy');

    // Extreme logits: the slow path would clip at log(1e-7); the fused one is exact and finite.
    const big = rg(t([1e4, -1e4, 0, -1e4, 1e4, 1e4], [2, 3]));
    const lossBig = L.sparseCategoricalCrossentropy(Int32Array.of(1, 0), softmax(big), { reduction: 'none' });
    close(lossBig, [2e4, 2e4 + Math.LN2], 1e-6);
    const mean = L.sparseCategoricalCrossentropy(Int32Array.of(1, 0), softmax(big));
    mean.backward();
    const g = vals(big.grad!);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
    // (softmax − onehot) / batch
    close(g, [0.5, -0.5, 0, -0.5, 0.25, 0.25], 1e-6);
    const lx = rg(t([-1e4, 1e4, 3, 1e4, -1e4, 0], [2, 3]));
    const c = L.categoricalCrossentropy({ fromLogits: true })(t([1, 0, 0, 0, 0.5, 0.5], [2, 3]), lx);
    expect(Number.isFinite(c.data[0]!)).toBe(true);
    c.backward();
    for (const v of vals(lx.grad!)) expect(Number.isFinite(v)).toBe(true);
  }));

  describe('gradients w.r.t. yPred', () => {
    const rng = new Random(42);
    const cases: Array<[string, () => void]> = [
      ['mse', () => gradcheck((p) => L.mse(randFixed(1, [3, 4]), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4]))])],
      ['mae', () => gradcheck((p) => L.mae(randFixed(1, [3, 4]), p), [rg(offset(randFixed(1, [3, 4]), rng))])],
      ['huber', () => gradcheck((p) => L.huber(zeros([3, 4]), p, { sampleWeight: Float32Array.of(1, 2, 0.5) }), [rg(randTensor(rng, [3, 4], -3, 3, [-1, 0, 1], 0.05))])],
      ['bce', () => gradcheck((p) => L.binaryCrossentropy(binary(3, 4), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4], 0.05, 0.95))], { eps: 1e-3 })],
      ['bce logits', () => gradcheck((p) => L.binaryCrossentropy({ fromLogits: true })(binary(3, 4), p), [rg(randTensor(rng, [3, 4], -4, 4))])],
      ['cce', () => gradcheck((p) => L.categoricalCrossentropy(soft(3, 4), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4], 0.2, 1))], { eps: 1e-3 })],
      ['cce logits', () => gradcheck((p) => L.categoricalCrossentropy({ fromLogits: true })(soft(3, 4), p, { reduction: 'sum' }), [rg(randTensor(rng, [3, 4], -3, 3))])],
      ['cce through softmax', () => gradcheck((x) => L.categoricalCrossentropy(soft(3, 4), softmax(x)), [rg(randTensor(rng, [3, 4], -3, 3))])],
      ['scce', () => gradcheck((p) => L.sparseCategoricalCrossentropy(Int32Array.of(0, 3, 1), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4], 0.2, 1))], { eps: 1e-3 })],
      ['scce logits', () => gradcheck((p) => L.sparseCategoricalCrossentropy({ fromLogits: true })(Int32Array.of(0, 3, 1), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4], -3, 3))])],
      ['scce logits, weighted mean', () => gradcheck((p) => L.sparseCategoricalCrossentropy({ fromLogits: true })(t([2, 0, 1], [3]), p, { sampleWeight: Float32Array.of(0.5, 1, 2) }), [rg(randTensor(rng, [3, 4], -3, 3))])],
      ['scce through softmax', () => gradcheck((x) => L.sparseCategoricalCrossentropy(Int32Array.of(2, 2, 0), softmax(x)), [rg(randTensor(rng, [3, 4], -3, 3))])],
      ['kld', () => gradcheck((p) => L.kld(soft(3, 4), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4], 0.1, 1))], { eps: 1e-3 })],
      ['cosine', () => gradcheck((p) => L.cosineSimilarity(randFixed(3, [3, 4]), p, { reduction: 'none' }), [rg(randTensor(rng, [3, 4]))])],
    ];
    test.for(cases)('%s', ([, run], ctx) => runOn(backend, ctx.skip, run));
  });
});

function randFixed(seed: number, shape: number[]): Tensor {
  return randTensor(new Random(seed), shape);
}

/** A prediction kept ≥ 0.1 away from `target` element-wise (|e| has a kink at 0). */
function offset(target: Tensor, rng: Random): Tensor {
  const d = new Float32Array(target.size);
  for (let i = 0; i < d.length; i++) d[i] = target.data[i]! + (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + rng.uniform());
  return new Tensor(d, target.shape);
}

function zeros(shape: number[]): Tensor {
  return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
}

function binary(rows: number, cols: number): Tensor {
  const d = new Float32Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7) % 3 === 0 ? 1 : 0;
  return new Tensor(d, [rows, cols]);
}

/** Rows of a probability distribution. */
function soft(rows: number, cols: number): Tensor {
  const d = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += d[r * cols + c] = 1 + ((r + 2 * c) % 5);
    for (let c = 0; c < cols; c++) d[r * cols + c]! /= s;
  }
  return new Tensor(d, [rows, cols]);
}

describe('getLoss', () => {
  test('names in camelCase, snake_case and short forms', () => {
    const cases: Array<[string, string]> = [
      ['mse', 'meanSquaredError'], ['mean_squared_error', 'meanSquaredError'], ['meanSquaredError', 'meanSquaredError'],
      ['mae', 'meanAbsoluteError'], ['mean_absolute_error', 'meanAbsoluteError'], ['huber', 'huber'],
      ['binaryCrossentropy', 'binaryCrossentropy'], ['binary_crossentropy', 'binaryCrossentropy'],
      ['categorical_crossentropy', 'categoricalCrossentropy'], ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'],
      ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy'], ['kld', 'kullbackLeiblerDivergence'],
      ['kullback_leibler_divergence', 'kullbackLeiblerDivergence'], ['cosine_similarity', 'cosineSimilarity'],
    ];
    for (const [spec, name] of cases) {
      const f = L.getLoss(spec);
      expect(f.lossName, spec).toBe(name);
      expect(typeof f).toBe('function');
    }
    const f = L.getLoss('mse');
    close(f(t([0, 1, 2, 3], [2, 2]), t([1, 1, 2, 5], [2, 2])), [1.25]);
    expect(() => L.getLoss('hinge_plus')).toThrow(ArgumentError);
    expect(() => L.getLoss('hinge_plus')).toThrow(/unknown loss 'hinge_plus'; expected one of .*sparse_categorical_crossentropy/);
    expect(() => L.getLoss(3 as unknown as string)).toThrow(ArgumentError);
  });

  test('functions keep or get a name; factories keep their config', (ctx) => runOn(getBackend().name, ctx.skip, () => {
    const made = L.sparseCategoricalCrossentropy({ fromLogits: true });
    expect(L.getLoss(made)).toBe(made);
    expect(made.lossConfig).toEqual({ fromLogits: true });
    function myLoss(_y: L.Labels, p: Tensor): Tensor { return p.sum(); }
    const g = L.getLoss(myLoss);
    expect(g.lossName).toBe('myLoss');
    close(g(t([0], [1]), t([2, 3], [2])), [5]);
    const again = L.lossFromConfig('sparse_categorical_crossentropy', { fromLogits: true });
    close(again(Int32Array.of(0), t([0, 0], [1, 2])), [Math.LN2]);
    expect(() => L.sparseCategoricalCrossentropy({ fromLogits: 'yes' as unknown as boolean })).toThrow(ArgumentError);
    expect(() => L.huber({ delta: -1 })).toThrow(ValueError);
  }));
});
