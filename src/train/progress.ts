/**
 * Training progress, as Keras prints it. verbose 1 on a terminal: a cli-progress bar per epoch
 * (batches done, ETA, samples/s, running loss and metrics) left on screen with the epoch's
 * final figures. verbose 1 elsewhere (a pipe, a log file, CI) or verbose 2: one line per epoch,
 * "Epoch 3/10 - 2.1s - loss: 0.1234 - accuracy: 0.9650 - val_loss: 0.2345". verbose 0: nothing.
 */
import cliProgress from 'cli-progress';
import { ArgumentError, describe } from '../errors.js';
import type { Callback, Logs } from './model.js';

/** Where progress goes: process.stdout by default; anything with write() (tests inject one). */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** True for a terminal: selects the progress bar at verbose 1. */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

export interface ProgressOptions {
  /** 0 silent, 1 bar on a TTY (a line per epoch otherwise), 2 a line per epoch. */
  verbose: 0 | 1 | 2;
  /** Total epochs (the "of" in "Epoch 3/10"). */
  epochs: number;
  /** Batches per epoch, or null when unknown (a batch source without stepsPerEpoch). */
  steps: number | null;
  /** Output (default process.stdout). */
  stream?: ProgressStream;
}

/** Minimum time between bar updates: rendering is throttled here, not per batch. */
const BAR_UPDATE_MS = 100;

/** Keys of batch logs that are bookkeeping, not figures. */
const HIDDEN_KEYS = new Set(['batch', 'size']);

/** Formats one figure as Keras does (4 decimals; tiny values in exponent form). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toFixed(4);
}

/** "loss: 0.1234 - accuracy: 0.9650" from logs. */
export function formatLogs(logs: Logs): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(logs)) {
    if (HIDDEN_KEYS.has(key)) continue;
    parts.push(`${key}: ${formatValue(value)}`);
  }
  return parts.join(' - ');
}

/** "850ms" below a second, "2.1s" above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The progress reporter fit() installs (first in the callback list). Besides the epoch hooks it
 * has `batch()`, which the fit loop calls directly after each batch: it only reads the clock
 * unless a bar redraw is due, so it costs nothing measurable per step.
 */
export class ProgressLogger implements Callback {
  private readonly verbose: 0 | 1 | 2;
  private readonly epochs: number;
  private steps: number | null;
  private readonly stream: ProgressStream;
  private readonly useBar: boolean;
  private bar: cliProgress.SingleBar | null = null;
  private epochStart = 0;
  private lastUpdate = 0;
  private samples = 0;
  private batches = 0;

  constructor(options: ProgressOptions) {
    const { verbose, epochs, steps } = options;
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) {
      throw new ArgumentError(`dendrite.fit: verbose must be 0, 1 or 2, got ${describe(verbose)}`);
    }
    this.verbose = verbose;
    this.epochs = epochs;
    this.steps = steps;
    this.stream = options.stream ?? process.stdout;
    this.useBar = verbose === 1 && this.stream.isTTY === true;
  }

  onEpochBegin(epoch: number): void {
    if (this.verbose === 0) return;
    this.epochStart = performance.now();
    this.lastUpdate = this.epochStart;
    this.samples = 0;
    this.batches = 0;
    if (!this.useBar) return;
    this.closeBar();
    const known = this.steps !== null;
    const format = known
      ? 'Epoch {epochNo}/{epochs} [{bar}] {value}/{total} - ETA {eta_formatted} - {speed} samples/s{figures}'
      : 'Epoch {epochNo}/{epochs} {value} batches - {speed} samples/s{figures}';
    this.bar = new cliProgress.SingleBar({
      format,
      stream: this.stream as NodeJS.WritableStream,
      barsize: 24,
      hideCursor: false,
      linewrap: false,
      gracefulExit: false,
      etaBuffer: 50,
      // Redraws come from batch() (throttled) and the final update; no timer of its own.
      fps: 1000 / BAR_UPDATE_MS,
    });
    this.bar.start(this.steps ?? 0, 0, { epochNo: epoch + 1, epochs: this.epochs, speed: '0', figures: '' });
  }

  /**
   * After each batch: `batches` done this epoch, `samples` seen this epoch, and a function giving
   * the running logs (only called when the bar is redrawn).
   */
  batch(batches: number, samples: number, logs: () => Logs): void {
    this.batches = batches;
    this.samples = samples;
    const bar = this.bar;
    if (bar === null) return;
    const now = performance.now();
    if (now - this.lastUpdate < BAR_UPDATE_MS && batches !== 1) return;
    this.lastUpdate = now;
    const total = this.steps;
    if (total !== null && batches > total) bar.setTotal(batches);
    bar.update(batches, this.payload(now, logs()));
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.verbose === 0) return;
    const now = performance.now();
    const bar = this.bar;
    if (bar !== null) {
      // Later epochs of a source of unknown length show a bar sized by this one.
      if (this.steps === null || this.steps !== this.batches) {
        this.steps = this.batches;
        bar.setTotal(this.batches);
      }
      bar.update(this.batches, this.payload(now, logs));
      bar.stop();
      this.bar = null;
      return;
    }
    const figures = formatLogs(logs);
    this.stream.write(
      `Epoch ${epoch + 1}/${this.epochs} - ${formatDuration(now - this.epochStart)}${figures === '' ? '' : ` - ${figures}`}\n`,
    );
  }

  onTrainEnd(): void {
    this.closeBar();
  }

  /** Stops a bar left open (training aborted or failed mid-epoch) so its timer does not linger. */
  closeBar(): void {
    if (this.bar !== null) {
      this.bar.stop();
      this.bar = null;
    }
  }

  private payload(now: number, logs: Logs): Record<string, unknown> {
    const seconds = (now - this.epochStart) / 1000;
    const speed = seconds > 0 ? Math.round(this.samples / seconds) : 0;
    const figures = formatLogs(logs);
    return { speed: String(speed), figures: figures === '' ? '' : ` - ${figures}` };
  }
}
