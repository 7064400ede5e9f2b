/**
 * The `local` back end: N ranks as worker_threads of one process, collectives over one
 * SharedArrayBuffer.
 *
 * Synchronisation is a generation barrier on an Int32Array (Atomics.add to arrive, the last rank
 * bumps the generation and notifies; the others spin briefly, then Atomics.wait in short slices
 * so they notice an abort, a finished peer or their deadline). Data moves through a shared area
 * of two sets (used alternately by successive rounds, so a round may start writing while a slow
 * peer still reads the previous one) of N slots of `chunkSize` floats. A buffer longer than a
 * slot goes through in chunks.
 *
 * allreduce is a reduce-scatter plus allgather over that area: every rank copies its chunk into
 * its slot; after a barrier rank r sums segment r (1/N of the chunk) over all slots, in rank
 * order, into its own slot; after a second barrier every rank copies the N reduced segments out.
 * Each element is read N times and written twice in total, whatever N, and every rank ends with
 * bit-identical values. broadcast and allgather take one barrier per round.
 *
 * `launchLocal` starts the workers, each running a module's exported `main(comm, data)`, and
 * collects their return values. The native thread pool is process-wide, so it is set to one
 * thread while the ranks run (each rank computes on its own thread) and restored afterwards.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ArgumentError, describe } from '../errors.js';
import { type Communicator, DistributedError, type ReduceOp, resolveTimeoutMs } from './communicator.js';

// ---- Shared layout ---------------------------------------------------------------------------

/** Control words (Int32Array indices). */
const GEN = 0; // barrier generation
const COUNT = 1; // ranks arrived at the current barrier
const ABORT = 2; // 0, or 1 + the rank that aborted the group
const ABORT_REASON = 3; // why (see REASONS)
const DONE = 4; // ranks whose main() has settled
const META = 8; // per set, per rank: op code, length, root/op argument, round
const META_WORDS = 4;

const REASONS = ['failed', 'threw an error', 'timed out', 'exited', 'was terminated'] as const;
const REASON_ERROR = 1;
const REASON_TIMEOUT = 2;
const REASON_EXIT = 3;

/** Collective codes written into the metadata, so ranks calling different ops fail clearly. */
const OPS = ['', 'allreduce', 'broadcast', 'allgather', 'barrier'] as const;
type OpName = (typeof OPS)[number];

/** Floats per slot by default: 1 Mi (4 MB), so a 25 MB gradient bucket takes ~7 rounds. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Spins on the generation word before sleeping in Atomics.wait. */
const SPINS = 2000;
/** Longest single Atomics.wait, so a waiting rank rechecks its deadline and the abort flag. */
const WAIT_SLICE_MS = 50;

