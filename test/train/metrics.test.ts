import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError, ValueError } from '../../src/errors.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import * as M from '../../src/train/metrics.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

function onehot(labels: number[], k: number): Tensor {
  const d = new Float32Array(labels.length * k);
  labels.forEach((c, r) => { d[r * k + c] = 1; });
  return new Tensor(d, [labels.length, k]);
}

/** Rows whose argmax is `classes[r]`. */
function scores(classes: number[], k: number, rng = new Random(3)): Tensor {
  const d = new Float32Array(classes.length * k);
  classes.forEach((c, r) => {
    for (let j = 0; j < k; j++) d[r * k + j] = rng.uniform() * 0.5;
    d[r * k + c] = 0.9;
  });
  return new Tensor(d, [classes.length, k]);
}

describe('accuracies', () => {
  test('binary accuracy with thresholds', () => {
    const m = M.binaryAccuracy();
    expect(m.name).toBe('binary_accuracy');
    m.update(t([1, 0, 1, 0], [4, 1]), t([0.9, 0.6, 0.4, 0.1], [4, 1]));
    expect(m.result()).toBe(0.5);
    const m3 = new M.BinaryAccuracy({ threshold: 0.3 });
    m3.update(Int32Array.of(1, 0, 1, 0), t([0.9, 0.6, 0.4, 0.1], [4]));
    expect(m3.result()).toBe(0.75);
    m3.reset();
    expect(m3.result()).toBe(0);
  });

  test('categorical and sparse categorical accuracy', () => {
    const p = t([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6], [3, 3]);
    const c = M.categoricalAccuracy();
    c.update(onehot([1, 2, 2], 3), p);
    expect(c.result()).toBeCloseTo(2 / 3, 12);
    const s = M.sparseCategoricalAccuracy();
    s.update(Int32Array.of(1, 2, 2), p);
    expect(s.result()).toBeCloseTo(2 / 3, 12);
    s.update(t([0], [1, 1]), t([5, 1, 1], [1, 3]));
    expect(s.result()).toBe(0.75);
    expect(() => s.update(Int32Array.of(1, 2), p)).toThrow(ShapeError);
    expect(() => c.update(Int32Array.of(1, 2, 2), p)).toThrow(/one-hot yTrue of shape \[3\] does not match yPred of shape \[3, 3\]/);
  });

  test('top-k accuracy (k = 5 by default, ties at the boundary count)', () => {
    const p = t([
      0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7,
      0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1,
      1, 1, 1, 1, 1, 1, 1,
    ], [3, 7]);
    const k5 = M.sparseTopKCategoricalAccuracy();
    expect(k5.k).toBe(5);
    // row 0: class 1 is 6th → out; row 1: class 4 is 5th → in; row 2: all tied → in.
    k5.update(Int32Array.of(1, 4, 0), p);
    expect(k5.result()).toBeCloseTo(2 / 3, 12);
    const k2 = M.topKCategoricalAccuracy({ k: 2 });
    k2.update(onehot([5, 1, 3], 7), p);
    expect(k2.result()).toBe(1);
    const k1 = M.topKCategoricalAccuracy({ k: 1 });
    k1.update(onehot([5, 1, 3], 7), p);
    expect(k1.result()).toBeCloseTo(1 / 3, 12);
    expect(() => M.topKCategoricalAccuracy({ k: 0 })).toThrow(ArgumentError);
  });
});

