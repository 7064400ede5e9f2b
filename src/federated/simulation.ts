/**
 * Federated learning simulated in one process: N clients, each with its own slice of a dataset
 * and the same model architecture. Each round the server samples a fraction of the clients
 * (seeded), sends them the global parameters; each trains E local epochs from them (in worker
 * threads or in this thread) and returns its parameters and example count; some sampled clients
 * drop out (return nothing) or straggle (arrive too late and are dropped, or do only part of
 * their local steps); poisoned clients send malicious updates. The strategy aggregates what
 * arrived, and the new global model is evaluated on the test set. Returns one record per round.
 */
import os from 'node:os';
import { ArgumentError, ValueError, describe } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { Random } from '../random.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { evaluateModel, trainEpoch, ATTACKS, type Attack, type LocalData } from './client.js';
import { getWeights, setWeights, type Weights } from './parameters.js';
import { InProcessRunner, WorkerPoolRunner, type ClientJob, type ClientRunner } from './pool.js';
import type { Strategy } from './strategies.js';
import type { Rejection } from './validation.js';

/** A labelled dataset as flat rows. */
export interface SimulationData {
  /** Row-major [rows, features]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly features: number;
}

export interface SimulationOptions {
  /** The architecture (its current parameters are the starting global model). */
  readonly model: Sequential;
  readonly train: SimulationData;
  /** Evaluated after every round. */
  readonly test: SimulationData;
  /** Each client's rows of `train` (see partition.ts). */
  readonly partitions: readonly Int32Array[];
  readonly strategy: Strategy;
  readonly rounds: number;
  /** Share of the clients sampled each round, in (0, 1] (default 1); at least one is sampled. */
  readonly fraction?: number;
  /** Local epochs E (default 1). */
  readonly localEpochs?: number;
  /** Local batch size B (default 32). */
  readonly batchSize?: number;
  /** Local optimiser (default 'sgd'). */
  readonly optimizer?: 'sgd' | 'adam';
  /** Local learning rate (default 0.05 for SGD, 0.001 for Adam). */
  readonly learningRate?: number;
  /** Probability a sampled client returns nothing this round (default 0). */
  readonly dropoutProbability?: number;
  /** Probability a sampled client is a straggler this round (default 0). */
  readonly stragglerProbability?: number;
  /**
   * What a straggler does: 'drop' (its result arrives after the deadline and is not used) or
   * 'partial' (it sends what it has after a random 10–100% of its local steps). Default 'drop'.
   */
  readonly stragglerMode?: 'drop' | 'partial';
  /** The first `poisoned` clients (after a seeded shuffle) are malicious (default 0). */
  readonly poisoned?: number;
  readonly attack?: Attack;
  /** The attack's strength (signflip factor / gaussian std; default 10). */
  readonly attackScale?: number;
  /** Worker threads: 0 trains in this thread; default the CPU count (at most 8 and the clients per round). */
  readonly workers?: number;
  /** Fail a client whose local training takes longer than this (workers only; default 300 s). */
  readonly taskTimeoutMs?: number;
  readonly seed?: number;
  /** Called after each round (e.g. to print a line). */
  readonly onRound?: (record: RoundRecord) => void;
}

/** What happened in one round. */
export interface RoundRecord {
  /** 1-based. */
  readonly round: number;
  /** The global model on the test set after this round's aggregation. */
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Example-weighted mean of the training loss the accepted clients reported. */
  readonly trainLoss: number;
  readonly sampled: readonly number[];
  /** Returned nothing. */
  readonly dropped: readonly number[];
  /** Stragglers (dropped at the deadline, or partial work, as configured). */
  readonly stragglers: readonly number[];
  /** Sampled clients that were poisoned. */
  readonly poisoned: readonly number[];
  /** Clients whose training failed (exception, dead worker, timeout), with the reason. */
  readonly failed: ReadonlyArray<{ readonly client: number; readonly error: string }>;
  /** What each client that returned in time reported (examples, loss, accuracy, steps, seconds). */
  readonly clients: ReadonlyArray<{ readonly client: number; readonly numExamples: number; readonly metrics: Readonly<Record<string, number>> }>;
  readonly accepted: ReadonlyArray<number | string>;
  readonly rejected: readonly Rejection[];
  /** Clients whose change the strategy scaled down to its clip norm. */
  readonly clipped: ReadonlyArray<number | string>;
  /** Krum / Multi-Krum's choice. */
  readonly selected?: ReadonlyArray<number | string>;
  readonly notes: readonly string[];
  /** Wall time of the round (training, aggregation, evaluation) and of the training part. */
  readonly seconds: number;
  readonly trainSeconds: number;
}

