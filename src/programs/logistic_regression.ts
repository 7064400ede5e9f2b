/**
 * Logistic regression: two Gaussian clouds in the plane, one Dense unit with a sigmoid trained
 * with binary cross-entropy (Keras style: compile, fit, predict), and the line where the model is
 * undecided, w·x + b = 0, drawn over the points.
 */
import { join } from 'node:path';
import { noGrad } from '../autograd.js';
import { dense } from '../nn/layers/index.js';
import { sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { lineChart, scatterChart } from '../plot/index.js';
import { Random, manualSeed } from '../random.js';
import { Tensor } from '../tensor.js';

export interface LogisticRegressionOptions {
  /** Folder for the charts (default out/logistic-regression). */
  readonly out?: string;
  /** Seed of the data, the initial weights and the shuffling (default 1). */
  readonly seed?: number;
  /** Fewer samples and epochs (tests). */
  readonly fast?: boolean;
  /** Training epochs (default 40, fast 20). */
  readonly epochs?: number;
  /** Where the explanation and results go (default console.log). */
  readonly log?: (line: string) => void;
}

export interface LogisticRegressionResult {
  /** Fraction of held-out points classified correctly. */
  readonly testAccuracy: number;
  readonly trainAccuracy: number;
  readonly trainSamples: number;
  readonly testSamples: number;
  /** The learnt weights w (2) and bias b: class 1 where w·x + b > 0. */
  readonly w: [number, number];
  readonly b: number;
  /** Binary cross-entropy after each epoch. */
  readonly losses: number[];
  /** Charts written: points with the boundary, then the loss curve. */
  readonly files: string[];
}

/** Class means; both classes have unit variance in each direction. */
const MEANS: readonly (readonly [number, number])[] = [[-2, -1], [2, 1]];

function gaussianClasses(rng: Random, perClass: number): { x: Tensor; y: Tensor; labels: Int32Array } {
  const n = perClass * 2;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    x[2 * i] = MEANS[c]![0] + rng.normal();
    x[2 * i + 1] = MEANS[c]![1] + rng.normal();
    y[i] = c;
    labels[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]), labels };
}

function accuracy(p: Tensor, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if ((p.data[i]! > 0.5 ? 1 : 0) === labels[i]) right++;
  return right / labels.length;
}

/** The part of the line w0·x + w1·y + b = 0 inside the box, as a polyline. */
function boundaryLine(w: [number, number], b: number, box: { x0: number; x1: number; y0: number; y1: number }): { x: number[]; y: number[] } {
  const [w0, w1] = w;
  if (Math.abs(w1) < 1e-9) {
    const xv = -b / w0;
    return { x: [xv, xv], y: [box.y0, box.y1] };
  }
  const xsOut: number[] = [];
  const ysOut: number[] = [];
  const steps = 200;
  for (let i = 0; i <= steps; i++) {
    const xv = box.x0 + ((box.x1 - box.x0) * i) / steps;
    const yv = -(w0 * xv + b) / w1;
    if (yv >= box.y0 && yv <= box.y1) { xsOut.push(xv); ysOut.push(yv); }
  }
  return { x: xsOut, y: ysOut };
}

/** Trains a logistic model on two Gaussian classes and draws the points and the decision boundary. */
export async function runLogisticRegression(options: LogisticRegressionOptions = {}): Promise<LogisticRegressionResult> {
  const out = options.out ?? join('out', 'logistic-regression');
  const log = options.log ?? ((line: string) => console.log(line));
  const fast = options.fast ?? false;
  const perClass = fast ? 150 : 300;
  const epochs = options.epochs ?? (fast ? 20 : 40);
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  manualSeed(seed); // initial weights and shuffling

  log('Logistic regression: a single neuron that separates two classes. The points of class 0');
  log(`are drawn around (${MEANS[0]!.join(', ')}) and those of class 1 around (${MEANS[1]!.join(', ')}), both with`);
  log('unit variance. The model p = sigmoid(w·x + b) is one Dense unit with a sigmoid, trained with');
  log('binary cross-entropy; it predicts class 1 where p > 0.5, i.e. on one side of the straight');
  log('line w·x + b = 0, its decision boundary.');
  log('');

  const train = gaussianClasses(rng, perClass);
  const test = gaussianClasses(rng, perClass);
  const model = sequential([dense({ units: 1, activation: 'sigmoid', inputShape: [2] })]);
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
  const history = await model.fit(train.x, train.y, {
    epochs, batchSize: 32, verbose: 0,
    callbacks: {
      onEpochEnd(epoch: number, logs?: Record<string, number>) {
        if (epoch % 5 === 0 || epoch === epochs - 1) log(`  epoch ${String(epoch + 1).padStart(3)}  loss ${logs?.loss?.toFixed(4) ?? '?'}`);
      },
    },
  });
  const losses = history.history.loss ?? [];

  const [kernel, bias] = model.parameters();
  const w: [number, number] = [kernel!.data[0]!, kernel!.data[1]!];
  const b = bias!.data[0]!;
  const trainAccuracy = accuracy(noGrad(() => model.predict(train.x)), train.labels);
  const testAccuracy = accuracy(noGrad(() => model.predict(test.x)), test.labels);
  log('');
  log(`learnt boundary: ${w[0].toFixed(3)}·x + ${w[1].toFixed(3)}·y + ${b.toFixed(3)} = 0`);
  log(`accuracy: ${(trainAccuracy * 100).toFixed(1)}% on the ${train.labels.length} training points, ` +
    `${(testAccuracy * 100).toFixed(1)}% on ${test.labels.length} new points`);

  const box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
  for (let i = 0; i < train.labels.length; i++) {
    const px = train.x.data[2 * i]!;
    const py = train.x.data[2 * i + 1]!;
    box.x0 = Math.min(box.x0, px); box.x1 = Math.max(box.x1, px);
    box.y0 = Math.min(box.y0, py); box.y1 = Math.max(box.y1, py);
  }
  const line = boundaryLine(w, b, box);
  const files = [
    await scatterChart({
      title: `Logistic regression: two Gaussian classes and the boundary ${w[0].toFixed(2)}·x₀ + ${w[1].toFixed(2)}·x₁ + ${b.toFixed(2)} = 0 (test accuracy ${(testAccuracy * 100).toFixed(1)}%)`,
      file: join(out, 'boundary.svg'),
      xLabel: 'x₀',
      yLabel: 'x₁',
      points: Array.from(train.labels, (c, i) => ({
        x: train.x.data[2 * i]!, y: train.x.data[2 * i + 1]!, group: `class ${c}`,
      })),
      lines: [{ name: 'boundary', x: line.x, y: line.y }],
    }),
    await lineChart({
      title: 'Logistic regression: binary cross-entropy per epoch',
      file: join(out, 'loss.svg'),
      xLabel: 'epoch',
      yLabel: 'binary cross-entropy',
      series: [{ name: 'training loss', x: losses.map((_, i) => i + 1), y: losses }],
    }),
  ];
  log('');
  log(`Charts written to ${out}:`);
  for (const f of files) log(`  ${f}`);
  return {
    testAccuracy, trainAccuracy, trainSamples: train.labels.length, testSamples: test.labels.length,
    w, b, losses, files,
  };
}