/** The shared memory of a group, as handed to each worker. */
export interface LocalGroupMemory {
  readonly worldSize: number;
  readonly chunkSize: number;
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

/** Allocates the shared memory of a group of `worldSize` ranks. */
export function createLocalGroup(worldSize: number, chunkSize = DEFAULT_CHUNK_SIZE): LocalGroupMemory {
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new ArgumentError(`dendrite.createLocalGroup: worldSize must be an integer ≥ 1, got ${describe(worldSize)}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new ArgumentError(`dendrite.createLocalGroup: chunkSize must be an integer ≥ 1 (floats), got ${describe(chunkSize)}`);
  }
  const controlWords = META + 2 * worldSize * META_WORDS;
  return {
    worldSize,
    chunkSize,
    control: new SharedArrayBuffer(controlWords * 4),
    data: new SharedArrayBuffer(2 * worldSize * chunkSize * 4),
  };
}

function abortMessage(ctl: Int32Array): string {
  const who = Atomics.load(ctl, ABORT) - 1;
  const why = REASONS[Atomics.load(ctl, ABORT_REASON)] ?? REASONS[0];
  return `rank ${who} ${why}`;
}

/** Marks the group aborted by `rank` (the first abort wins) and wakes every waiting rank. */
function abortGroup(ctl: Int32Array, rank: number, reason: number): void {
  if (Atomics.compareExchange(ctl, ABORT, 0, rank + 1) === 0) Atomics.store(ctl, ABORT_REASON, reason);
  Atomics.notify(ctl, GEN);
}

// ---- The communicator ------------------------------------------------------------------------

/** Options of a local communicator. */
export interface LocalCommunicatorOptions {
  /** Timeout of each collective in ms (default DENDRITE_DIST_TIMEOUT_MS or 60 s). */
  timeoutMs?: number;
}

/**
 * One rank of a local group. Made by launchLocal inside each worker; collectives block the
 * calling thread (a worker's, never the main thread's) until the round completes.
 */
export class LocalCommunicator implements Communicator {
  readonly backend = 'local' as const;
  readonly worldSize: number;
  private readonly ctl: Int32Array;
  private readonly area: Float32Array;
  private readonly chunk: number;
  private readonly timeoutMs: number;
  private round = 0;
  private closed = false;
  private broken: string | null = null;

  constructor(readonly rank: number, memory: LocalGroupMemory, options: LocalCommunicatorOptions = {}) {
    const { worldSize, chunkSize } = memory;
    if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
      throw new ArgumentError(`dendrite.LocalCommunicator: rank must be an integer in [0, ${worldSize}), got ${describe(rank)}`);
    }
    if (isMainThread && worldSize > 1) {
      // Atomics.wait, which a waiting rank sleeps in, is not allowed on the main thread.
      throw new DistributedError('dendrite.LocalCommunicator: ranks of a group larger than one run in worker threads (see launchLocal), not on the main thread');
    }
    this.worldSize = worldSize;
    this.chunk = chunkSize;
    this.ctl = new Int32Array(memory.control);
    this.area = new Float32Array(memory.data);
    this.timeoutMs = resolveTimeoutMs(options.timeoutMs, 'LocalCommunicator');
  }

  async allreduce(buf: Float32Array, op: ReduceOp = 'sum'): Promise<void> {
    this.begin('allreduce', buf);
    if (op !== 'sum' && op !== 'mean') {
      throw new ArgumentError(`dendrite.allreduce: op must be 'sum' or 'mean', got ${describe(op)}`);
    }
    const n = this.worldSize;
    const len = buf.length;
    const opArg = op === 'sum' ? 0 : 1;
    if (n === 1) return;
    const C = this.chunk;
    const r = this.rank;
    for (let off = 0, first = true; first || off < len; off += C, first = false) {
      const L = Math.min(C, len - off);
      const set = this.nextRound();
      const base = set * n * C;
      this.area.set(buf.subarray(off, off + L), base + r * C);
      if (first) this.writeMeta(set, 1, len, opArg);
      this.arrive('allreduce', 'the inputs');
      if (first) this.checkMeta(set, 'allreduce', len, opArg);
      // Reduce my segment of every slot into my slot.
      const lo = segStart(L, n, r);
      const hi = segStart(L, n, r + 1);
      const a = this.area;
      const dst = base + r * C;
      if (n === 2) {
        const s0 = base;
        const s1 = base + C;
        if (opArg === 0) for (let i = lo; i < hi; i++) a[dst + i] = a[s0 + i]! + a[s1 + i]!;
        else for (let i = lo; i < hi; i++) a[dst + i] = (a[s0 + i]! + a[s1 + i]!) * 0.5;
      } else {
        for (let i = lo; i < hi; i++) {
          let v = 0;
          for (let k = 0; k < n; k++) v += a[base + k * C + i]!;
          a[dst + i] = opArg === 0 ? v : v / n;
        }
      }
      this.arrive('allreduce', 'the reduced segments');
      for (let k = 0; k < n; k++) {
        const klo = segStart(L, n, k);
        const khi = segStart(L, n, k + 1);
        buf.set(a.subarray(base + k * C + klo, base + k * C + khi), off + klo);
      }
      if (len === 0) break;
    }
  }

  async broadcast(buf: Float32Array, root = 0): Promise<void> {
    this.begin('broadcast', buf);
    if (!Number.isInteger(root) || root < 0 || root >= this.worldSize) {
      throw new ArgumentError(`dendrite.broadcast: root must be a rank in [0, ${this.worldSize}), got ${describe(root)}`);
    }
    const len = buf.length;
    if (this.worldSize === 1) return;
    // The root may use a whole set of the area for each round.
    const C = this.chunk * this.worldSize;
    for (let off = 0, first = true; first || off < len; off += C, first = false) {
      const L = Math.min(C, len - off);
      const set = this.nextRound();
      const base = set * C;
      if (this.rank === root) this.area.set(buf.subarray(off, off + L), base);
      if (first) this.writeMeta(set, 2, len, root);
      this.arrive('broadcast', `rank ${root}'s data`);
      if (first) this.checkMeta(set, 'broadcast', len, root);
      if (this.rank !== root) buf.set(this.area.subarray(base, base + L), off);
      if (len === 0) break;
    }
  }

