/** Native fused softmax cross-entropy against the reference, on every ISA path. */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import {
  ISAS, compareArrays, expectOpError, native, randomArray, reference, withIsa, withThreads,
} from '../support/kernels.js';

/** [rows, cols]: empty, single, odd widths around every vector width, training batches, wide
 * rows, and one large enough to run on two threads. */
const SHAPES: Array<[number, number]> = [
  [0, 5], [1, 1], [3, 7], [2, 8], [5, 17], [4, 33], [32, 10], [128, 10], [2, 1000], [700, 100],
];

function expectClose(actual: Float32Array, expected: Float32Array, atol: number, rtol: number, what: string): void {
  const r = compareArrays(actual, expected, atol, rtol);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

function labelsFor(rng: Random, rows: number, cols: number): Int32Array {
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = Math.min(cols - 1, Math.floor(rng.uniform() * cols));
  return y;
}

/** A random distribution per row (sums to 1 up to rounding), with some exact zeros. */
function targetFor(rng: Random, rows: number, cols: number): Float32Array {
  const t = randomArray(rng, rows * cols, 0, 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      if ((r + c) % 3 === 0) t[r * cols + c] = 0;
      s += t[r * cols + c]!;
    }
    for (let c = 0; c < cols; c++) t[r * cols + c] = s > 0 ? t[r * cols + c]! / s : 0;
  }
  return t;
}

type Kind = 'labels' | 'target';

function both(
  logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, target: Float32Array | null,
  withGrad: boolean,
): { loss: Float32Array; grad: Float32Array | null; wantLoss: Float32Array; wantGrad: Float32Array | null } {
  const loss = new Float32Array(rows).fill(7);
  const grad = withGrad ? new Float32Array(rows * cols).fill(7) : null;
  const wantLoss = new Float32Array(rows);
  const wantGrad = withGrad ? new Float32Array(rows * cols) : null;
  native.softmaxCrossEntropy(logits, rows, cols, labels, target, loss, grad);
  reference.softmaxCrossEntropy(logits, rows, cols, labels, target, wantLoss, wantGrad);
  return { loss, grad, wantLoss, wantGrad };
}

describe('softmaxCrossEntropy: native against the reference', () => {
  for (const kind of ['labels', 'target'] as Kind[]) {
    for (const [rows, cols] of SHAPES) {
      it(`${kind}, ${rows}×${cols}`, () => {
        const rng = new Random(rows * 1000 + cols);
        const logits = randomArray(rng, rows * cols, -8, 8);
        const labels = kind === 'labels' ? labelsFor(rng, rows, cols) : null;
        const target = kind === 'target' ? targetFor(rng, rows, cols) : null;
        for (const isa of ISAS) {
          for (const threads of [1, 2]) {
            for (const withGrad of [true, false]) {
              const what = `${isa}, ${threads} threads, grad ${withGrad}`;
              const r = withIsa(isa, () => withThreads(threads, () => both(logits, rows, cols, labels, target, withGrad)));
              expectClose(r.loss, r.wantLoss, 1e-5, 1e-5, `${what} loss`);
              if (r.grad) expectClose(r.grad, r.wantGrad!, 1e-6, 1e-5, `${what} grad`);
            }
          }
        }
      });
    }
  }

  it('grad may be logits itself (in place), for one-register and longer rows', () => {
    for (const cols of [10, 19]) {
      const rng = new Random(5 + cols);
      const logits = randomArray(rng, 6 * cols, -5, 5);
      const labels = labelsFor(rng, 6, cols);
      const want = new Float32Array(6 * cols);
      const wantLoss = new Float32Array(6);
      reference.softmaxCrossEntropy(logits, 6, cols, labels, null, wantLoss, want);
      for (const isa of ISAS) {
        const x = logits.slice();
        const loss = new Float32Array(6);
        withIsa(isa, () => native.softmaxCrossEntropy(x, 6, cols, labels, null, loss, x));
        expectClose(loss, wantLoss, 1e-5, 1e-5, `${isa} ${cols} loss`);
        expectClose(x, want, 1e-6, 1e-5, `${isa} ${cols} grad`);
      }
    }
  });
});

