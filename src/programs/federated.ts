/**
 * Federated learning on MNIST: the training images split among simulated clients (IID, by a
 * Dirichlet over labels, or McMahan's two-digit shards), a small MLP (784-32-10) trained round by
 * round with a chosen server strategy, the global model scored on the test images after every
 * round. Optional poisoned clients and DP-FedAvg. With `compare`, also runs several strategies
 * side by side with centralised training of the same total epochs, and FedAvg against the robust
 * aggregators with a share of poisoned clients, and charts both.
 */
import path from 'node:path';
import { layers, loadMnist, manualSeed, sequential, type Sequential } from '../index.js';
import type { Attack } from '../federated/client.js';
import { dirichletPartition, iidPartition, labelCounts, shardPartition } from '../federated/partition.js';
import { getWeights, setWeights, type Weights } from '../federated/parameters.js';
import { runCentralised, runSimulation, type RoundRecord, type SimulationData } from '../federated/simulation.js';
import { DpFedAvg, makeStrategy, type Strategy, type StrategyName } from '../federated/strategies.js';
import { lineChart } from '../plot/index.js';

export type PartitionName = 'iid' | 'dirichlet' | 'shards';
export const PARTITION_NAMES: readonly PartitionName[] = ['iid', 'dirichlet', 'shards'];

export interface FederatedMnistOptions {
  /** Output folder for the charts (default out/federated). */
  readonly out?: string;
  readonly seed?: number;
  /** A quick run: 10,000 training and 2,000 test images, 3 rounds (tests use it). */
  readonly fast?: boolean;
  readonly clients?: number;
  readonly rounds?: number;
  readonly partition?: PartitionName;
  /** Dirichlet concentration (default 0.5). */
  readonly alpha?: number;
  readonly strategy?: StrategyName;
  /** Share of clients per round (default 1). */
  readonly fraction?: number;
  readonly localEpochs?: number;
  readonly batchSize?: number;
  /** Local SGD learning rate (default 0.1). */
  readonly learningRate?: number;
  /** Hidden units of the MLP (default 32). */
  readonly hidden?: number;
  /** FedProx's μ (default 0.01). */
  readonly mu?: number;
  /** FedAdam/FedYogi/FedAdagrad's server learning rate (default 0.1). */
  readonly serverLearningRate?: number;
  /** f for Krum / Multi-Krum (default: the number of poisoned clients, at least 1). */
  readonly byzantine?: number;
  /** Poisoned clients (default 0). */
  readonly poisoned?: number;
  readonly attack?: Attack;
  /** DP-FedAvg's noise multiplier σ and clip norm C (both or neither; FedAvg only). */
  readonly dpNoise?: number;
  readonly dpClip?: number;
  /** δ for the privacy report (default 1e-5). */
  readonly dpDelta?: number;
  readonly dropout?: number;
  readonly straggler?: number;
  /** Worker threads (default: CPU count; 0 trains in this thread). */
  readonly workers?: number;
  /** Training / test images to use (default all; fast 10,000 / 2,000). */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Also run the comparisons and chart them. */
  readonly compare?: boolean;
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
}

/** One curve: test accuracy after each round. */
export interface Curve {
  readonly name: string;
  readonly accuracy: readonly number[];
}

export interface FederatedMnistResult {
  readonly strategy: string;
  readonly partition: PartitionName;
  readonly clients: number;
  readonly rounds: number;
  readonly history: readonly RoundRecord[];
  readonly finalAccuracy: number;
  readonly poisonedClients: readonly number[];
  readonly workers: number;
  /** Mean wall time of a round. */
  readonly secondsPerRound: number;
  /** DP-FedAvg's (ε, δ), when it ran. */
  readonly privacy?: { readonly epsilon: number; readonly delta: number; readonly noiseMultiplier: number; readonly clipNorm: number };
  /** With compare: strategies and centralised side by side, and the poisoned runs. */
  readonly comparison?: { readonly clean: readonly Curve[]; readonly poisoned: readonly Curve[]; readonly poisonedClients: number };
  readonly files: readonly string[];
  readonly seconds: number;
}

