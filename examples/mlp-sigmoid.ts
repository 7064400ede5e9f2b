/**
 * The activations document's feedforward MLP on MNIST: 784 pixels → 128 sigmoid units → 10-way
 * softmax, trained on mini-batches of 32 with Adam.
 *
 *   node --import tsx examples/mlp-sigmoid.ts [output dir]      (also: dendrite mlp-sigmoid)
 *
 * Prints what it does, a line per epoch and the test accuracy, and writes the learning curve
 * (loss.svg, accuracy.svg) to the output directory (default out/mlp-sigmoid).
 */
import { runMlpSigmoid } from '../src/programs/mlp_sigmoid.js';

await runMlpSigmoid({ out: process.argv[2] ?? 'out/mlp-sigmoid', log: (line) => console.log(line) });