describe('precision, recall, F1', () => {
  test('binary, thresholded', () => {
    const yTrue = t([1, 1, 0, 0, 1, 1], [6, 1]);
    const yPred = t([0.9, 0.2, 0.7, 0.1, 0.6, 0.3], [6, 1]);
    const p = M.precision();
    const r = M.recall();
    const f = M.f1();
    for (const m of [p, r, f]) m.update(yTrue, yPred);
    expect(p.result()).toBeCloseTo(2 / 3, 12);
    expect(r.result()).toBeCloseTo(1 / 2, 12);
    expect(f.result()).toBeCloseTo(4 / 7, 12);
    expect([p.name, r.name, f.name]).toEqual(['precision', 'recall', 'f1']);
    const p2 = M.precision({ threshold: 0.65 });
    p2.update(yTrue, yPred);
    expect(p2.result()).toBeCloseTo(1 / 2, 12);
    const none = M.precision();
    none.update(t([1, 0], [2]), t([0.1, 0.2], [2]));
    expect(none.result()).toBe(0);
  });

  test('multiclass macro average over classes seen', () => {
    const truth = [0, 0, 1, 2, 2, 2];
    const pred = scores([0, 1, 1, 2, 0, 2], 3);
    const p = M.precision({ classes: 3 });
    const r = M.recall({ classes: 3 });
    const f = M.f1({ classes: 3 });
    for (const m of [p, r, f]) m.update(Int32Array.from(truth), pred);
    expect(p.result()).toBeCloseTo(2 / 3, 12);
    expect(r.result()).toBeCloseTo(13 / 18, 12);
    expect(f.result()).toBeCloseTo((0.5 + 2 / 3 + 0.8) / 3, 12);
    // One-hot labels give the same; without `classes`, class-index labels select this form.
    const p1 = M.precision({ classes: 3 });
    p1.update(onehot(truth, 3), pred);
    expect(p1.result()).toBeCloseTo(2 / 3, 12);
    const auto = M.recall();
    auto.update(t(truth, [6]), pred);
    expect(auto.result()).toBeCloseTo(13 / 18, 12);
    // A class never seen (3 of 4) is left out of the average.
    const p4 = M.precision({ classes: 4 });
    p4.update(Int32Array.from(truth), new Tensor(padColumns(pred, 4), [6, 4]));
    expect(p4.result()).toBeCloseTo(2 / 3, 12);
    expect(() => M.precision({ classes: 3 }).update(Int32Array.of(0, 3, 1, 1, 1, 1), pred)).toThrow(ValueError);
    expect(() => M.precision({ classes: 4 }).update(Int32Array.from(truth), pred)).toThrow(ShapeError);
  });
});

function padColumns(x: Tensor, k: number): Float32Array {
  const cols = x.shape[1]!;
  const rows = x.shape[0]!;
  const d = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[r * k + c] = x.data[r * cols + c]!;
  return d;
}

describe('regression metrics', () => {
  test('mean squared and absolute error over every element', () => {
    const mse = M.meanSquaredError();
    const mae = M.meanAbsoluteError();
    mse.update(t([0, 1, 2, 3], [2, 2]), t([1, 1, 2, 5], [2, 2]));
    mae.update(t([0, 1, 2, 3], [2, 2]), t([1, 1, 2, 5], [2, 2]));
    expect(mse.result()).toBe(1.25);
    expect(mae.result()).toBe(0.75);
    mse.update(t([0, 0], [1, 2]), t([3, 3], [1, 2]));
    expect(mse.result()).toBeCloseTo((5 + 18) / 6, 12);
    expect(() => mse.update(t([0, 0, 0], [3]), t([3, 3], [1, 2]))).toThrow(ShapeError);
  });
});