describe('softmaxCrossEntropy: values', () => {
  const backends = [
    ...ISAS.map((isa) => ({ name: isa, run: <T>(fn: () => T): T => withIsa(isa, fn) })),
    { name: 'reference', run: <T>(fn: () => T): T => fn() },
  ];
  const call = (
    name: string, logits: number[], cols: number, labels: number[] | null, target: number[] | null,
  ): { loss: Float32Array; grad: Float32Array } => {
    const rows = logits.length / cols;
    const loss = new Float32Array(rows);
    const grad = new Float32Array(logits.length);
    const backend = name === 'reference' ? reference : native;
    backend.softmaxCrossEntropy(
      new Float32Array(logits), rows, cols, labels ? new Int32Array(labels) : null,
      target ? new Float32Array(target) : null, loss, grad,
    );
    return { loss, grad };
  };

  for (const b of backends) {
    it(`hand-computed small case (${b.name})`, () => {
      b.run(() => {
        // logits [1, 2, 3], label 2: ln(e + e² + e³) − 3 = 0.4076059644; softmax 0.0900306,
        // 0.2447285, 0.6652410.
        const r = call(b.name, [1, 2, 3], 3, [2], null);
        expect(r.loss[0]).toBeCloseTo(0.4076059644, 6);
        expectClose(r.grad, new Float32Array([0.09003057, 0.24472847, 0.66524096 - 1]), 1e-6, 0, 'grad');
        // The same with a one-hot target, and a soft target [0.5, 0, 0.5]:
        // ln Σ − (0.5·1 + 0.5·3) = 3.4076059644 − 2.
        expect(call(b.name, [1, 2, 3], 3, null, [0, 0, 1]).loss[0]).toBeCloseTo(0.4076059644, 6);
        const soft = call(b.name, [1, 2, 3], 3, null, [0.5, 0, 0.5]);
        expect(soft.loss[0]).toBeCloseTo(1.4076059644, 6);
        expectClose(soft.grad, new Float32Array([0.09003057 - 0.5, 0.24472847, 0.66524096 - 0.5]), 1e-6, 0, 'soft grad');
      });
    });

    it(`extreme logits stay finite where they should (${b.name})`, () => {
      b.run(() => {
        // ±1e30: the label at the max costs 0, the label at −1e30 costs 2e30.
        const big = call(b.name, [1e30, -1e30, 0, 1e30, -1e30, 0], 3, [0, 1], null);
        expect(big.loss[0]).toBe(0);
        expect(Math.abs(big.loss[1]! - 2e30) / 2e30).toBeLessThan(1e-6);
        expect(Array.from(big.grad)).toEqual([0, 0, 0, 1, -1, 0]);
        // −Inf logits where the label does not point: finite loss, zero probability.
        const ninf = call(b.name, [-Infinity, 2, 3, 2, -Infinity, -Infinity], 3, [2, 0], null);
        expect(ninf.loss[0]).toBeCloseTo(Math.log(Math.exp(-1) + 1), 6);
        expect(ninf.loss[1]).toBe(0);
        expect(ninf.grad[0]).toBe(0);
        expect(Array.from(ninf.grad.subarray(3))).toEqual([0, 0, 0]);
        // The label on a −Inf logit: infinite loss, as the probability is 0.
        expect(call(b.name, [-Infinity, 2, 3], 3, [0], null).loss[0]).toBe(Infinity);
        // Huge logits against a target with zeros on −Inf entries.
        const t = call(b.name, [1e30, -Infinity, 1e30], 3, null, [0.25, 0, 0.75]);
        expect(t.loss[0]).toBeCloseTo(Math.LN2, 6);
        expectClose(t.grad, new Float32Array([0.25, 0, -0.25]), 1e-7, 0, 'target grad');
      });
    });

    it(`NaN and +Inf rows give NaN, other rows are unaffected (${b.name})`, () => {
      b.run(() => {
        const r = call(b.name, [1, NaN, 3, 1, 2, 3, Infinity, 0, 0, -Infinity, -Infinity, -Infinity], 3, [0, 2, 1, 0], null);
        expect(r.loss[0]).toBeNaN();
        expect(r.loss[1]).toBeCloseTo(0.4076059644, 6);
        expect(r.loss[2]).toBeNaN();
        expect(r.loss[3]).toBeNaN();
        for (const i of [0, 1, 2, 6, 7, 8, 9, 10, 11]) expect(r.grad[i]).toBeNaN();
        expect(Number.isFinite(r.grad[4]!)).toBe(true);
        // A NaN in the target poisons its row.
        expect(call(b.name, [1, 2, 3], 3, null, [NaN, 0, 1]).loss[0]).toBeNaN();
      });
    });

    it(`gradient rows sum to 0 (${b.name})`, () => {
      b.run(() => {
        const rng = new Random(9);
        const rows = 40;
        const cols = 23;
        const logits = Array.from(randomArray(rng, rows * cols, -20, 20));
        const labels = Array.from(labelsFor(rng, rows, cols));
        const target = Array.from(targetFor(rng, rows, cols));
        for (const g of [call(b.name, logits, cols, labels, null).grad, call(b.name, logits, cols, null, target).grad]) {
          for (let r = 0; r < rows; r++) {
            let s = 0;
            for (let c = 0; c < cols; c++) s += g[r * cols + c]!;
            expect(Math.abs(s)).toBeLessThan(1e-6);
          }
        }
      });
    });
  }

  it('rows of no columns: logsumexp of nothing is −Inf (target form)', () => {
    for (const b of backends) {
      b.run(() => {
        const loss = new Float32Array(2);
        (b.name === 'reference' ? reference : native).softmaxCrossEntropy(
          new Float32Array(0), 2, 0, null, new Float32Array(0), loss, null,
        );
        expect(Array.from(loss), b.name).toEqual([-Infinity, -Infinity]);
      });
    }
  });
});

