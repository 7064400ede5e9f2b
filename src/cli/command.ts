/**
 * The `dendrite` command line: each command is one module exporting a Command. Options are
 * parsed with Node's util.parseArgs; the runner (src/cli/main.ts) prints help, turns bad flags
 * and values into a clear message and exit code 2 (UsageError), other failures into exit code 1
 * (message only, no stack trace), and success into 0.
 */

/** One option of a command, as util.parseArgs takes it, plus help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly default?: string | boolean;
  /** One line for --help; mention the default. */
  readonly description: string;
  /** Shown in help as --name <valueName>. */
  readonly valueName?: string;
}

/** Where a command writes (injectable for tests). */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

export interface Command {
  /** e.g. 'train', 'predict', 'hopfield'. */
  readonly name: string;
  /** One line for `dendrite --help`. */
  readonly summary: string;
  /** Positional arguments for help, e.g. '<dataset: mnist | fashion-mnist>'. */
  readonly usage?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Runs with parsed values; returns the exit code (0 normally). Throw UsageError for bad values. */
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: CommandIo): Promise<number>;
}

/** A bad flag or value: the runner prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every program command shares. */
export const COMMON_OPTIONS = {
  out: { type: 'string', default: 'out', valueName: 'dir', description: 'folder for charts and saved models (default ./out)' },
  seed: { type: 'string', valueName: 'n', description: 'random seed (default 1)' },
  threads: { type: 'string', valueName: 'n', description: 'native threads (default: all CPUs)' },
  json: { type: 'boolean', description: 'print one JSON summary line at the end' },
  fast: { type: 'boolean', description: 'a quick run with fewer samples and epochs (tests use it)' },
} as const satisfies Record<string, OptionSpec>;

/** Parses a positive integer option; UsageError naming the flag otherwise. */
export function intOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min = 1): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${String(v)}'`);
  return n;
}
