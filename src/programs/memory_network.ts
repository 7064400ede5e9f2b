/**
 * The small network of the memory document: 2 inputs → 2 sigmoid hidden units → 1 linear output,
 * learning y = x·[1, 2] + 3. The document derived its gradients by hand and got them wrong; here
 * they come from autograd (and the tests check them against finite differences).
 */
import { join } from 'node:path';
import { noGrad } from '../autograd.js';
import { meanSquaredError } from '../losses.js';
import { sigmoid } from '../ops/activation.js';
import { Adam } from '../optim/adam.js';
import { lineChart } from '../plot/index.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';

export interface MemoryNetworkOptions {
  /** Folder for the chart (default out/memory-network). */
  readonly out?: string;
  /** Seed of the data and the initial weights (default 1). */
  readonly seed?: number;
  /** Fewer steps (tests). */
  readonly fast?: boolean;
  /** Full-batch Adam steps (default 3000, fast 1500). */
  readonly steps?: number;
  /** Adam's learning rate (default 0.05). */
  readonly learningRate?: number;
  /** Where the explanation and results go (default console.log). */
  readonly log?: (line: string) => void;
}

/** The network's weights: hidden layer w1 [2, 2], b1 [2]; output layer w2 [2, 1], b2 [1]. */
export interface MemoryNetworkParams {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
}

export interface MemoryNetworkResult {
  /** Mean squared error before each step. */
  readonly losses: number[];
  /** Mean squared error on the training points after the last step. */
  readonly finalLoss: number;
  /** Mean squared error on new points of the same function. */
  readonly testLoss: number;
  /** A few inputs with the network's prediction and the target. */
  readonly predictions: { readonly x: [number, number]; readonly prediction: number; readonly target: number }[];
  readonly params: MemoryNetworkParams;
  /** Charts written: the loss curve. */
  readonly files: string[];
}

/** The function to learn: y = x0 + 2·x1 + 3. */
export function memoryTarget(x0: number, x1: number): number {
  return x0 + 2 * x1 + 3;
}

/** Fresh weights (small Gaussian values) that record their gradients. */
export function createMemoryNetwork(rng: Random): MemoryNetworkParams {
  const param = (shape: number[]): Tensor => {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = 0.5 * rng.normal();
    return new Tensor(data, shape, true);
  };
  return { w1: param([2, 2]), b1: param([2]), w2: param([2, 1]), b2: param([1]) };
}

/** The forward pass: sigmoid(x·w1 + b1)·w2 + b2, x of shape [n, 2], result [n, 1]. */
export function memoryNetworkForward(p: MemoryNetworkParams, x: Tensor): Tensor {
  return sigmoid(x.matmul(p.w1).add(p.b1)).matmul(p.w2).add(p.b2);
}

/** Mean squared error of the network on (x, y). */
export function memoryNetworkLoss(p: MemoryNetworkParams, x: Tensor, y: Tensor): Tensor {
  return meanSquaredError(y, memoryNetworkForward(p, x));
}

/** Samples n points uniformly in [−1, 1]² with their targets. */
export function memoryData(rng: Random, n: number): { x: Tensor; y: Tensor } {
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = rng.uniformRange(-1, 1);
    x[2 * i + 1] = rng.uniformRange(-1, 1);
    y[i] = memoryTarget(x[2 * i]!, x[2 * i + 1]!);
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]) };
}

/** At most about `max` points of a per-step curve (every k-th step, and the last). */
function thin(name: string, values: readonly number[], max: number): { name: string; x: number[]; y: number[] } {
  const k = Math.max(1, Math.ceil(values.length / max));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < values.length; i += k) { x.push(i + 1); y.push(values[i]!); }
  if (x[x.length - 1] !== values.length && values.length > 0) { x.push(values.length); y.push(values[values.length - 1]!); }
  return { name, x, y };
}

/** Trains the memory document's network on y = x0 + 2·x1 + 3 and draws its loss curve. */
export async function runMemoryNetwork(options: MemoryNetworkOptions = {}): Promise<MemoryNetworkResult> {
  const out = options.out ?? join('out', 'memory-network');
  const log = options.log ?? ((line: string) => console.log(line));
  const steps = options.steps ?? (options.fast ? 1500 : 3000);
  const lr = options.learningRate ?? 0.05;
  const rng = new Random(options.seed ?? 1);

  log('The memory document\'s small network: 2 inputs → 2 sigmoid hidden units → 1 linear output,');
  log('learning y = x·[1, 2] + 3 (that is, y = x0 + 2·x1 + 3) from 64 points in [-1, 1]².');
  log('The document worked its gradients out by hand and got them wrong, so its network never');
  log('learnt. Here autograd differentiates the forward pass (checked against finite differences');
  log('in the tests) and Adam follows the gradient over the whole batch.');
  log('');

  const train = memoryData(rng, 64);
  const test = memoryData(rng, 256);
  const params = createMemoryNetwork(rng);
  const opt = new Adam([params.w1, params.b1, params.w2, params.b2], { learningRate: lr });

  const losses: number[] = [];
  const every = Math.max(1, Math.floor(steps / 10));
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const loss = memoryNetworkLoss(params, train.x, train.y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
    losses.push(loss.item());
    if (step % every === 0) log(`  step ${String(step + 1).padStart(5)}  loss ${losses[step]!.toFixed(6)}`);
  }
  const finalLoss = noGrad(() => memoryNetworkLoss(params, train.x, train.y).item());
  const testLoss = noGrad(() => memoryNetworkLoss(params, test.x, test.y).item());
  log(`  step ${String(steps).padStart(5)}  loss ${finalLoss.toFixed(6)}   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  log('');
  log(`mean squared error: ${finalLoss.toFixed(6)} on the training points, ${testLoss.toFixed(6)} on 256 new points`);

  const probes: [number, number][] = [[0, 0], [1, 0], [0, 1], [-1, 1], [0.5, -0.5], [-0.8, -0.3]];
  const px = new Tensor(Float32Array.from(probes.flat()), [probes.length, 2]);
  const py = noGrad(() => memoryNetworkForward(params, px));
  const predictions = probes.map((x, i) => ({ x, prediction: py.data[i]!, target: memoryTarget(x[0], x[1]) }));
  log('predictions:');
  log('      x0     x1   prediction   target');
  for (const p of predictions) {
    log(`  ${p.x[0].toFixed(2).padStart(6)} ${p.x[1].toFixed(2).padStart(6)} ${p.prediction.toFixed(4).padStart(12)} ${p.target.toFixed(4).padStart(8)}`);
  }

  const files = [
    await lineChart({
      // log10: the loss falls over four orders of magnitude; on a linear axis the tail is flat.
      title: 'Memory document network (2 → 2 sigmoid → 1): training loss, log scale',
      file: join(out, 'loss.svg'),
      xLabel: 'step',
      yLabel: 'log10 of mean squared error',
      series: [thin('training loss', losses.map((l) => Math.log10(l)), 500)],
    }),
  ];
  log('');
  log(`Chart written to ${out}:`);
  for (const f of files) log(`  ${f}`);
  return { losses, finalLoss, testLoss, predictions, params, files };
}
