/**
 * Linear regression by gradient descent: noisy samples of y = 2x + 3, a model y = w·x + b with
 * w and b as tensors that record their gradients, mean squared error, and plain SGD.
 */
import { join } from 'node:path';
import { meanSquaredError } from '../losses.js';
import { SGD } from '../optim/sgd.js';
import { lineChart, scatterChart } from '../plot/index.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';

export interface LinearRegressionOptions {
  /** Folder for the charts (default out/linear-regression). */
  readonly out?: string;
  /** Seed of the data (default 1). */
  readonly seed?: number;
  /** Fewer gradient steps (tests). */
  readonly fast?: boolean;
  /** Gradient steps (default 300, fast 150). */
  readonly steps?: number;
  /** Learning rate (default 0.1). */
  readonly learningRate?: number;
  /** Where the explanation and results go (default console.log). */
  readonly log?: (line: string) => void;
}

export interface LinearRegressionResult {
  readonly trueW: number;
  readonly trueB: number;
  /** Learnt slope and intercept. */
  readonly w: number;
  readonly b: number;
  /** Ordinary least-squares solution on the same sample (the best any method can do on it). */
  readonly leastSquares: { readonly w: number; readonly b: number };
  readonly samples: number;
  /** Mean squared error after each step. */
  readonly losses: number[];
  readonly finalLoss: number;
  /** Charts written: data with the fitted line, then the loss curve. */
  readonly files: string[];
}

const TRUE_W = 2;
const TRUE_B = 3;
const NOISE = 0.4;
const SAMPLES = 200;

/** Fits y = w·x + b to noisy samples of y = 2x + 3 and draws the fit and the loss curve. */
export async function runLinearRegression(options: LinearRegressionOptions = {}): Promise<LinearRegressionResult> {
  const out = options.out ?? join('out', 'linear-regression');
  const log = options.log ?? ((line: string) => console.log(line));
  const steps = options.steps ?? (options.fast ? 150 : 300);
  const lr = options.learningRate ?? 0.1;
  const rng = new Random(options.seed ?? 1);

  log('Linear regression: the smallest model that learns. We draw 200 points from the line');
  log(`y = ${TRUE_W}x + ${TRUE_B}, add Gaussian noise (σ = ${NOISE}), and ask a model y = w·x + b, starting`);
  log('from w = b = 0, to find the line again by gradient descent: autograd computes how the mean');
  log('squared error changes with w and b, and SGD steps both against that gradient.');
  log('');

  const xs = new Float32Array(SAMPLES);
  const ys = new Float32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    xs[i] = rng.uniformRange(-2, 2);
    ys[i] = TRUE_W * xs[i]! + TRUE_B + NOISE * rng.normal();
  }
  const x = new Tensor(xs, [SAMPLES, 1]);
  const y = new Tensor(ys, [SAMPLES, 1]);
  const w = new Tensor(new Float32Array(1), [1], true);
  const b = new Tensor(new Float32Array(1), [1], true);
  const opt = new SGD([w, b], { learningRate: lr });

  const losses: number[] = [];
  const every = Math.max(1, Math.floor(steps / 6));
  for (let step = 0; step < steps; step++) {
    const loss = meanSquaredError(y, x.mul(w).add(b));
    loss.backward();
    opt.step();
    opt.zeroGrad();
    losses.push(loss.item());
    if (step % every === 0 || step === steps - 1) {
      log(`  step ${String(step + 1).padStart(4)}  loss ${losses[step]!.toFixed(4)}  w ${w.item().toFixed(4)}  b ${b.item().toFixed(4)}`);
    }
  }

  // The closed-form least-squares line on the same sample, for comparison.
  let mx = 0; let my = 0;
  for (let i = 0; i < SAMPLES; i++) { mx += xs[i]!; my += ys[i]!; }
  mx /= SAMPLES; my /= SAMPLES;
  let sxy = 0; let sxx = 0;
  for (let i = 0; i < SAMPLES; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
  const lsW = sxy / sxx;
  const leastSquares = { w: lsW, b: my - lsW * mx };

  const wl = w.item();
  const bl = b.item();
  log('');
  log(`learnt     w = ${wl.toFixed(4)}, b = ${bl.toFixed(4)}   (truth w = ${TRUE_W}, b = ${TRUE_B}; ` +
    `off by ${Math.abs(wl - TRUE_W).toFixed(3)} and ${Math.abs(bl - TRUE_B).toFixed(3)})`);
  log(`least squares on this noisy sample: w = ${leastSquares.w.toFixed(4)}, b = ${leastSquares.b.toFixed(4)}`);

  const lineX = [-2, 2];
  const files = [
    await scatterChart({
      title: `Linear regression: samples of y = 2x + 3 with noise, learnt line y = ${wl.toFixed(3)}x + ${bl.toFixed(3)}`,
      file: join(out, 'fit.svg'),
      xLabel: 'x',
      yLabel: 'y',
      points: Array.from(xs, (xv, i) => ({ x: xv, y: ys[i]!, group: 'samples' })),
      lines: [
        { name: 'learnt line', x: lineX, y: lineX.map((v) => wl * v + bl) },
        { name: 'true line', x: lineX, y: lineX.map((v) => TRUE_W * v + TRUE_B) },
      ],
    }),
    await lineChart({
      title: 'Linear regression: mean squared error during gradient descent',
      file: join(out, 'loss.svg'),
      xLabel: 'step',
      yLabel: 'mean squared error',
      series: [{ name: 'training loss', x: losses.map((_, i) => i + 1), y: losses }],
    }),
  ];
  log('');
  log(`Charts written to ${out}:`);
  for (const f of files) log(`  ${f}`);
  return {
    trueW: TRUE_W, trueB: TRUE_B, w: wl, b: bl, leastSquares, samples: SAMPLES, losses,
    finalLoss: losses[losses.length - 1]!, files,
  };
}
