/**
 * Checks on what a client sends before the server uses it. An update is plain data (arrays of
 * numbers and a count); nothing received is ever run as code. A bad update is turned into a
 * typed Rejection the server collects per round, never into an exception that stops the round.
 */
import { describe, fmtShape } from '../errors.js';
import type { WeightShapes } from './parameters.js';

/** What a client returns after local training. */
export interface ClientUpdate {
  /** Which client sent it (for logs and rejections). */
  readonly clientId: number | string;
  /**
   * The client's parameters after training (`kind: 'weights'`, the default) or its change from
   * the global parameters it started from (`kind: 'delta'`), one array per model parameter.
   */
  readonly weights: readonly Float32Array[];
  readonly kind?: 'weights' | 'delta';
  /** Local training examples (FedAvg's weight). */
  readonly numExamples: number;
  /** Anything the client reports (loss, accuracy, steps, seconds). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** Why an update was not used. */
export type RejectionKind =
  /** Not an object with an array of Float32Arrays. */
  | 'malformed'
  /** A different number of arrays than the model has parameters. */
  | 'count'
  /** An array of the wrong length. */
  | 'shape'
  /** NaN or ±Infinity in an array. */
  | 'nonfinite'
  /** The update's L2 norm is above the configured bound. */
  | 'norm'
  /** numExamples is not a positive integer. */
  | 'examples';

/** One rejected update, with the reason in words and in fields. */
export interface Rejection {
  readonly round: number;
  readonly clientId: number | string;
  readonly kind: RejectionKind;
  readonly message: string;
  /** The parameter index at fault (count/shape/nonfinite). */
  readonly index?: number;
  readonly expected?: number;
  readonly got?: number;
}

/** Limits beyond the layout. */
export interface ValidationLimits {
  /** Reject an update whose change from the global parameters has an L2 norm above this. */
  readonly maxUpdateNorm?: number;
}

/**
 * Checks `update` against the model layout `shapes`; returns null when it may be used, else the
 * Rejection. `updateNorm` computes the norm of the update's change (only called when a bound is
 * set and the layout is right).
 */
export function validateUpdate(
  update: unknown, shapes: WeightShapes, round: number, limits: ValidationLimits, updateNorm: (u: ClientUpdate) => number,
): Rejection | null {
  const u = update as Partial<ClientUpdate> | null;
  const clientId = u !== null && typeof u === 'object' && (typeof u.clientId === 'number' || typeof u.clientId === 'string') ? u.clientId : '?';
  const reject = (kind: RejectionKind, message: string, extra: Partial<Rejection> = {}): Rejection => ({ round, clientId, kind, message, ...extra });
  if (u === null || typeof u !== 'object') return reject('malformed', `the update is ${describe(update)}, not an object`);
  if (u.kind !== undefined && u.kind !== 'weights' && u.kind !== 'delta') return reject('malformed', `kind must be 'weights' or 'delta', got ${describe(u.kind)}`);
  if (!Array.isArray(u.weights)) return reject('malformed', `weights must be an array of Float32Arrays, got ${describe(u.weights)}`);
  if (u.weights.length !== shapes.length) {
    return reject('count', `${u.weights.length} arrays for a model of ${shapes.length} parameters`, { expected: shapes.length, got: u.weights.length });
  }
  for (let i = 0; i < shapes.length; i++) {
    const w: unknown = u.weights[i];
    const size = shapes[i]!.reduce((a, b) => a * b, 1);
    if (!(w instanceof Float32Array)) return reject('malformed', `array ${i} is ${describe(w)}, not a Float32Array`, { index: i });
    if (w.length !== size) {
      return reject('shape', `array ${i} has ${w.length} values; parameter ${i} has shape ${fmtShape(shapes[i]!)} (${size} values)`, { index: i, expected: size, got: w.length });
    }
    for (let j = 0; j < w.length; j++) {
      if (!Number.isFinite(w[j]!)) return reject('nonfinite', `array ${i} holds ${w[j]} at position ${j}`, { index: i });
    }
  }
  const n = u.numExamples;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return reject('examples', `numExamples must be a positive integer, got ${describe(n)}`);
  const bound = limits.maxUpdateNorm;
  if (bound !== undefined && Number.isFinite(bound)) {
    const norm = updateNorm(u as ClientUpdate);
    if (!(norm <= bound)) return reject('norm', `update norm ${norm.toPrecision(4)} is above the bound ${bound}`, { expected: bound, got: norm });
  }
  return null;
}
