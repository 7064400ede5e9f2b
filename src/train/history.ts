/**
 * HistoryCallback: Keras' History. fit() appends one to every run (last in the callback list,
 * so values other callbacks add to the epoch logs, such as 'lr', are recorded too) and returns
 * it; `model.history` keeps the last one.
 */
import type { Callback, History, Logs } from './model.js';

export class HistoryCallback implements History, Callback {
  /** Epoch indices that completed, in order. */
  readonly epoch: number[] = [];
  /** Per-key values, one per completed epoch ('loss', 'accuracy', 'val_loss', ...). */
  readonly history: Record<string, number[]> = {};

  onTrainBegin(): void {
    this.epoch.length = 0;
    for (const key of Object.keys(this.history)) delete this.history[key];
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      let values = this.history[key];
      if (values === undefined) {
        // A key first seen late (e.g. a callback started logging 'lr'): earlier epochs are NaN so
        // every list lines up with `epoch`.
        values = new Array<number>(this.epoch.length - 1).fill(Number.NaN);
        this.history[key] = values;
      }
      values.push(value);
    }
    for (const values of Object.values(this.history)) {
      if (values.length < this.epoch.length) values.push(Number.NaN);
    }
  }
}
