/**
 * Memory across time: an LSTM (layers.lstm, then a dense read-out, Adam) learns two sequence
 * tasks. Remembering: a symbol shown at the first step must be named at the end, after a long run
 * of distractors; predicting: the next value of a sine wave from the last few values.
 */
import path from 'node:path';
import { ValueError } from '../errors.js';
import { adam } from '../optim/index.js';
import * as layers from '../nn/layers/index.js';
import { sequential } from '../nn/sequential.js';
import { lineChart } from '../plot/index.js';
import { Random, manualSeed } from '../random.js';
import { Tensor } from '../tensor.js';

export interface LstmMemoryOptions {
  /** Folder for the charts (default out/lstm-memory). */
  out?: string;
  /** Random seed (default 1). */
  seed?: number;
  /** A quicker run for tests: fewer sequences, shorter distractor runs, fewer epochs. */
  fast?: boolean;
  /** Distractor steps between the symbol and the question (default 25, fast 20). */
  distractors?: number;
  /** Training epochs of the recall task (default 10, fast 6). */
  epochs?: number;
  /** Where progress and results go (default console.log). */
  log?: (line: string) => void;
}

export interface LstmMemoryResult {
  readonly recall: {
    /** Symbols to remember. */
    readonly symbols: number;
    /** Steps from the symbol to the answer. */
    readonly sequenceLength: number;
    readonly trainSequences: number;
    /** Accuracy on fresh sequences the network never saw (chance is 1/symbols). */
    readonly testAccuracy: number;
    readonly epochs: number;
    /** Per-epoch training loss and accuracy. */
    readonly loss: number[];
    readonly accuracy: number[];
  };
  readonly sine: {
    /** Mean squared error of one-step predictions on a fresh stretch of the wave. */
    readonly testMse: number;
    readonly window: number;
  };
  /** Trainable parameters of the recall model. */
  readonly parameters: number;
  readonly files: { readonly training: string; readonly sine: string };
}

const SYMBOLS = 4;
const NOISE_SYMBOLS = 4;

/** Sequences of [symbol at t = 0, then distractor symbols], one-hot over SYMBOLS + NOISE_SYMBOLS channels. */
function recallData(count: number, length: number, rng: Random): { xs: Tensor; ys: Int32Array } {
  const c = SYMBOLS + NOISE_SYMBOLS;
  const x = new Float32Array(count * length * c);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const symbol = rng.int(SYMBOLS);
    y[i] = symbol;
    x[(i * length) * c + symbol] = 1;
    for (let t = 1; t < length; t++) x[(i * length + t) * c + SYMBOLS + rng.int(NOISE_SYMBOLS)] = 1;
  }
  return { xs: new Tensor(x, [count, length, c]), ys: y };
}

const wave = (t: number): number => Math.sin(0.25 * t) + 0.5 * Math.sin(0.05 * t);

/** Windows of `window` consecutive values of the wave starting at random offsets, and the next value. */
function sineData(count: number, window: number, start: number, rng: Random): { xs: Tensor; ys: Tensor } {
  const x = new Float32Array(count * window);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = start + rng.uniform() * 200;
    for (let k = 0; k < window; k++) x[i * window + k] = wave(t0 + k);
    y[i] = wave(t0 + window);
  }
  return { xs: new Tensor(x, [count, window, 1]), ys: new Tensor(y, [count, 1]) };
}

/**
 * Trains the two LSTM tasks, prints what happens and the accuracy and error reached, and writes
 * training.svg (loss and accuracy per epoch) and sine.svg (prediction vs truth).
 */