describe('softmaxCrossEntropy: argument checks', () => {
  const addon = native.addon;
  const f = (n: number): Float32Array => new Float32Array(n);

  it('a label outside [0, cols) throws a RangeError naming it and its row, before any output', () => {
    for (const bad of [-1, 3, 2 ** 31 - 1]) {
      const loss = new Float32Array([5, 5]);
      const grad = new Float32Array(6).fill(5);
      for (const backend of [native, reference]) {
        let caught: unknown;
        try {
          backend.softmaxCrossEntropy(f(6), 2, 3, new Int32Array([0, bad]), null, loss, grad);
        } catch (err) {
          caught = err;
        }
        expect(caught, backend.name).toBeInstanceOf(RangeError);
        expect((caught as Error).message).toMatch(/^dendrite\.softmaxCrossEntropy: /);
        expect((caught as Error).message).toContain(`label ${bad} in row 1`);
        expect(Array.from(loss)).toEqual([5, 5]);
        expect(Array.from(grad)).toEqual([5, 5, 5, 5, 5, 5]);
      }
    }
  });

  it('rejects wrong lengths, both or neither of labels and target, and overlaps', () => {
    const E = 'softmaxCrossEntropy';
    const y = new Int32Array([0, 1]);
    expectOpError(() => addon.softmaxCrossEntropy(f(5), 2, 3, y, null, f(2), null), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, y, null, f(3), null), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, y, null, f(2), f(5)), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, new Int32Array(3), null, f(2), null), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, null, f(5), f(2), null), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, y, f(6), f(2), null), TypeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, null, null, f(2), null), TypeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, new Float32Array(2) as unknown as Int32Array, null, f(2), null), TypeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2.5, 3, y, null, f(2), null), RangeError, E);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2 ** 40, 2 ** 40, y, null, f(2), null), RangeError, E);
    // Overlaps: grad on the target, loss inside logits or grad, labels on top of loss.
    const t = f(6);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, null, t, f(2), t), RangeError, E);
    const x = f(6);
    expectOpError(() => addon.softmaxCrossEntropy(x, 2, 3, y, null, x.subarray(0, 2), null), RangeError, E);
    const g = f(6);
    expectOpError(() => addon.softmaxCrossEntropy(f(6), 2, 3, y, null, g.subarray(4, 6), g), RangeError, E);
    const shared = new ArrayBuffer(8);
    expectOpError(
      () => addon.softmaxCrossEntropy(f(6), 2, 3, new Int32Array(shared), null, new Float32Array(shared), null), RangeError, E,
    );
    // grad partly over logits (not the same array) is refused; exactly logits is fine.
    const buf = f(8);
    expectOpError(() => addon.softmaxCrossEntropy(buf.subarray(0, 6), 2, 3, y, null, f(2), buf.subarray(2, 8)), RangeError, E);
  });
});