  async allgather(buf: Float32Array): Promise<Float32Array> {
    this.begin('allgather', buf);
    const n = this.worldSize;
    const len = buf.length;
    const out = new Float32Array(len * n);
    if (n === 1) {
      out.set(buf);
      return out;
    }
    const C = this.chunk;
    for (let off = 0, first = true; first || off < len; off += C, first = false) {
      const L = Math.min(C, len - off);
      const set = this.nextRound();
      const base = set * n * C;
      this.area.set(buf.subarray(off, off + L), base + this.rank * C);
      if (first) this.writeMeta(set, 3, len, 0);
      this.arrive('allgather', 'every rank\'s data');
      if (first) this.checkMeta(set, 'allgather', len, 0);
      for (let k = 0; k < n; k++) out.set(this.area.subarray(base + k * C, base + k * C + L), k * len + off);
      if (len === 0) break;
    }
    return out;
  }

  async barrier(): Promise<void> {
    this.begin('barrier', null);
    if (this.worldSize === 1) return;
    const set = this.nextRound();
    this.writeMeta(set, 4, 0, 0);
    this.arrive('barrier', 'the other ranks');
    this.checkMeta(set, 'barrier', 0, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Rejects calls on a closed or broken communicator and buffers that are not Float32Arrays. */
  private begin(op: OpName, buf: Float32Array | null): void {
    if (this.closed) throw new DistributedError(`dendrite.${op}: rank ${this.rank}: the communicator is closed`);
    if (this.broken !== null) throw new DistributedError(`dendrite.${op}: rank ${this.rank}: the communicator is unusable after an earlier failure (${this.broken})`);
    if (buf !== null && !(buf instanceof Float32Array)) {
      throw new ArgumentError(`dendrite.${op}: the buffer must be a Float32Array, got ${describe(buf)}`);
    }
  }

  private nextRound(): number {
    return this.round++ & 1;
  }

  private writeMeta(set: number, code: number, len: number, arg: number): void {
    const at = META + (set * this.worldSize + this.rank) * META_WORDS;
    const ctl = this.ctl;
    ctl[at] = code;
    ctl[at + 1] = len;
    ctl[at + 2] = arg;
    ctl[at + 3] = this.round;
  }

  /** After the first barrier of a collective: every rank called the same op with the same length and argument. */
  private checkMeta(set: number, op: OpName, len: number, arg: number): void {
    const ctl = this.ctl;
    for (let k = 0; k < this.worldSize; k++) {
      const at = META + (set * this.worldSize + k) * META_WORDS;
      const kop = OPS[ctl[at]!] ?? `op #${ctl[at]}`;
      if (kop !== op || ctl[at + 1] !== len || ctl[at + 2] !== arg || ctl[at + 3] !== this.round) {
        const what = (o: string, l: number, a: number): string =>
          o === 'allreduce' ? `${o}(length ${l}, '${a === 0 ? 'sum' : 'mean'}')` : o === 'broadcast' ? `${o}(length ${l}, root ${a})` : o === 'barrier' ? 'barrier()' : `${o}(length ${l})`;
        this.broken = 'mismatched collectives';
        throw new DistributedError(
          `dendrite.${op}: rank ${this.rank} called ${what(op, len, arg)} but rank ${k} called ${what(kop, ctl[at + 1]!, ctl[at + 2]!)}; every rank must call the same collectives in the same order with buffers of the same length`,
        );
      }
    }
  }

  /** The generation barrier, bounded by the timeout, a group abort and finished peers. */
  private arrive(op: OpName, waitingFor: string): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, ABORT) !== 0) this.fail(op, `the group was aborted: ${abortMessage(ctl)}`);
    const gen = Atomics.load(ctl, GEN);
    if (Atomics.add(ctl, COUNT, 1) === this.worldSize - 1) {
      Atomics.store(ctl, COUNT, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(ctl, GEN) !== gen) return;
    const start = performance.now();
    const deadline = start + this.timeoutMs;
    while (Atomics.load(ctl, GEN) === gen) {
      if (Atomics.load(ctl, ABORT) !== 0) this.fail(op, `the group was aborted while waiting for ${waitingFor}: ${abortMessage(ctl)}`);
      const arrived = Atomics.load(ctl, COUNT);
      const done = Atomics.load(ctl, DONE);
      if (done > 0 && arrived + done >= this.worldSize && Atomics.load(ctl, GEN) === gen) {
        // Every rank that has not arrived has already returned from main(): it never will.
        this.fail(op, `waiting for ${waitingFor}: ${done} rank(s) already returned from main() without calling ${op}()`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        abortGroup(ctl, this.rank, REASON_TIMEOUT);
        this.fail(op, `timed out after ${this.timeoutMs} ms waiting for ${waitingFor} (${arrived} of ${this.worldSize} ranks arrived)`);
      }
      Atomics.wait(ctl, GEN, gen, Math.min(left, WAIT_SLICE_MS));
    }
  }

  private fail(op: OpName, why: string): never {
    this.broken = `${op}: ${why}`;
    throw new DistributedError(`dendrite.${op}: rank ${this.rank} ${why}`);
  }
}

/** Start of rank k's segment when `len` floats are split into n near-equal parts. */
function segStart(len: number, n: number, k: number): number {
  return Math.floor((len * k) / n);
}

// ---- Launching workers -----------------------------------------------------------------------

/** What a worker module exports: `main(comm, data)`, run on every rank. */
export type LocalMain<D = unknown, R = unknown> = (comm: Communicator, data: D) => R | Promise<R>;

/** Options of launchLocal. */
export interface LaunchLocalOptions<D = unknown> {
  /** Number of ranks (worker threads), ≥ 1. */
  workers: number;
  /**
   * The module each worker imports: a file URL or a path (relative to the working directory).
   * It must export a function `main(comm, data)` (or the name given by `exportName`), whose
   * return value (structured-cloneable) becomes that rank's entry of launchLocal's result.
   * TypeScript modules load through tsx (a development dependency of a clone).
   */
  module: URL | string;
  /** Name of the exported function (default 'main'). */
  exportName?: string;
  /**
   * Passed to every main() as its second argument, structured-cloned into each worker (so each
   * gets a copy); put large arrays in a SharedArrayBuffer to share them instead.
   */
  data?: D;
  /** Timeout of each collective in ms (default DENDRITE_DIST_TIMEOUT_MS or 60 s). */
  timeoutMs?: number;
  /** Floats per slot of the shared area (default 1 Mi); longer buffers go through in chunks. */
  chunkSize?: number;
  /**
   * Threads of the process-wide native pool while the ranks run (default 1: each rank computes
   * on its own worker thread). The previous setting is restored when launchLocal settles.
   */
  numThreads?: number;
  /** Receives what a rank sends with sendToLauncher(value) (progress lines, partial results). */
  onMessage?: (rank: number, value: unknown) => void;
}

/** The message a worker sends when its main() settles. */
type WorkerReport =
  | { type: 'result'; value: unknown }
  | { type: 'error'; name: string; message: string; stack?: string; distributed: boolean }
  | { type: 'user'; value: unknown };

/** What each worker receives. */
interface WorkerInit {
  readonly kind: 'dendrite-local-rank';
  readonly rank: number;
  readonly memory: LocalGroupMemory;
  readonly timeoutMs?: number;
  readonly module: string;
  readonly exportName: string;
  readonly data: unknown;
}

const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const { runLocalRank } = await import(workerData.runtime);
  await runLocalRank();
})().catch((err) => {
  const ctl = new Int32Array(workerData.init.memory.control);
  if (Atomics.compareExchange(ctl, ${ABORT}, 0, workerData.init.rank + 1) === 0) Atomics.store(ctl, ${ABORT_REASON}, ${REASON_ERROR});
  Atomics.notify(ctl, ${GEN});
  parentPort.postMessage({ type: 'error', name: (err && err.name) || 'Error', message: String((err && err.message) || err), stack: err && err.stack, distributed: false });
});
`;

function moduleUrl(spec: URL | string): string {
  if (spec instanceof URL) return spec.href;
  if (typeof spec !== 'string' || spec === '') {
    throw new ArgumentError(`dendrite.launchLocal: module must be a file URL or a path, got ${describe(spec)}`);
  }
  return /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec) ? spec : pathToFileURL(spec).href;
}

const TS_FILE = /\.[cm]?tsx?$/;

/** The URL of tsx's loader API when the runtime or the module is TypeScript, else null. */
function tsxLoader(runtime: string, module: string): string | null {
  if (!TS_FILE.test(new URL(runtime).pathname) && !TS_FILE.test(new URL(module).pathname)) return null;
  try {
    // The ESM entry of tsx's register API, found through its package.json.
    const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
    const entry = pkg.exports?.['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs';
    return new URL(entry, pathToFileURL(pkgFile)).href;
  } catch {
    throw new DistributedError(
      `dendrite.launchLocal: ${module} is TypeScript, and loading it in a worker needs the tsx package (npm install --save-dev tsx), which was not found`,
    );
  }
}

/** Groups running now, and the pool size from before the first of them started. */
let activeGroups = 0;
let poolBefore = 0;

/**
 * Runs fn with the process-wide native pool at `n` threads (default 1), restoring the size it
 * had before once the last concurrently running group ends.
 */
async function withPoolThreads<T>(n: number | undefined, fn: () => Promise<T>): Promise<T> {
  const threads = n ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new ArgumentError(`dendrite.launchLocal: numThreads must be an integer in [1, 256], got ${describe(n)}`);
  }
  const { backendInfo, setNumThreads } = await import('../backend/index.js');
  if (activeGroups++ === 0) poolBefore = backendInfo().threads;
  try {
    setNumThreads(threads);
    return await fn();
  } finally {
    if (--activeGroups === 0) setNumThreads(poolBefore);
  }
}

/** How long the others may take to notice a failed rank and end before they are terminated. */
const GRACE_MS = 5_000;

/**
 * Runs `main(comm, data)` of `options.module` on `options.workers` ranks, each a worker thread
 * with a LocalCommunicator, and resolves with their return values in rank order. If a rank
 * throws or its thread exits, the group is aborted (ranks waiting in a collective fail at once
 * with a DistributedError) and launchLocal rejects with a DistributedError naming the rank that
 * failed first, its error as `cause`; ranks still running after a grace period are terminated.
 */
export async function launchLocal<R = unknown, D = unknown>(options: LaunchLocalOptions<D>): Promise<R[]> {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`dendrite.launchLocal: expected { workers, module, data? }, got ${describe(options)}`);
  }
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ArgumentError(`dendrite.launchLocal: workers must be an integer ≥ 1, got ${describe(workers)}`);
  }
  const exportName = options.exportName ?? 'main';
  const module = moduleUrl(options.module);
  if (options.timeoutMs !== undefined) resolveTimeoutMs(options.timeoutMs, 'launchLocal');
  const memory = createLocalGroup(workers, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const runtime = import.meta.url;
  const tsx = tsxLoader(runtime, module);
  const ctl = new Int32Array(memory.control);

  return withPoolThreads(options.numThreads, () => new Promise<R[]>((resolve, reject) => {
    const results = new Array<unknown>(workers);
    const errors = new Array<Error | undefined>(workers);
    const reported = new Array<boolean>(workers).fill(false);
    const threads: Worker[] = [];
    let exited = 0;
    let graceTimer: NodeJS.Timeout | null = null;
    const terminateAll = (): void => {
      for (const t of threads) void t.terminate();
    };

    const finish = (): void => {
      if (graceTimer !== null) clearTimeout(graceTimer);
      const failed = errors.findIndex((e) => e !== undefined);
      if (failed < 0) {
        resolve(results as R[]);
        return;
      }
      // The rank that aborted the group is the cause; the others failed because of it.
      const aborter = Atomics.load(ctl, ABORT) - 1;
      const first = aborter >= 0 && errors[aborter] !== undefined ? aborter : failed;
      const cause = errors[first]!;
      const also = errors.filter((e, i) => e !== undefined && i !== first).length;
      reject(new DistributedError(
        `dendrite.launchLocal: rank ${first} of ${workers} failed: ${cause.message}${also > 0 ? ` (${also} other rank(s) stopped because of it)` : ''}`,
        { cause },
      ));
    };

    /** Records rank's outcome once; after a failure the others get GRACE_MS to end. */
    const settle = (rank: number, err: Error | null, value?: unknown): void => {
      if (reported[rank]) return;
      reported[rank] = true;
      if (err === null) {
        results[rank] = value;
        return;
      }
      errors[rank] = err;
      abortGroup(ctl, rank, err instanceof DistributedError ? 0 : REASON_ERROR);
      graceTimer ??= setTimeout(terminateAll, GRACE_MS).unref();
    };

    for (let rank = 0; rank < workers; rank++) {
      const init: WorkerInit = {
        kind: 'dendrite-local-rank', rank, memory, module, exportName, data: options.data,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      };
      let worker: Worker;
      try {
        worker = new Worker(BOOTSTRAP, { eval: true, workerData: { tsx, runtime, init } });
      } catch (err) {
        abortGroup(ctl, rank, REASON_ERROR);
        terminateAll();
        reject(new DistributedError(`dendrite.launchLocal: could not start rank ${rank}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      threads.push(worker);
      // A rank that reported but keeps its thread alive (a pending timer, an open handle) is ended.
      let lingering: NodeJS.Timeout | null = null;
      worker.on('message', (m: WorkerReport) => {
        if (m.type === 'user') {
          try {
            options.onMessage?.(rank, m.value);
          } catch (err) {
            settle(rank, new Error(`onMessage threw: ${(err as Error).message}`));
          }
          return;
        }
        if (m.type === 'result') {
          settle(rank, null, m.value);
        } else {
          const e = m.distributed ? new DistributedError(m.message) : new Error(m.message);
          e.name = m.name;
          if (m.stack !== undefined) e.stack = m.stack;
          settle(rank, e);
        }
        lingering ??= setTimeout(() => void worker.terminate(), GRACE_MS).unref();
      });
      worker.on('error', (err: Error) => settle(rank, err));
      worker.on('exit', (code) => {
        if (lingering !== null) clearTimeout(lingering);
        if (!reported[rank]) {
          abortGroup(ctl, rank, REASON_EXIT);
          settle(rank, new Error(`its thread exited (code ${code}) before main() returned`));
        }
        if (++exited === workers) finish();
      });
    }
  }));
}