describe('confusion matrix', () => {
  test('rows are true classes; argmax of probabilities or logits', () => {
    const cm = M.confusionMatrix({ numClasses: 3 });
    cm.update(Int32Array.of(0, 0, 1), scores([0, 1, 1], 3));
    const logits = t([5, -3, 1, 0.5, 0.1, 7, -1, 0, 3], [3, 3]);
    cm.update(t([2, 2, 2], [3]), logits);
    expect(cm.matrix()).toEqual([[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    expect(cm.result()).toBeCloseTo(4 / 6, 12);
    cm.update(onehot([1], 3), t([0, 1, 0], [1, 3]));
    expect(cm.matrix()[1]).toEqual([0, 2, 0]);
    cm.reset();
    expect(cm.matrix()).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const bin = new M.ConfusionMatrix({ numClasses: 2 });
    bin.update(t([1, 0, 1, 0], [4, 1]), t([0.9, 0.6, 0.4, 0.1], [4, 1]));
    expect(bin.matrix()).toEqual([[1, 1], [1, 1]]);
    expect(() => cm.update(Int32Array.of(3), t([0, 1, 0], [1, 3]))).toThrow(/label 3 at index 0 is not a class index in \[0, 3\)/);
    expect(() => cm.update(Int32Array.of(0), t([0, 1], [1, 2]))).toThrow(ShapeError);
    expect(() => new M.ConfusionMatrix({ numClasses: 0 })).toThrow(ArgumentError);
  });
});

describe('streaming', () => {
  test('several batches give the same result as one batch holding them all', () => {
    const rng = new Random(9);
    const n = 90;
    const k = 6;
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * k));
    const probs = new Float32Array(n * k);
    for (let i = 0; i < probs.length; i++) probs[i] = rng.uniform();
    const whole = new Tensor(probs, [n, k]);
    const hot = onehot([...labels], k);
    const make = (): Array<[M.Metric, 'sparse' | 'hot' | 'binary']> => [
      [M.sparseCategoricalAccuracy(), 'sparse'], [M.categoricalAccuracy(), 'hot'],
      [M.sparseTopKCategoricalAccuracy({ k: 3 }), 'sparse'], [M.topKCategoricalAccuracy({ k: 2 }), 'hot'],
      [M.precision({ classes: k }), 'sparse'], [M.recall({ classes: k }), 'sparse'], [M.f1({ classes: k }), 'hot'],
      [M.precision(), 'binary'], [M.recall(), 'binary'], [M.f1(), 'binary'], [M.binaryAccuracy(), 'binary'],
      [M.meanSquaredError(), 'hot'], [M.meanAbsoluteError(), 'hot'], [M.confusionMatrix({ numClasses: k }), 'sparse'],
    ];
    const all = make();
    const parts = make();
    const slice = (x: Tensor, a: number, b: number): Tensor => new Tensor(x.data.slice(a * k, b * k), [b - a, k]);
    for (const [m, kind] of all) {
      m.update(kind === 'sparse' ? labels : hot, whole);
    }
    for (const [a, b] of [[0, 32], [32, 64], [64, 90]] as const) {
      for (const [m, kind] of parts) {
        m.update(kind === 'sparse' ? labels.slice(a, b) : slice(hot, a, b), slice(whole, a, b));
      }
    }
    all.forEach(([m], i) => {
      expect(parts[i]![0].result(), m.name).toBeCloseTo(m.result(), 10);
      expect(m.result()).toBeGreaterThan(0);
    });
    expect((parts[13]![0] as M.ConfusionMatrix).matrix()).toEqual((all[13]![0] as M.ConfusionMatrix).matrix());
  });

  test('a 128×10 update costs a few microseconds', () => {
    const rng = new Random(1);
    const p = new Float32Array(1280);
    for (let i = 0; i < p.length; i++) p[i] = rng.uniform();
    const yPred = new Tensor(p, [128, 10]);
    const labels = Int32Array.from({ length: 128 }, (_, i) => i % 10);
    const m = M.getMetric('accuracy', 'sparse_categorical_crossentropy');
    for (let i = 0; i < 2000; i++) m.update(labels, yPred);
    const reps = 2000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) m.update(labels, yPred);
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / reps;
    // A few µs on an idle core; the bound leaves room for a loaded CI machine.
    expect(us).toBeLessThan(50);
  });
});

describe('getMetric', () => {
  test("'accuracy' and 'acc' follow the loss, as Keras", () => {
    const bin = M.getMetric('accuracy', 'binary_crossentropy');
    expect(bin).toBeInstanceOf(M.BinaryAccuracy);
    expect(bin.name).toBe('accuracy');
    const sp = M.getMetric('acc', 'sparseCategoricalCrossentropy');
    expect(sp).toBeInstanceOf(M.SparseCategoricalAccuracy);
    expect(sp.name).toBe('acc');
    expect(M.getMetric('accuracy', 'categoricalCrossentropy')).toBeInstanceOf(M.CategoricalAccuracy);
    // Without a cross-entropy, by the shapes of each batch.
    const auto = M.getMetric('accuracy', 'mse');
    auto.update(Int32Array.of(1, 2), t([0, 1, 0, 0, 0, 1], [2, 3]));
    auto.update(onehot([0, 0], 3), t([0, 1, 0, 1, 0, 0], [2, 3]));
    auto.update(t([1, 0, 1, 1], [4, 1]), t([0.9, 0.1, 0.2, 0.7], [4, 1]));
    expect(auto.result()).toBeCloseTo(6 / 8, 12);
  });

  test('names and objects', () => {
    const names: Array<[string, new (...a: never[]) => M.Metric]> = [
      ['binary_accuracy', M.BinaryAccuracy], ['categoricalAccuracy', M.CategoricalAccuracy],
      ['sparse_categorical_accuracy', M.SparseCategoricalAccuracy], ['topKCategoricalAccuracy', M.TopKCategoricalAccuracy],
      ['sparse_top_k_categorical_accuracy', M.SparseTopKCategoricalAccuracy], ['precision', M.Precision],
      ['recall', M.Recall], ['f1', M.F1Score], ['mse', M.MeanSquaredError], ['mean_absolute_error', M.MeanAbsoluteError],
    ];
    for (const [name, cls] of names) {
      const m = M.getMetric(name);
      expect(m, name).toBeInstanceOf(cls);
      expect(m.name).toBe(name);
    }
    const own = M.precision({ classes: 4, name: 'macro_p' });
    expect(M.getMetric(own)).toBe(own);
    expect(() => M.getMetric('auc_roc')).toThrow(ArgumentError);
    expect(() => M.getMetric(5 as unknown as string)).toThrow(ArgumentError);
  });
});
