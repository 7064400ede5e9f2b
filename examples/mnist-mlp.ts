/**
 * Digit recognition on real MNIST with the recognition document's model: Dense 32 (relu) on the
 * 784 pixels, then Dense 10 (softmax); Adam, sparse categorical cross-entropy, batch 32.
 *
 *   npm start                     (5 epochs)
 *   node --import tsx examples/mnist-mlp.ts [epochs] [output dir]
 *
 * Prints the model, a progress bar (or a line per epoch), the test accuracy, and saves the
 * trained model (model.json + weights.safetensors) to the output directory (default out/mnist-mlp).
 */
import { backendInfo, layers, loadMnist, manualSeed, sequential } from '../src/index.js';

const epochs = Number(process.argv[2] ?? 5);
const outDir = process.argv[3] ?? 'out/mnist-mlp';
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`usage: mnist-mlp [epochs ≥ 1] [output dir]; got epochs '${process.argv[2]}'`);
  process.exit(2);
}

manualSeed(1);
const data = await loadMnist();
console.log(`MNIST: ${data.train.labels.length} training and ${data.test.labels.length} test images; backend ${JSON.stringify(backendInfo())}`);

const model = sequential([
  layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
  layers.dense({ units: 10, activation: 'softmax' }),
]);
model.summary();
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

const t0 = performance.now();
await model.fit(data.train.images, data.train.labels, { epochs, batchSize: 32, validationSplit: 0.1 });
const seconds = (performance.now() - t0) / 1000;
const { loss, accuracy } = await model.evaluate(data.test.images, data.test.labels, { batchSize: 1000 });
console.log(`test loss ${loss!.toFixed(4)}, test accuracy ${(accuracy! * 100).toFixed(2)}% after ${epochs} epochs in ${seconds.toFixed(1)} s`);
await model.save(outDir);
console.log(`saved the model to ${outDir}`);
