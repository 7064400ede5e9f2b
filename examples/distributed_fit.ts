/**
 * Keras-style data-parallel training: `model.fit(x, y, { distributed: comm })` on every rank of
 * the `local` back end. Each rank trains on its DistributedSampler shard (batchSize is per rank),
 * gradients are averaged every step, and every rank sees the same averaged logs; only rank 0
 * prints progress (and would write ModelCheckpoint files).
 *
 *   node --import tsx examples/distributed_fit.ts [ranks] [epochs]
 *
 * The same as `dendrite train mnist --workers 2`, in a dozen lines.
 */
import { isMainThread } from 'node:worker_threads';
import { Tensor, launchLocal, layers, loadMnist, sequential, type Communicator } from '../src/index.js';

export async function main(comm: Communicator, epochs: number): Promise<number> {
  const { train, test } = await loadMnist(undefined, { layout: 'flat' });
  const n = 20_000;
  const x = new Tensor(train.images.data.subarray(0, n * 784), [n, 784]);
  const model = sequential([
    layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, train.labels.subarray(0, n), { epochs, batchSize: 64, validationSplit: 0.1, verbose: 2, distributed: comm });
  const { accuracy } = await model.evaluate(test.images, test.labels, { batchSize: 1000 });
  return accuracy!;
}

if (isMainThread) {
  const ranks = Number(process.argv[2] ?? 2);
  const epochs = Number(process.argv[3] ?? 3);
  const accuracies = await launchLocal<number, number>({ workers: ranks, module: import.meta.url, data: epochs });
  console.log(`test accuracy on each rank: ${accuracies.map((a) => `${(a * 100).toFixed(2)}%`).join(', ')}`);
}
