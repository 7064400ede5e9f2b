/**
 * Digit recognition on real MNIST with the recognition document's model: Dense 32 (relu) on the
 * 784 pixels, then Dense 10 (softmax); Adam, sparse categorical cross-entropy, batch 32.
 *
 *   npm start                     (5 epochs)
 *   node --import tsx examples/mnist-mlp.ts [epochs] [output folder]
 *
 * Prints the model, a progress bar (or a line per epoch), the test accuracy, and saves the
 * trained model (model.json + weights.safetensors) with its learning curve and confusion matrix
 * to <output folder>/mnist-mlp (default out/mnist-mlp). The same program is `dendrite train mnist`.
 */
import { trainMnist } from '../src/programs/train_mnist.js';

const epochs = Number(process.argv[2] ?? 5);
const out = process.argv[3] ?? 'out';
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`usage: mnist-mlp [epochs ≥ 1] [output folder]; got epochs '${process.argv[2]}'`);
  process.exit(2);
}
await trainMnist({ model: 'mlp', epochs, out });