export interface SimulationResult {
  readonly history: readonly RoundRecord[];
  /** The final global parameters (also left in options.model). */
  readonly weights: Weights;
  /** Test accuracy and loss of the starting model. */
  readonly initialAccuracy: number;
  readonly initialLoss: number;
  /** Which clients were poisoned. */
  readonly poisonedClients: readonly number[];
  readonly workers: number;
  readonly seconds: number;
}

function checkData(name: string, d: SimulationData): void {
  if (d === null || typeof d !== 'object' || !(d.images instanceof Float32Array) || !(d.labels instanceof Int32Array) || d.images.length !== d.labels.length * d.features) {
    throw new ArgumentError(`dendrite.runSimulation: ${name} must be { images: Float32Array [rows·features], labels: Int32Array [rows], features }`);
  }
}

function probability(name: string, v: number | undefined): number {
  const p = v ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(`dendrite.runSimulation: ${name} must be in [0, 1], got ${describe(p)}`);
  return p;
}

/** Runs the federated simulation; see SimulationOptions. Resolves with the per-round history. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const { model, train, test, partitions, strategy } = options;
  checkData('train', train);
  checkData('test', test);
  const clients = partitions.length;
  if (!Array.isArray(partitions) || clients === 0) throw new ArgumentError('dendrite.runSimulation: partitions must list at least one client');
  for (const [c, p] of partitions.entries()) {
    if (!(p instanceof Int32Array) || p.length === 0) throw new ValueError(`dendrite.runSimulation: client ${c} has no examples`);
    for (const i of p) if (!(i >= 0 && i < train.labels.length)) throw new ValueError(`dendrite.runSimulation: client ${c} lists row ${i}, outside the ${train.labels.length} training rows`);
  }
  const rounds = options.rounds;
  if (!Number.isSafeInteger(rounds) || rounds < 0) throw new ArgumentError(`dendrite.runSimulation: rounds must be an integer ≥ 0, got ${describe(rounds)}`);
  const fraction = options.fraction ?? 1;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) throw new ArgumentError(`dendrite.runSimulation: fraction must be in (0, 1], got ${describe(fraction)}`);
  const perRound = Math.max(1, Math.round(fraction * clients));
  const dropP = probability('dropoutProbability', options.dropoutProbability);
  const stragP = probability('stragglerProbability', options.stragglerProbability);
  const stragMode = options.stragglerMode ?? 'drop';
  if (stragMode !== 'drop' && stragMode !== 'partial') throw new ArgumentError(`dendrite.runSimulation: stragglerMode must be 'drop' or 'partial', got ${describe(stragMode)}`);
  const poisonedCount = options.poisoned ?? 0;
  if (!Number.isSafeInteger(poisonedCount) || poisonedCount < 0 || poisonedCount > clients) {
    throw new ArgumentError(`dendrite.runSimulation: poisoned must be an integer in [0, ${clients}], got ${describe(poisonedCount)}`);
  }
  const attack = options.attack ?? 'signflip';
  if (!ATTACKS.includes(attack)) throw new ArgumentError(`dendrite.runSimulation: unknown attack ${describe(attack)} (known: ${ATTACKS.join(', ')})`);
  const batchSize = options.batchSize ?? 32;
  const localEpochs = options.localEpochs ?? 1;
  const seed = options.seed ?? 0;
  const rng = new Random(seed);
  const poisonedSet = new Set<number>(rng.shuffle(Array.from({ length: clients }, (_, i) => i)).slice(0, poisonedCount));
  const poisonedClients = [...poisonedSet].sort((a, b) => a - b);

  const requested = options.workers ?? Math.min(8, os.availableParallelism());
  if (!Number.isSafeInteger(requested) || requested < 0) throw new ArgumentError(`dendrite.runSimulation: workers must be an integer ≥ 0, got ${describe(requested)}`);
  const workers = Math.min(requested, perRound);
  const runnerData = { model: model.serialize(), images: train.images, labels: train.labels, features: train.features, partitions };
  const runner: ClientRunner = workers === 0
    ? new InProcessRunner(runnerData)
    : new WorkerPoolRunner(runnerData, { workers, taskTimeoutMs: options.taskTimeoutMs });

  const testData: LocalData = { images: test.images, labels: test.labels, features: test.features };
  const initial = evaluateModel(model, testData);
  let global = getWeights(model);
  const history: RoundRecord[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const t0 = performance.now();
      const order = rng.shuffle(Array.from({ length: clients }, (_, i) => i));
      const sampled = order.slice(0, perRound).sort((a, b) => a - b);
      const dropped: number[] = [];
      const stragglers: number[] = [];
      const jobs: ClientJob[] = [];
      const lateDrop = new Set<number>();
      const serverConfig = strategy.clientConfig(round);
      for (const c of sampled) {
        const jobSeed = rng.nextUint32();
        if (rng.uniform() < dropP) {
          dropped.push(c);
          continue;
        }
        let maxSteps: number | undefined;
        if (rng.uniform() < stragP) {
          stragglers.push(c);
          if (stragMode === 'drop') lateDrop.add(c);
          else maxSteps = Math.max(1, Math.ceil(rng.uniformRange(0.1, 1) * localEpochs * Math.ceil(partitions[c]!.length / batchSize)));
        }
        jobs.push({
          client: c,
          weights: global.map((w) => w.slice()),
          config: {
            ...serverConfig,
            epochs: localEpochs, batchSize, optimizer: options.optimizer, learningRate: options.learningRate, seed: jobSeed, maxSteps,
            ...(poisonedSet.has(c) ? { attack, attackScale: options.attackScale } : {}),
          },
        });
      }
      const outcomes = await runner.run(jobs);
      const trainSeconds = (performance.now() - t0) / 1000;
      const failed: Array<{ client: number; error: string }> = [];
      const updates = [];
      for (const o of outcomes) {
        if (!o.ok) {
          failed.push({ client: o.client, error: o.error });
          continue;
        }
        if (lateDrop.has(o.client)) continue; // past the deadline
        updates.push({ clientId: o.client, weights: o.weights, numExamples: o.numExamples, metrics: o.metrics });
      }
      const agg = strategy.aggregate(global, updates, round);
      global = agg.weights;
      setWeights(model, global);
      const ev = evaluateModel(model, testData);
      let lossSum = 0;
      let n = 0;
      const acceptedSet = new Set(agg.accepted);
      for (const u of updates) {
        const l = u.metrics.loss;
        if (acceptedSet.has(u.clientId) && l !== undefined && Number.isFinite(l)) {
          lossSum += l * u.numExamples;
          n += u.numExamples;
        }
      }
      const record: RoundRecord = {
        round, testAccuracy: ev.accuracy, testLoss: ev.loss, trainLoss: n === 0 ? NaN : lossSum / n,
        sampled, dropped, stragglers, poisoned: sampled.filter((c) => poisonedSet.has(c)), failed,
        clients: updates.map((u) => ({ client: u.clientId, numExamples: u.numExamples, metrics: u.metrics })),
        accepted: agg.accepted, rejected: agg.rejected, clipped: agg.clipped, ...(agg.selected === undefined ? {} : { selected: agg.selected }),
        notes: agg.notes, seconds: (performance.now() - t0) / 1000, trainSeconds,
      };
      history.push(record);
      options.onRound?.(record);
    }
  } finally {
    await runner.close();
  }
  return {
    history, weights: global, initialAccuracy: initial.accuracy, initialLoss: initial.loss, poisonedClients, workers,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface CentralisedOptions {
  /** The architecture and starting parameters (trained in place). */
  readonly model: Sequential;
  readonly train: SimulationData;
  readonly test: SimulationData;
  /** Rows of `train` to use (default all). */
  readonly indices?: Int32Array;
  readonly epochs: number;
  readonly batchSize?: number;
  readonly optimizer?: 'sgd' | 'adam';
  readonly learningRate?: number;
  readonly seed?: number;
  readonly onEpoch?: (epoch: number, testAccuracy: number) => void;
}

