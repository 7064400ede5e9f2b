/**
 * The main job: handwritten digit recognition on real MNIST.
 *
 *   node --import tsx examples/train-mnist.ts [mlp | mlp-large | cnn]
 *
 * Trains the model (default mlp: the recognition document's 784-32-10 network), prints its
 * summary, progress and test accuracy, saves it to out/mnist-<model>/ with a learning curve and a
 * confusion matrix beside it. `dendrite train mnist --help` lists every option.
 */
import { MODEL_NAMES, type ModelName, trainMnist } from '../src/programs/train_mnist.js';

const model = process.argv[2] ?? 'mlp';
if (!(MODEL_NAMES as readonly string[]).includes(model)) {
  console.error(`usage: train-mnist [${MODEL_NAMES.join(' | ')}]; got '${model}'`);
  process.exit(2);
}
await trainMnist({ model: model as ModelName });
