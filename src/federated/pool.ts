/**
 * Where simulated clients train: in this thread (`InProcessRunner`) or on a pool of worker
 * threads (`WorkerPoolRunner`), each worker hosting clients in turn. Both run the same
 * localTrain; a failure of one client (an exception, a dead worker, a timeout) becomes a failed
 * result for that client, never an exception of the round.
 *
 * Workers load this package's code: the compiled worker.js next to this file in an installed
 * package, or worker.ts through tsx's loader in a clone (registered inside the worker by a small
 * bootstrap, since module hooks do not carry over to worker threads from execArgv).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { backendInfo, setNumThreads } from '../backend/index.js';
import type { SerializedLayer } from '../nn/layer.js';
import { layerFromConfig } from '../nn/layer.js';
import '../nn/layers/index.js'; // registers the layer classes layerFromConfig rebuilds
import { Sequential } from '../nn/sequential.js';
import { localTrain, type LocalTrainConfig } from './client.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './worker.js';

/** One client's job in a round. */
export interface ClientJob {
  readonly client: number;
  readonly weights: Float32Array[];
  readonly config: LocalTrainConfig;
}

/** A client's outcome: its new parameters, or why there are none. */
export type ClientOutcome =
  | { readonly ok: true; readonly client: number; readonly weights: Float32Array[]; readonly numExamples: number; readonly metrics: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly client: number; readonly error: string };

/** Runs clients' local training. */
export interface ClientRunner {
  /** Resolves with one outcome per job, in job order. */
  run(jobs: readonly ClientJob[]): Promise<ClientOutcome[]>;
  /** Stops any threads; later runs fail. */
  close(): Promise<void>;
  /** Threads used (0: in this thread). */
  readonly workers: number;
}

/** The shared training data and the partition every runner needs. */
export interface RunnerData {
  readonly model: SerializedLayer;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly features: number;
  readonly partitions: readonly Int32Array[];
}

function buildModel(spec: SerializedLayer): Sequential {
  const model = layerFromConfig(spec);
  if (!(model instanceof Sequential)) throw new Error(`the model topology is a ${model.className}, not a Sequential`);
  if (!model.built && model.batchInputShape !== null) model.build(model.batchInputShape);
  return model;
}

/** Clients one after another in this thread, on one model instance. */
export class InProcessRunner implements ClientRunner {
  readonly workers = 0;
  private readonly model: Sequential;
  private closed = false;

  constructor(private readonly data: RunnerData) {
    this.model = buildModel(data.model);
  }

  async run(jobs: readonly ClientJob[]): Promise<ClientOutcome[]> {
    const out: ClientOutcome[] = [];
    for (const job of jobs) {
      if (this.closed) {
        out.push({ ok: false, client: job.client, error: 'the runner is closed' });
        continue;
      }
      try {
        const indices = this.data.partitions[job.client];
        if (indices === undefined) throw new Error(`no client ${job.client}`);
        const r = localTrain(this.model, job.weights, { images: this.data.images, labels: this.data.labels, features: this.data.features, indices }, job.config);
        out.push({ ok: true, client: job.client, weights: r.weights, numExamples: r.numExamples, metrics: r.metrics });
      } catch (err) {
        out.push({ ok: false, client: job.client, error: err instanceof Error ? err.message : String(err) });
      }
      // Let timers and I/O run between clients.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Copies a typed array into shared memory (once), so every worker reads the same bytes. */
function shared<T extends Float32Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buf: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** How to start a worker running worker.ts/worker.js from this module's location. */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const req = createRequire(here);
    const pkgFile = req.resolve('tsx/package.json');
    const pkg = req(pkgFile) as { exports: Record<string, { import: { default: string } }> };
    const api = pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
    const entry = new URL('./worker.ts', here).href;
    // A fixed bootstrap (no received data in it): register tsx in this thread, then load the entry.
    const bootstrap = `const { workerData } = require('node:worker_threads');
import(workerData.api).then((m) => { m.register(); return import(workerData.entry); }).catch((e) => { throw e; });`;
    return new Worker(bootstrap, { eval: true, workerData: { api, entry } });
  }
  return new Worker(fileURLToPath(new URL('./worker.js', here)));
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  pending: Map<number, { resolve: (o: ClientOutcome) => void; client: number; timer: NodeJS.Timeout }>;
}

export interface WorkerPoolOptions {
  /** Worker threads (default: the CPU count, at most 8). */
  readonly workers?: number;
  /** Fail a client whose training takes longer than this (default 300 s); its worker is replaced. */
  readonly taskTimeoutMs?: number;
  /** Fail the start of a worker that is not ready in this time (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** Clients on W worker threads, each hosting clients in turn; parameters travel as transferred buffers. */
export class WorkerPoolRunner implements ClientRunner {
  readonly workers: number;
  private readonly init: WorkerInit;
  private readonly slots: Slot[] = [];
  private readonly taskTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private nextTask = 1;
  private closed = false;
  /** Set when a worker could not start: later jobs fail at once instead of starting more. */
  private broken: string | null = null;
  /** The native pool is one per process (shared by all threads): its size before the workers set it to 1. */
  private readonly threadsBefore: number;

