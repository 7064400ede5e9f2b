/**
 * A dendrite model joins a Flower federated-learning server (flwr 1.12, e.g.
 * test/federated/fixtures/flower_server.py) as one client holding one shard of MNIST.
 *
 *   python3 test/federated/fixtures/flower_server.py 8080 3 &          (FedAvg, waits for 2 clients)
 *   node --import tsx examples/flower_mnist.ts 127.0.0.1:8080 0 2 &
 *   node --import tsx examples/flower_mnist.ts 127.0.0.1:8080 1 2
 *
 * Arguments: server address (default 127.0.0.1:8080), this client's shard index (default 0) and
 * the number of shards (default 2); each shard is 2,000 training and 500 test images.
 */
import { loadMnist } from '../src/data/mnist.js';
import { startFlowerClient } from '../src/federated/flower/client.js';
import { flowerModelClient } from '../src/federated/flower/model_client.js';
import * as layers from '../src/nn/layers/index.js';
import { sequential } from '../src/nn/sequential.js';
import { Tensor } from '../src/tensor.js';

const serverAddress = process.argv[2] ?? '127.0.0.1:8080';
const shard = Number(process.argv[3] ?? 0);
const shards = Number(process.argv[4] ?? 2);
if (!Number.isInteger(shard) || !Number.isInteger(shards) || shard < 0 || shard >= shards) {
  throw new Error(`shard index must be an integer in [0, ${shards}), got ${process.argv[3]}`);
}

const perTrain = 2000;
const perTest = 500;
const data = await loadMnist(undefined, { trainLimit: perTrain * shards, testLimit: perTest * shards });
const px = 784;
const slice = (images: Tensor, labels: Int32Array, per: number): [Tensor, Int32Array] => [
  new Tensor(images.data.slice(shard * per * px, (shard + 1) * per * px), [per, px]),
  labels.slice(shard * per, (shard + 1) * per),
];
const [x, y] = slice(data.train.images, data.train.labels, perTrain);
const [xTest, yTest] = slice(data.test.images, data.test.labels, perTest);

const model = sequential([
  layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
  layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

console.log(`client ${shard}/${shards}: ${perTrain} training and ${perTest} test images, joining ${serverAddress}`);
const summary = await startFlowerClient({ serverAddress, client: flowerModelClient(model, { x, y, xTest, yTest }) });
const { accuracy } = await model.evaluate(xTest, yTest, { batchSize: 1000 });
console.log(`client ${shard}: served ${summary.rounds} rounds and ${summary.evaluations} evaluations; last model's local test accuracy ${((accuracy ?? NaN) * 100).toFixed(1)}%`);
