/**
 * Small hand-made pieces for the training-loop tests: an MLP model on the `dense` op with its
 * own parameters, a sparse softmax cross-entropy built from core ops and an accuracy metric,
 * so the loop is tested apart from the library's layers, losses and metrics.
 */
import type { Labels, LossOptions } from '../../src/losses.js';
import { dense } from '../../src/ops/matmul.js';
import { SGD } from '../../src/optim/sgd.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import type { Metric } from '../../src/train/metrics.js';
import { Model } from '../../src/train/model.js';

/** A 2-layer MLP (relu hidden layer, linear logits) with seeded weights. */
export class TinyMlp extends Model {
  readonly className = 'TinyMlp';
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
  calls = 0;

  constructor(inF: number, hidden: number, out: number, seed = 1) {
    super({});
    const rng = new Random(seed);
    const init = (n: number, scale: number) => {
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = (rng.uniform() * 2 - 1) * scale;
      return d;
    };
    this.w1 = this.registerParameter('w1', new Tensor(init(inF * hidden, 1 / Math.sqrt(inF)), [inF, hidden]));
    this.b1 = this.registerParameter('b1', new Tensor(new Float32Array(hidden), [hidden]));
    this.w2 = this.registerParameter('w2', new Tensor(init(hidden * out, 1 / Math.sqrt(hidden)), [hidden, out]));
    this.b2 = this.registerParameter('b2', new Tensor(new Float32Array(out), [out]));
    this.built = true;
  }

  protected call(x: Tensor): Tensor {
    this.calls++;
    return dense(dense(x, this.w1, this.b1, 'relu'), this.w2, this.b2);
  }
}

/**
 * Mean over the batch of −w·log softmax(logits)[label], labels as Int32Array; sample weights
 * scale each sample (Keras' sum over batch size).
 */
export function sparseCE(yTrue: Labels, yPred: Tensor, options?: LossOptions): Tensor {
  const labels = yTrue as Int32Array;
  const [n, c] = yPred.shape as [number, number];
  const sel = new Float32Array(n * c);
  const sw = options?.sampleWeight ?? null;
  const w = sw === null ? null : sw instanceof Tensor ? sw.data : sw;
  for (let i = 0; i < n; i++) sel[i * c + labels[i]!] = (w === null ? 1 : w[i]!) / n;
  return yPred.logSoftmax().mul(new Tensor(sel, [n, c])).sum().neg();
}

/** Sparse categorical accuracy over everything since reset, read straight from .data. */
export class Accuracy implements Metric {
  readonly name = 'accuracy';
  private correct = 0;
  private total = 0;

  update(yTrue: Labels, yPred: Tensor): void {
    const labels = yTrue as Int32Array;
    const [n, c] = yPred.shape as [number, number];
    const d = yPred.data;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (d[i * c + k]! > d[i * c + best]!) best = k;
      if (best === labels[i]) this.correct++;
    }
    this.total += n;
  }

  result(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/**
 * Three Gaussian blobs in 2-D (classes 0, 1, 2), interleaved so any split has all classes.
 */
export function blobs(n: number, seed = 7): { x: Tensor; y: Int32Array } {
  const rng = new Random(seed);
  const centres = [[2, 0], [-1, 1.7], [-1, -1.7]];
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    x[i * 2] = centres[c]![0]! + rng.normal() * 0.5;
    x[i * 2 + 1] = centres[c]![1]! + rng.normal() * 0.5;
  }
  return { x: new Tensor(x, [n, 2]), y };
}

/** A compiled TinyMlp for the blobs problem. */
export function compiledMlp(seed = 1, lr = 0.1): TinyMlp {
  const model = new TinyMlp(2, 8, 3, seed);
  model.compile({ optimizer: new SGD({ learningRate: lr }), loss: sparseCE, metrics: [new Accuracy()] });
  return model;
}

/** Copies of the parameters' values, in order. */
export function snapshot(model: Model): Float32Array[] {
  return model.parameters().map((p) => new Float32Array(p.data));
}

/** A stream that records what is written; `isTTY` selects the bar path of the progress logger. */
export class FakeStream {
  text = '';
  columns = 160;
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