  constructor(data: RunnerData, options: WorkerPoolOptions = {}) {
    this.workers = Math.max(1, Math.floor(options.workers ?? Math.min(8, os.availableParallelism())));
    this.threadsBefore = backendInfo().threads;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 300_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.init = {
      type: 'init', model: data.model, images: shared(data.images), labels: shared(data.labels), features: data.features,
      partitions: data.partitions.map((p) => shared(p)), threads: 1,
    };
    for (let i = 0; i < this.workers; i++) this.slots.push(this.startSlot());
  }

  private startSlot(): Slot {
    const worker = spawnWorker();
    const slot: Slot = { worker, ready: Promise.resolve(), busy: false, dead: false, pending: new Map() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a worker was not ready after ${this.startTimeoutMs} ms`)), this.startTimeoutMs);
      const onReady = (m: WorkerReply): void => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'error' && m.taskId === null) {
          clearTimeout(timer);
          reject(new Error(`a worker failed to start: ${m.message}`));
        }
      };
      worker.on('message', onReady);
      worker.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        reject(new Error('a worker exited before it was ready'));
      });
    });
    slot.ready.catch(() => {}); // reported when a job waits on it
    worker.on('message', (m: WorkerReply) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      if (m.taskId === null) return;
      const p = slot.pending.get(m.taskId);
      if (p === undefined) return;
      clearTimeout(p.timer);
      slot.pending.delete(m.taskId);
      p.resolve(m.type === 'result'
        ? { ok: true, client: p.client, weights: m.weights, numExamples: m.numExamples, metrics: m.metrics }
        : { ok: false, client: p.client, error: m.message });
    });
    const die = (why: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      for (const [, p] of slot.pending) {
        clearTimeout(p.timer);
        p.resolve({ ok: false, client: p.client, error: why });
      }
      slot.pending.clear();
    };
    worker.on('error', (e) => die(`the worker failed: ${e.message}`));
    worker.on('exit', (code) => die(`the worker exited (code ${code})`));
    worker.postMessage(this.init);
    return slot;
  }

  /** Runs one job on a slot, replacing the slot's worker if it dies or times out. */
  private async runOn(index: number, job: ClientJob): Promise<ClientOutcome> {
    if (this.broken !== null) return { ok: false, client: job.client, error: this.broken };
    let slot = this.slots[index]!;
    if (slot.dead) {
      slot = this.startSlot();
      this.slots[index] = slot;
    }
    try {
      await slot.ready;
    } catch (err) {
      slot.dead = true;
      void slot.worker.terminate();
      this.broken = (err as Error).message;
      return { ok: false, client: job.client, error: this.broken };
    }
    const taskId = this.nextTask++;
    const outcome = new Promise<ClientOutcome>((resolve) => {
      const timer = setTimeout(() => {
        slot.pending.delete(taskId);
        resolve({ ok: false, client: job.client, error: `no result within ${this.taskTimeoutMs} ms` });
        slot.dead = true;
        void slot.worker.terminate();
      }, this.taskTimeoutMs);
      slot.pending.set(taskId, { resolve, client: job.client, timer });
    });
    const task: WorkerTask = { type: 'train', taskId, client: job.client, weights: job.weights, config: job.config };
    try {
      slot.worker.postMessage(task, job.weights.map((w) => w.buffer as ArrayBuffer));
    } catch (err) {
      const p = slot.pending.get(taskId);
      if (p !== undefined) {
        clearTimeout(p.timer);
        slot.pending.delete(taskId);
      }
      return { ok: false, client: job.client, error: `could not send the job: ${(err as Error).message}` };
    }
    return outcome;
  }

  async run(jobs: readonly ClientJob[]): Promise<ClientOutcome[]> {
    const out = new Array<ClientOutcome>(jobs.length);
    if (this.closed) return jobs.map((j) => ({ ok: false, client: j.client, error: 'the runner is closed' }));
    let next = 0;
    // Each worker takes the next job when it is free.
    await Promise.all(this.slots.map(async (_, index) => {
      while (next < jobs.length) {
        const k = next++;
        out[k] = await this.runOn(index, jobs[k]!);
      }
    }));
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map(async (s) => {
      s.dead = true;
      await s.worker.terminate();
    }));
    // W workers each training on one core: the process's native pool ran at 1 thread meanwhile.
    setNumThreads(this.threadsBefore);
  }
}
