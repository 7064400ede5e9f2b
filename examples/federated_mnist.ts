/**
 * Federated learning on MNIST with the library API: 20 clients whose digits follow a
 * Dirichlet(0.5) split, a 784-32-10 MLP, 10 rounds of FedAvg with half the clients sampled each
 * round, then the same with 4 clients sending sign-flipped updates, aggregated by FedAvg and by
 * the coordinate-wise median; finally the (ε, δ) of DP-FedAvg for the same schedule.
 *
 *   node --import tsx examples/federated_mnist.ts [rounds]
 *
 * The command line version with charts is `dendrite federated mnist --compare`.
 */
import { federated, layers, loadMnist, manualSeed, sequential } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`usage: federated_mnist [rounds ≥ 1]; got '${process.argv[2]}'`);
  process.exit(2);
}

const mnist = await loadMnist();
const train = { images: mnist.train.images.data, labels: mnist.train.labels, features: 784 };
const test = { images: mnist.test.images.data, labels: mnist.test.labels, features: 784 };
const partitions = federated.dirichletPartition(train.labels, 20, { alpha: 0.5, seed: 1 });

manualSeed(1);
const model = sequential([
  layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
  layers.dense({ units: 10, activation: 'softmax' }),
]);
const start = federated.getWeights(model);

async function run(label: string, strategy: federated.Strategy, poisoned = 0): Promise<void> {
  federated.setWeights(model, start);
  const r = await federated.runSimulation({
    model, train, test, partitions, strategy, rounds, fraction: 0.5, localEpochs: 1, learningRate: 0.1, poisoned, seed: 1,
  });
  const acc = r.history.map((h) => `${(h.testAccuracy * 100).toFixed(1)}%`).join(' ');
  console.log(`${label.padEnd(28)} ${acc}  (${(r.seconds / rounds).toFixed(2)} s a round, ${r.workers} worker threads)`);
}

console.log(`Test accuracy after each of ${rounds} rounds (20 clients, Dirichlet α = 0.5, 10 sampled a round):`);
await run('FedAvg', new federated.FedAvg());
await run('FedAvg, 4 poisoned', new federated.FedAvg(), 4);
await run('median, 4 poisoned', new federated.CoordinateMedian(), 4);

const eps = federated.computeDpEpsilon(10 / 20, 1.0, rounds, 1e-5);
console.log(`DP-FedAvg with σ = 1 and this schedule (q = 0.5, ${rounds} rounds) would spend ε = ${eps.epsilon.toFixed(2)} at δ = 1e-5.`);