/**
 * The baseline: the same model and local training code on all the data in one place, epoch by
 * epoch (one optimiser for the whole run), evaluated on the test set after each epoch.
 */
export async function runCentralised(options: CentralisedOptions): Promise<{ accuracies: number[]; losses: number[]; seconds: number }> {
  const started = performance.now();
  const { model, train, test } = options;
  checkData('train', train);
  checkData('test', test);
  const rng = new Random(options.seed ?? 0);
  const rows = options.indices?.slice() ?? Int32Array.from({ length: train.labels.length }, (_, i) => i);
  const testData: LocalData = { images: test.images, labels: test.labels, features: test.features };
  const accuracies: number[] = [];
  const losses: number[] = [];
  const params = model.parameters();
  const kind = options.optimizer ?? 'sgd';
  const lr = options.learningRate ?? (kind === 'sgd' ? 0.05 : 0.001);
  const opt = kind === 'sgd' ? new SGD(params, { learningRate: lr }) : new Adam(params, { learningRate: lr });
  for (let e = 1; e <= options.epochs; e++) {
    trainEpoch(model, opt, { images: train.images, labels: train.labels, features: train.features, indices: rows }, options.batchSize ?? 32, rng, {}, { steps: 0, lossSum: 0, right: 0, seen: 0 });
    const ev = evaluateModel(model, testData);
    accuracies.push(ev.accuracy);
    losses.push(ev.loss);
    options.onEpoch?.(e, ev.accuracy);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { accuracies, losses, seconds: (performance.now() - started) / 1000 };
}