// ---- Inside a worker -------------------------------------------------------------------------

/**
 * From inside a rank started by launchLocal: sends `value` (structured-cloneable) to the
 * launcher's onMessage(rank, value). Messages from one rank arrive in order.
 */
export function sendToLauncher(value: unknown): void {
  const wd = workerData as { init?: WorkerInit } | null;
  if (isMainThread || parentPort === null || wd?.init?.kind !== 'dendrite-local-rank') {
    throw new DistributedError('dendrite.sendToLauncher: works only inside a rank started by launchLocal');
  }
  parentPort.postMessage({ type: 'user', value } satisfies WorkerReport);
}

/** @internal The worker side of launchLocal: builds the communicator, runs main, reports. */
export async function runLocalRank(): Promise<void> {
  const wd = workerData as { init?: WorkerInit } | null;
  if (isMainThread || parentPort === null || wd?.init?.kind !== 'dendrite-local-rank') {
    throw new DistributedError('dendrite.runLocalRank: runs only inside a worker started by launchLocal');
  }
  const init = wd.init;
  const port = parentPort;
  const ctl = new Int32Array(init.memory.control);
  const comm = new LocalCommunicator(init.rank, init.memory, init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs });
  let report: WorkerReport;
  try {
    const mod = (await import(init.module)) as Record<string, unknown>;
    const fn = mod[init.exportName];
    if (typeof fn !== 'function') {
      throw new ArgumentError(`dendrite.launchLocal: ${init.module} does not export a function '${init.exportName}' (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`);
    }
    const value: unknown = await (fn as LocalMain)(comm, init.data);
    report = { type: 'result', value };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    abortGroup(ctl, init.rank, e instanceof DistributedError ? 0 : REASON_ERROR);
    report = { type: 'error', name: e.name, message: e.message, stack: e.stack, distributed: e instanceof DistributedError };
  } finally {
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, GEN);
    await comm.close();
  }
  port.postMessage(report);
}