function makeModel(hidden: number): Sequential {
  return sequential([
    layers.dense({ units: hidden, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

/** Runs federated MNIST as configured; see FederatedMnistOptions. */
export async function runFederatedMnist(options: FederatedMnistOptions = {}): Promise<FederatedMnistResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const fast = options.fast ?? false;
  const out = options.out ?? path.join('out', 'federated');
  const seed = options.seed ?? 1;
  const clients = options.clients ?? 10;
  const rounds = options.rounds ?? (fast ? 3 : 20);
  const partitionName = options.partition ?? (options.alpha !== undefined ? 'dirichlet' : 'iid');
  const alpha = options.alpha ?? 0.5;
  const strategyName: StrategyName = options.strategy ?? 'fedavg';
  const localEpochs = options.localEpochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const learningRate = options.learningRate ?? 0.1;
  const hidden = options.hidden ?? 32;
  const poisoned = options.poisoned ?? 0;
  const attack = options.attack ?? 'signflip';
  const fraction = options.fraction ?? 1;
  const trainLimit = options.trainLimit ?? (fast ? 10_000 : undefined);
  const testLimit = options.testLimit ?? (fast ? 2_000 : undefined);
  if ((options.dpNoise === undefined) !== (options.dpClip === undefined)) throw new RangeError('DP-FedAvg needs both the noise multiplier and the clip norm');
  const dp = options.dpNoise !== undefined && options.dpClip !== undefined;
  if (dp && strategyName !== 'fedavg') throw new RangeError(`DP-FedAvg replaces FedAvg; it does not combine with the '${strategyName}' strategy`);

  const mnist = await loadMnist(options.dataDir, { trainLimit, testLimit });
  const train: SimulationData = { images: mnist.train.images.data, labels: mnist.train.labels, features: 784 };
  const test: SimulationData = { images: mnist.test.images.data, labels: mnist.test.labels, features: 784 };
  const partitions = partitionName === 'iid'
    ? iidPartition(train.labels.length, clients, seed)
    : partitionName === 'dirichlet'
      ? dirichletPartition(train.labels, clients, { alpha, seed })
      : shardPartition(train.labels, clients, { seed });
  const counts = labelCounts(train.labels, partitions, 10);
  const classesPerClient = counts.map((row) => row.filter((c) => c > 0).length);
  const sizes = partitions.map((p) => p.length);
  log(`Federated learning on MNIST: ${clients} clients share ${train.labels.length.toLocaleString('en-US')} training images (${partitionName}${partitionName === 'dirichlet' ? `, α = ${alpha}` : ''}): `
    + `${Math.min(...sizes)}–${Math.max(...sizes)} images and ${Math.min(...classesPerClient)}–${Math.max(...classesPerClient)} digits each.`);
  log(`Model 784-${hidden}-10; each round ${Math.max(1, Math.round(fraction * clients))} clients train ${localEpochs} local epoch${localEpochs === 1 ? '' : 's'} of SGD (batch ${batchSize}, learning rate ${learningRate}) from the global weights.`);

  manualSeed(seed);
  const model = makeModel(hidden);
  const initial = getWeights(model);
  const perRound = Math.max(1, Math.round(fraction * clients));
  const makeNamed = (name: StrategyName): Strategy => makeStrategy(name, {
    byzantine: options.byzantine ?? Math.max(1, poisoned), trimBeta: 0.2, mu: options.mu, serverLearningRate: options.serverLearningRate,
  });
  const strategy: Strategy = dp
    ? new DpFedAvg({ clipNorm: options.dpClip!, noiseMultiplier: options.dpNoise!, clientsPerRound: perRound, totalClients: clients, seed })
    : makeNamed(strategyName);
  const common = {
    train, test, partitions, rounds, fraction, localEpochs, batchSize, learningRate, seed,
    dropoutProbability: options.dropout, stragglerProbability: options.straggler, workers: options.workers, attack,
  };
  const delta = options.dpDelta ?? 1e-5;
  log(`Strategy ${strategy.name}${poisoned > 0 ? `, ${poisoned} poisoned client${poisoned === 1 ? '' : 's'} (${attack})` : ''}${dp ? `, clip C = ${options.dpClip}, noise σ = ${options.dpNoise}` : ''}.`);
  const result = await runSimulation({
    ...common, model, strategy, poisoned,
    onRound: (r) => {
      const extra = [
        `${r.accepted.length}/${r.sampled.length} clients used`,
        r.rejected.length > 0 ? `${r.rejected.length} rejected` : '',
        r.dropped.length > 0 ? `${r.dropped.length} dropped out` : '',
        r.stragglers.length > 0 ? `${r.stragglers.length} straggling` : '',
        r.failed.length > 0 ? `${r.failed.length} failed` : '',
        strategy instanceof DpFedAvg ? `ε = ${strategy.privacySpent(delta).epsilon.toFixed(2)}` : '',
      ].filter((s) => s !== '').join(', ');
      log(`  round ${String(r.round).padStart(String(rounds).length)}/${rounds}: test accuracy ${pct(r.testAccuracy)} (loss ${r.testLoss.toFixed(4)}), ${extra}, ${r.seconds.toFixed(2)} s`);
    },
  });
  const finalAccuracy = result.history.at(-1)?.testAccuracy ?? result.initialAccuracy;
  const secondsPerRound = result.history.length === 0 ? 0 : result.history.reduce((s, r) => s + r.seconds, 0) / result.history.length;
  log(`Final test accuracy ${pct(finalAccuracy)} after ${rounds} rounds (${secondsPerRound.toFixed(2)} s a round on ${result.workers === 0 ? 'this thread' : `${result.workers} worker threads`}).`);
  let privacy: FederatedMnistResult['privacy'];
  if (strategy instanceof DpFedAvg) {
    const spent = strategy.privacySpent(delta);
    privacy = { epsilon: spent.epsilon, delta, noiseMultiplier: strategy.noiseMultiplier, clipNorm: strategy.clipNorm };
    log(`Privacy: (ε = ${spent.epsilon.toFixed(3)}, δ = ${delta}) client-level DP after ${rounds} rounds (q = ${strategy.samplingRate.toFixed(3)}, σ = ${strategy.noiseMultiplier}; RDP accountant, best order ${spent.order}).`);
  }

  const files: string[] = [];
  let comparison: FederatedMnistResult['comparison'];
  if (options.compare === true) {
    const rerun = async (name: StrategyName, k: number): Promise<number[]> => {
      setWeights(model, initial);
      const r = await runSimulation({ ...common, model, strategy: makeNamed(name), poisoned: k });
      return r.history.map((h) => h.testAccuracy);
    };
    log('');
    log(`Comparing strategies on the same clients (${partitionName}), and centralised training for ${rounds * localEpochs} epochs:`);
    const clean: Curve[] = [];
    for (const name of ['fedavg', 'fedprox', 'fedadam', 'fedyogi', 'median', 'krum'] as StrategyName[]) {
      const acc = name === strategyName && poisoned === 0 && !dp ? result.history.map((h) => h.testAccuracy) : await rerun(name, 0);
      clean.push({ name, accuracy: acc });
      log(`  ${name.padEnd(12)} ${acc.map((a) => pct(a)).join(' ')}`);
    }
    setWeights(model, initial);
    const central = await runCentralised({ model, train, test, epochs: rounds * localEpochs, batchSize, learningRate, seed });
    // Epoch e of centralised training is as much data as round e / E.
    const centralCurve: Curve = { name: 'centralised', accuracy: central.accuracies };
    log(`  ${'centralised'.padEnd(12)} ${central.accuracies.map((a) => pct(a)).join(' ')}`);
    const k = poisoned > 0 ? poisoned : Math.max(1, Math.round(clients / 5));
    log('');
    log(`With ${k} of ${clients} clients poisoned (${attack}):`);
    const bad: Curve[] = [];
    for (const name of ['fedavg', 'median', 'krum'] as StrategyName[]) {
      const acc = await rerun(name, k);
      bad.push({ name, accuracy: acc });
      log(`  ${name.padEnd(12)} ${acc.map((a) => pct(a)).join(' ')}`);
    }
    const x = Array.from({ length: rounds }, (_, i) => i + 1);
    files.push(await lineChart({
      title: `Federated MNIST (${clients} clients, ${partitionName}${partitionName === 'dirichlet' ? ` α=${alpha}` : ''}): test accuracy by round`,
      file: path.join(out, 'strategies.svg'), xLabel: 'round (centralised: epochs ÷ local epochs)', yLabel: 'test accuracy',
      series: [
        ...clean.map((c) => ({ name: c.name, x, y: [...c.accuracy] })),
        { name: 'centralised', x: central.accuracies.map((_, i) => (i + 1) / localEpochs), y: central.accuracies },
      ],
    }));
    files.push(await lineChart({
      title: `Federated MNIST with ${k} of ${clients} clients poisoned (${attack}): test accuracy by round`,
      file: path.join(out, 'poisoned.svg'), xLabel: 'round', yLabel: 'test accuracy',
      series: bad.map((c) => ({ name: c.name, x, y: [...c.accuracy] })),
    }));
    comparison = { clean: [...clean, centralCurve], poisoned: bad, poisonedClients: k };
    log('');
    log('Wrote the charts:');
    for (const f of files) log(`  ${f}`);
  }
  setWeights(model, result.weights as Weights);
  return {
    strategy: strategy.name, partition: partitionName, clients, rounds, history: result.history, finalAccuracy,
    poisonedClients: result.poisonedClients, workers: result.workers, secondsPerRound,
    ...(privacy === undefined ? {} : { privacy }), ...(comparison === undefined ? {} : { comparison }),
    files, seconds: (performance.now() - started) / 1000,
  };
}
