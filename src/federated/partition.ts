/**
 * Splitting a labelled dataset among federated clients, seeded:
 * - IID: a shuffled split into near-equal parts;
 * - Dirichlet(α) over labels (Hsu et al. 2019): for each class, its examples are divided among
 *   the clients in proportions drawn from Dir(α, …, α); small α gives each client few classes,
 *   large α approaches IID. Redrawn (a bounded number of times) until every client has at least
 *   `minSize` examples;
 * - shards (McMahan et al. 2017): sort by label, cut into shardsPerClient·N equal shards, deal
 *   each client shardsPerClient of them at random (so most clients see two digits).
 * Each returns one Int32Array of example indices per client; together they cover every index
 * exactly once.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import { Random } from '../random.js';

function checkClients(op: string, clients: number, total: number): void {
  if (!Number.isSafeInteger(clients) || clients < 1) throw new ArgumentError(`dendrite.${op}: clients must be an integer ≥ 1, got ${describe(clients)}`);
  if (clients > total) throw new ValueError(`dendrite.${op}: ${clients} clients for ${total} examples; every client needs at least one`);
}

function rngOf(seed: number | Random | undefined): Random {
  return seed instanceof Random ? seed : new Random(seed ?? 0);
}

/**
 * A Gamma(shape, 1) variate (Marsaglia & Tsang 2000; for shape < 1, Gamma(shape + 1)·U^(1/shape)).
 */
export function sampleGamma(shape: number, rng: Random): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new ArgumentError(`dendrite.sampleGamma: shape must be a positive finite number, got ${describe(shape)}`);
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.uniform();
    return sampleGamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A draw from Dirichlet(α·1_k): k Gammas normalised (uniform over the simplex when α = 1). */
export function sampleDirichlet(alpha: number, k: number, rng: Random): Float64Array {
  const out = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    out[i] = sampleGamma(alpha, rng);
    sum += out[i]!;
  }
  if (!(sum > 0)) {
    // Every Gamma underflowed (tiny α): the limit puts all the mass on one coordinate.
    out.fill(0);
    out[rng.int(k)] = 1;
    return out;
  }
  for (let i = 0; i < k; i++) out[i] = out[i]! / sum;
  return out;
}

/** A shuffled split of `count` examples into `clients` parts whose sizes differ by at most one. */
export function iidPartition(count: number, clients: number, seed?: number | Random): Int32Array[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new ArgumentError(`dendrite.iidPartition: count must be an integer ≥ 0, got ${describe(count)}`);
  checkClients('iidPartition', clients, count);
  const rng = rngOf(seed);
  const idx = rng.shuffle(Int32Array.from({ length: count }, (_, i) => i));
  const out: Int32Array[] = [];
  for (let c = 0; c < clients; c++) out.push(idx.slice(Math.floor((c * count) / clients), Math.floor(((c + 1) * count) / clients)).sort());
  return out;
}

export interface DirichletPartitionOptions {
  /** Concentration α > 0: small is skewed, large is near IID (default 0.5). */
  readonly alpha?: number;
  /** Redraw until every client has at least this many examples (default 10). */
  readonly minSize?: number;
  /** Redraws before giving up with a ValueError (default 100). */
  readonly maxTries?: number;
  readonly seed?: number | Random;
}

/** Label-skewed split: per class, proportions ~ Dir(α) over the clients. */
export function dirichletPartition(labels: ArrayLike<number>, clients: number, options: DirichletPartitionOptions = {}): Int32Array[] {
  const n = labels.length;
  checkClients('dirichletPartition', clients, n);
  const alpha = options.alpha ?? 0.5;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) throw new ArgumentError(`dendrite.dirichletPartition: alpha must be a positive finite number, got ${describe(alpha)}`);
  const minSize = options.minSize ?? Math.min(10, Math.floor(n / clients));
  const maxTries = options.maxTries ?? 100;
  if (!Number.isSafeInteger(minSize) || minSize < 0 || minSize * clients > n) {
    throw new ValueError(`dendrite.dirichletPartition: minSize ${describe(minSize)} × ${clients} clients is more than the ${n} examples`);
  }
  const rng = rngOf(options.seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y)) throw new ValueError(`dendrite.dirichletPartition: label ${i} is ${y}, not an integer class`);
    let list = byClass.get(y);
    if (list === undefined) byClass.set(y, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const parts: number[][] = Array.from({ length: clients }, () => []);
    for (const k of classes) {
      const idx = rng.shuffle(byClass.get(k)!.slice());
      const p = sampleDirichlet(alpha, clients, rng);
      // Cut points at the cumulative proportions.
      let acc = 0;
      let start = 0;
      for (let c = 0; c < clients; c++) {
        acc += p[c]!;
        const end = c === clients - 1 ? idx.length : Math.min(idx.length, Math.round(acc * idx.length));
        for (let j = start; j < end; j++) parts[c]!.push(idx[j]!);
        start = Math.max(start, end);
      }
    }
    if (parts.every((p) => p.length >= minSize)) return parts.map((p) => Int32Array.from(p).sort());
  }
  throw new ValueError(
    `dendrite.dirichletPartition: no draw in ${maxTries} gave every one of ${clients} clients ${minSize} examples (α = ${alpha}); use a larger α or a smaller minSize`,
  );
}

export interface ShardPartitionOptions {
  /** Shards per client (default 2, as in McMahan et al.). */
  readonly shardsPerClient?: number;
  readonly seed?: number | Random;
}

/**
 * McMahan et al.'s pathological non-IID split: sort by label, cut into shardsPerClient·clients
 * shards of equal size (the remainder spread one example at a time over the first shards), deal
 * shardsPerClient random shards to each client.
 */
export function shardPartition(labels: ArrayLike<number>, clients: number, options: ShardPartitionOptions = {}): Int32Array[] {
  const n = labels.length;
  const per = options.shardsPerClient ?? 2;
  if (!Number.isSafeInteger(per) || per < 1) throw new ArgumentError(`dendrite.shardPartition: shardsPerClient must be an integer ≥ 1, got ${describe(per)}`);
  checkClients('shardPartition', clients * per, n);
  const rng = rngOf(options.seed);
  // Stable sort by label (ties by index) so the split depends only on the data and the seed.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => labels[a]! - labels[b]! || a - b);
  const shards = clients * per;
  const shardIds = rng.shuffle(Int32Array.from({ length: shards }, (_, i) => i));
  const out: Int32Array[] = [];
  for (let c = 0; c < clients; c++) {
    const idx: number[] = [];
    for (let s = 0; s < per; s++) {
      const id = shardIds[c * per + s]!;
      const from = Math.floor((id * n) / shards);
      const to = Math.floor(((id + 1) * n) / shards);
      for (let j = from; j < to; j++) idx.push(order[j]!);
    }
    out.push(Int32Array.from(idx).sort());
  }
  return out;
}

/** Per client, how many of its examples carry each label (rows: clients, columns: classes 0…k−1). */
export function labelCounts(labels: ArrayLike<number>, parts: readonly Int32Array[], numClasses?: number): number[][] {
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
  return parts.map((p) => {
    const row = new Array<number>(k).fill(0);
    for (const i of p) row[labels[i]!] = (row[labels[i]!] ?? 0) + 1;
    return row;
  });
}