export async function runLstmMemory(options: LstmMemoryOptions = {}): Promise<LstmMemoryResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const out = options.out ?? path.join('out', 'lstm-memory');
  const fast = options.fast ?? false;
  const seed = options.seed ?? 1;
  const distractors = options.distractors ?? (fast ? 20 : 25);
  const epochs = options.epochs ?? (fast ? 6 : 10);
  if (!Number.isSafeInteger(distractors) || distractors < 1) throw new ValueError(`dendrite lstm-memory: distractors must be a positive integer, got ${distractors}`);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new ValueError(`dendrite lstm-memory: epochs must be a positive integer, got ${epochs}`);
  manualSeed(seed);
  const rng = new Random(seed);

  log('An LSTM carries a cell state from step to step, guarded by learnt gates that decide what to');
  log('keep, what to forget and what to show. Task 1: the first step shows one of 4 symbols, then');
  log(`come ${distractors} steps of random distractor symbols; at the end the network must name the first`);
  log('symbol. A plain feed-forward net cannot, and chance is 25%. Task 2: predict the next value of');
  log('a wave from the previous 20 values.');
  log('');

  // ── task 1: remember the first symbol
  const length = distractors + 1;
  const trainCount = fast ? 1024 : 2048;
  const train = recallData(trainCount, length, rng);
  const test = recallData(fast ? 256 : 1000, length, rng);
  const model = sequential([
    layers.lstm({ units: 64, inputShape: [length, SYMBOLS + NOISE_SYMBOLS] }),
    layers.dense({ units: SYMBOLS, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: adam({ learningRate: 0.002 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const parameters = model.countParams();
  log(`Recall task: ${trainCount} training sequences of ${length} steps; LSTM(64) → Dense(4, softmax), ${parameters} parameters, Adam.`);
  const history = await model.fit(train.xs, train.ys, {
    epochs,
    batchSize: 32,
    verbose: 0,
    callbacks: [{ onEpochEnd: (epoch: number, logs?: Record<string, number>) => log(`  epoch ${epoch + 1}/${epochs}  loss ${logs?.['loss']?.toFixed(4)}  accuracy ${((logs?.['accuracy'] ?? 0) * 100).toFixed(1)}%`) }],
  });
  const evaluated = await model.evaluate(test.xs, test.ys, { batchSize: 256 });
  const testAccuracy = evaluated['accuracy'] ?? 0;
  log(`Accuracy on ${test.ys.length} new sequences: ${(testAccuracy * 100).toFixed(1)}% (chance 25%).`);

  const loss = history.history['loss'] ?? [];
  const accuracy = history.history['accuracy'] ?? [];
  const ep = loss.map((_, i) => i + 1);
  const trainingFile = await lineChart({
    file: path.join(out, 'training.svg'),
    title: `LSTM remembering the first of ${length} steps: training`,
    xLabel: 'epoch',
    yLabel: 'loss / accuracy',
    series: [
      { name: 'training loss (cross-entropy)', x: ep, y: loss },
      { name: 'training accuracy', x: ep, y: accuracy },
    ],
  });

  // ── task 2: the next value of a wave
  log('');
  const window = 20;
  const sTrain = sineData(fast ? 512 : 2048, window, 0, rng);
  const sineModel = sequential([
    layers.lstm({ units: 16, inputShape: [window, 1] }),
    layers.dense({ units: 1 }),
  ]);
  sineModel.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
  const sineEpochs = fast ? 4 : 10;
  log(`Wave task: ${sTrain.ys.size} windows of ${window} values, LSTM(16) → Dense(1), ${sineEpochs} epochs…`);
  await sineModel.fit(sTrain.xs, sTrain.ys, {
    epochs: sineEpochs,
    batchSize: 32,
    verbose: 0,
    callbacks: [{ onEpochEnd: (epoch: number, logs?: Record<string, number>) => log(`  epoch ${epoch + 1}/${sineEpochs}  mean squared error ${logs?.['loss']?.toFixed(5)}`) }],
  });
  // A later stretch of the wave, predicted one step ahead from the true previous values.
  const steps = 120;
  const start = 400;
  const x = new Float32Array(steps * window);
  const truth: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < steps; i++) {
    for (let k = 0; k < window; k++) x[i * window + k] = wave(start + i + k);
    truth.push(wave(start + i + window));
    ts.push(start + i + window);
  }
  const predicted = Array.from(sineModel.predict(new Tensor(x, [steps, window, 1])).data);
  const testMse = predicted.reduce((s, p, i) => s + (p - truth[i]!) ** 2, 0) / steps;
  log(`One-step predictions on a stretch of the wave never seen in training: mean squared error ${testMse.toFixed(5)}.`);
  const sineFile = await lineChart({
    file: path.join(out, 'sine.svg'),
    title: 'LSTM predicting the next value of a wave',
    xLabel: 'time step',
    yLabel: 'value',
    series: [
      { name: 'truth', x: ts, y: truth },
      { name: 'LSTM prediction', x: ts, y: predicted },
    ],
  });

  log('');
  log('Charts:');
  log(`  ${trainingFile}`);
  log(`  ${sineFile}`);
  return {
    recall: { symbols: SYMBOLS, sequenceLength: length, trainSequences: trainCount, testAccuracy, epochs: loss.length, loss, accuracy },
    sine: { testMse, window },
    parameters,
    files: { training: trainingFile, sine: sineFile },
  };
}
