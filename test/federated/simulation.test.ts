// The simulation on real MNIST (the first 10,000 training and 5,000 test images): FedAvg over 10
// IID clients reaches centralised accuracy within 3 points in 5 rounds; with 2 of 10 clients
// poisoned FedAvg collapses while the median and Krum stay near the clean accuracy; dropouts,
// stragglers, rejected updates and DP-FedAvg run through whole rounds.
import { beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, layers, loadMnist, manualSeed, sequential, setNumThreads } from '../../src/index.js';
import {
  CoordinateMedian, computeDpEpsilon, DpFedAvg, FedAvg, InProcessRunner, Krum, WorkerPoolRunner, getWeights, iidPartition, runCentralised, runSimulation, setWeights,
  type SimulationData, type Weights,
} from '../../src/federated/index.js';

let train: SimulationData;
let test: SimulationData;
let parts: Int32Array[];
let start: Weights;

function model() {
  const m = sequential([layers.dense({ units: 32, activation: 'relu', inputShape: [784] }), layers.dense({ units: 10, activation: 'softmax' })]);
  setWeights(m, start);
  return m;
}

const SETTINGS = { rounds: 5, localEpochs: 2, batchSize: 32, learningRate: 0.1, seed: 1 } as const;

beforeAll(async () => {
  const mnist = await loadMnist(undefined, { trainLimit: 10_000, testLimit: 5_000 });
  train = { images: mnist.train.images.data, labels: mnist.train.labels, features: 784 };
  test = { images: mnist.test.images.data, labels: mnist.test.labels, features: 784 };
  parts = iidPartition(train.labels.length, 10, 1);
  manualSeed(1);
  start = getWeights(sequential([layers.dense({ units: 32, activation: 'relu', inputShape: [784] }), layers.dense({ units: 10, activation: 'softmax' })]));
});

let cleanAccuracy = NaN;

