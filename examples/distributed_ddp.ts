/**
 * Data-parallel training, PyTorch style, on the `local` back end: two ranks (worker threads of
 * this process) each train a replica of an MLP on their half of every MNIST batch;
 * DistributedDataParallel starts the replicas from rank 0's weights and averages the gradients
 * after each backward pass, so both replicas take the same steps. DistributedSampler gives each
 * rank its shard of a reshuffled order every epoch.
 *
 *   node --import tsx examples/distributed_ddp.ts [ranks] [epochs]
 *
 * This one file is both the launcher (on the main thread) and every rank's program (main()).
 */
import { isMainThread } from 'node:worker_threads';
import {
  Adam, DistributedDataParallel, DistributedSampler, Tensor, launchLocal, layers, loadMnist, losses, manualSeed,
  sequential, type Communicator,
} from '../src/index.js';

const SAMPLES = 12_000;
const BATCH = 64; // per rank

/** One rank: the same program on every rank, on its own shard. */
export async function main(comm: Communicator, epochs: number): Promise<{ rank: number; accuracy: number; syncMs: number }> {
  const { train, test } = await loadMnist(undefined, { layout: 'flat' });
  manualSeed(comm.rank); // different initial weights: DDP replaces them with rank 0's
  const model = sequential([
    layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  const ddp = await DistributedDataParallel.create(model, comm);
  const opt = new Adam(model.parameters(), { learningRate: 1e-3 });
  const sampler = new DistributedSampler(SAMPLES, { worldSize: comm.worldSize, rank: comm.rank, seed: 42 });
  const xs = new Float32Array(BATCH * 784);
  const ys = new Int32Array(BATCH);
  for (let epoch = 0; epoch < epochs; epoch++) {
    sampler.setEpoch(epoch);
    const shard = sampler.indices();
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start + BATCH <= shard.length; start += BATCH) {
      for (let k = 0; k < BATCH; k++) {
        const i = shard[start + k]!;
        xs.set(train.images.data.subarray(i * 784, (i + 1) * 784), k * 784);
        ys[k] = train.labels[i]!;
      }
      const loss = losses.sparseCategoricalCrossentropy(ys, model.forward(new Tensor(xs, [BATCH, 784]), { training: true }));
      loss.backward();
      await ddp.syncGradients(); // every rank's gradient, averaged
      opt.step();
      opt.zeroGrad();
      lossSum += loss.data[0]!;
      steps++;
    }
    const mean = new Float32Array([lossSum / steps]);
    await comm.allreduce(mean, 'mean');
    if (comm.rank === 0) console.log(`epoch ${epoch + 1}/${epochs}: mean loss over the ranks ${mean[0]!.toFixed(4)}`);
  }
  const probs = model.predict(test.images, { batchSize: 1000 });
  let correct = 0;
  for (let i = 0; i < test.labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs.data[i * 10 + c]! > probs.data[i * 10 + best]!) best = c;
    if (best === test.labels[i]) correct++;
  }
  return { rank: comm.rank, accuracy: correct / test.labels.length, syncMs: ddp.stats.syncMs };
}

if (isMainThread) {
  const ranks = Number(process.argv[2] ?? 2);
  const epochs = Number(process.argv[3] ?? 2);
  console.log(`Training on ${SAMPLES.toLocaleString('en-US')} MNIST images with ${ranks} ranks, batch ${BATCH} per rank.`);
  const results = await launchLocal<{ rank: number; accuracy: number; syncMs: number }, number>({ workers: ranks, module: import.meta.url, data: epochs });
  for (const r of results) {
    console.log(`rank ${r.rank}: test accuracy ${(r.accuracy * 100).toFixed(2)}% (identical replicas), ${r.syncMs.toFixed(0)} ms averaging gradients`);
  }
}