describe('federated simulation on MNIST', () => {
  it('FedAvg on 10 IID clients (2 worker threads) reaches the centralised accuracy within 3 points in 5 rounds', async () => {
    const central = await runCentralised({ model: model(), train, test, epochs: 5, batchSize: 32, learningRate: 0.1, seed: 1 });
    const r = await runSimulation({ ...SETTINGS, model: model(), train, test, partitions: parts, strategy: new FedAvg(), workers: 2 });
    expect(r.workers).toBe(2);
    expect(r.history).toHaveLength(5);
    const acc = r.history.map((h) => h.testAccuracy);
    cleanAccuracy = acc[4]!;
    const centralAccuracy = central.accuracies[4]!;
    expect(centralAccuracy).toBeGreaterThan(0.88);
    expect(cleanAccuracy).toBeGreaterThanOrEqual(centralAccuracy - 0.03);
    expect(acc[4]).toBeGreaterThan(acc[0]!);
    expect(r.initialAccuracy).toBeLessThan(0.3);
    for (const h of r.history) {
      expect(h.sampled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(h.accepted).toHaveLength(10);
      expect(h.rejected).toEqual([]);
      expect(h.failed).toEqual([]);
      expect(h.clients.every((c) => c.numExamples === 1000 && c.metrics.steps === 2 * 32)).toBe(true);
      expect(h.trainLoss).toBeGreaterThan(0);
    }
    // The same run in this thread gives the same rounds: seeds travel with the jobs, not the threads.
    const inProcess = await runSimulation({ ...SETTINGS, rounds: 2, model: model(), train, test, partitions: parts, strategy: new FedAvg(), workers: 0 });
    expect(inProcess.workers).toBe(0);
    expect(inProcess.history[1]!.testAccuracy).toBeCloseTo(acc[1]!, 2);
  });

  it('with 2 of 10 clients poisoned (sign-flipped ×10), FedAvg collapses while the median and Krum stay near the clean accuracy', async () => {
    expect(Number.isFinite(cleanAccuracy)).toBe(true);
    const run = async (strategy: FedAvg | CoordinateMedian | Krum) => runSimulation({
      ...SETTINGS, model: model(), train, test, partitions: parts, strategy, poisoned: 2, attack: 'signflip', workers: 0,
    });
    const avg = await run(new FedAvg());
    const median = await run(new CoordinateMedian());
    const krum = await run(new Krum({ byzantine: 2 }));
    expect(avg.poisonedClients).toHaveLength(2);
    expect(avg.history[0]!.poisoned).toEqual(avg.poisonedClients);
    const last = (r: typeof avg) => r.history.at(-1)!.testAccuracy;
    expect(last(avg)).toBeLessThan(0.5);
    expect(last(median)).toBeGreaterThanOrEqual(cleanAccuracy - 0.05);
    expect(last(krum)).toBeGreaterThanOrEqual(cleanAccuracy - 0.08);
    // Krum never picks a poisoned client.
    for (const h of krum.history) expect(krum.poisonedClients).not.toContain(h.selected![0]);
  });

  it('a norm bound rejects huge (Gaussian) updates with reasons every round, and training goes on', async () => {
    const r = await runSimulation({
      ...SETTINGS, rounds: 3, localEpochs: 1, model: model(), train, test, partitions: parts, strategy: new FedAvg({ maxUpdateNorm: 50 }),
      poisoned: 3, attack: 'gaussian', workers: 0,
    });
    for (const h of r.history) {
      expect(h.rejected.map((x) => x.kind)).toEqual(['norm', 'norm', 'norm']);
      expect(h.rejected.map((x) => x.clientId).sort()).toEqual([...r.poisonedClients].sort());
      expect(h.accepted).toHaveLength(7);
    }
    expect(r.history.at(-1)!.testAccuracy).toBeGreaterThan(0.8);
  });

  it('samples a fraction of clients; dropouts return nothing, late stragglers are dropped, partial stragglers do fewer steps', async () => {
    const late = await runSimulation({
      ...SETTINGS, rounds: 4, localEpochs: 1, fraction: 0.6, dropoutProbability: 0.25, stragglerProbability: 0.25,
      model: model(), train, test, partitions: parts, strategy: new FedAvg(), workers: 0,
    });
    let dropped = 0;
    let straggled = 0;
    for (const h of late.history) {
      expect(h.sampled).toHaveLength(6);
      const used = new Set([...h.accepted].map(Number));
      for (const c of h.dropped) expect(used.has(c)).toBe(false);
      for (const c of h.stragglers) expect(used.has(c)).toBe(false);
      expect(h.accepted.length + h.dropped.length + h.stragglers.length).toBe(6);
      dropped += h.dropped.length;
      straggled += h.stragglers.length;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(straggled).toBeGreaterThan(0);
    const partial = await runSimulation({
      ...SETTINGS, rounds: 2, localEpochs: 1, stragglerProbability: 0.5, stragglerMode: 'partial',
      model: model(), train, test, partitions: parts, strategy: new FedAvg(), workers: 0,
    });
    let fewer = 0;
    for (const h of partial.history) {
      expect(h.accepted).toHaveLength(10);
      for (const c of h.clients) {
        const steps = c.metrics.steps!;
        if (h.stragglers.includes(c.client)) {
          expect(steps).toBeLessThanOrEqual(32);
          if (steps < 32) fewer++;
        } else expect(steps).toBe(32);
      }
    }
    expect(fewer).toBeGreaterThan(0);
  });

  it('DP-FedAvg trains with clipped, noised updates and reports the (ε, δ) spent', async () => {
    const strategy = new DpFedAvg({ clipNorm: 0.5, noiseMultiplier: 0.1, clientsPerRound: 5, totalClients: 10, seed: 1 });
    const r = await runSimulation({ ...SETTINGS, rounds: 3, localEpochs: 1, fraction: 0.5, model: model(), train, test, partitions: parts, strategy, workers: 0 });
    expect(strategy.accountant.steps).toBe(3);
    const spent = strategy.privacySpent(1e-5);
    expect(spent.epsilon).toBeGreaterThan(0);
    expect(Number.isFinite(spent.epsilon)).toBe(true);
    // q = 5/10 for 3 rounds at σ = 0.1: a weak guarantee (large ε), exactly the accountant's.
    expect(spent.epsilon).toBeCloseTo(computeDpEpsilon(0.5, 0.1, 3, 1e-5).epsilon, 10);
    // Every change (norm > 0.5 after an epoch of local SGD) was clipped to C.
    for (const h of r.history) expect([...h.clipped].sort()).toEqual([...h.accepted].sort());
    expect(r.history.at(-1)!.testAccuracy).toBeGreaterThan(r.initialAccuracy + 0.3);
  });
});

describe('client runners', () => {
  it('in this thread and on worker threads: outcomes in job order, a failing client is a failed outcome, not an exception', async () => {
    const spec = model().serialize();
    const data = { model: spec, images: train.images, labels: train.labels, features: 784, partitions: parts.slice(0, 2) };
    const jobs = () => [
      { client: 1, weights: start.map((w) => w.slice()), config: { epochs: 1, batchSize: 100, seed: 1 } },
      { client: 99, weights: start.map((w) => w.slice()), config: {} },
      { client: 0, weights: start.map((w) => w.slice()), config: { epochs: 1, batchSize: 100, learningRate: -1 } },
      { client: 0, weights: start.map((w) => w.slice()), config: { epochs: 1, batchSize: 100, seed: 1 } },
    ];
    const threads = backendInfo().threads;
    setNumThreads(2);
    const local = new InProcessRunner(data);
    const pool = new WorkerPoolRunner(data, { workers: 2, taskTimeoutMs: 60_000 });
    try {
      for (const runner of [local, pool]) {
        const out = await runner.run(jobs());
        expect(out.map((o) => o.client)).toEqual([1, 99, 0, 0]);
        expect(out.map((o) => o.ok)).toEqual([true, false, false, true]);
        expect(out[1]).toMatchObject({ ok: false, error: 'no client 99' });
        expect(out[2]).toMatchObject({ ok: false });
        expect((out[2] as { error: string }).error).toMatch(/learning ?rate/i);
        expect(out[3]).toMatchObject({ ok: true, numExamples: 1000, metrics: { steps: 10 } });
        if (runner === pool) expect(backendInfo().threads).toBe(1);
      }
      // The same job gives the same parameters in either place.
      const [a] = await local.run([jobs()[0]!]);
      const [b] = await pool.run([jobs()[0]!]);
      expect(a!.ok && b!.ok).toBe(true);
      if (a!.ok && b!.ok) a!.weights.forEach((w, i) => w.forEach((v, j) => expect(b!.weights[i]![j]).toBeCloseTo(v, 5)));
    } finally {
      await local.close();
      await pool.close();
    }
    // The workers set the (process-wide) native pool to 1 thread; closing restores it.
    expect(backendInfo().threads).toBe(2);
    setNumThreads(threads);
    expect((await pool.run(jobs()))[0]).toMatchObject({ ok: false, error: 'the runner is closed' });
  });
});
