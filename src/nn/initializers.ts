/**
 * Weight initialisers, Keras-named: glorotUniform/glorot_uniform (xavier), heNormal (kaiming),
 * lecun, orthogonal, zeros, ones, constant, randomNormal, ... All draw from a seedable Random.
 *
 * Names resolve case- and underscore-insensitively, so tfjs camelCase ('glorotUniform',
 * 'leCunNormal'), Keras snake_case ('glorot_uniform') and Keras class names ('GlorotUniform') all
 * work. An initialiser built with a `seed` draws from its own generator seeded afresh on every
 * call, so it gives the same values each time and never touches the global generator.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import { Random } from '../random.js';

/** Fills a new buffer for a weight of `shape`; fan-in/out follow Keras' rules for the shape. */
export interface Initializer {
  /** Keras class name, e.g. 'GlorotUniform'. */
  readonly className: string;
  init(shape: readonly number[], rng: Random): Float32Array;
  /** JSON-serialisable arguments (seed, scale, ...), enough to rebuild it with getInitializer. */
  getConfig(): Record<string, unknown>;
}

/** A name ('glorotUniform' or 'glorot_uniform'), a serialised {className, config}, or an instance. */
export type InitializerSpec =
  | string
  | { readonly className: string; readonly config?: Record<string, unknown> }
  | Initializer;

/** Keras' fan rules: [n] → n/n; [in, out]; conv [..., inC, outC] → receptive field × inC / × outC. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** Fan mode of varianceScaling. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/** Distribution of varianceScaling; 'normal' means truncated normal, as in Keras and tfjs. */
export type Distribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

/** Common option of the random initialisers. */
export interface SeedArgs {
  /** Makes the initialiser deterministic and independent of the generator it is given. */
  seed?: number;
}

/** Arguments of varianceScaling. */
export interface VarianceScalingArgs extends SeedArgs {
  scale?: number;
  mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg';
  distribution?: Distribution | 'normal' | 'truncated_normal' | 'untruncated_normal';
}

function checkShape(op: string, shape: readonly number[]): number {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ArgumentError(`dendrite.initializers.${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  let n = 1;
  for (const d of shape) n *= d;
  if (n > 2 ** 31 - 1) throw new ValueError(`dendrite.initializers.${op}: shape [${shape.join(', ')}] is too large`);
  return n;
}

function checkNumber(op: string, what: string, v: unknown, positive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
    throw new ValueError(
      `dendrite.initializers.${op}: ${what} must be a finite${positive ? ' positive' : ''} number, got ${describe(v)}`,
    );
  }
  return v;
}

function checkSeed(op: string, seed: unknown): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  return checkNumber(op, 'seed', seed);
}

/** Shared seed handling: a seeded initialiser ignores the generator it is handed. */
abstract class RandomInitializer implements Initializer {
  abstract readonly className: string;
  protected readonly seed: number | undefined;

  constructor(op: string, seed: unknown) {
    this.seed = checkSeed(op, seed);
  }

  init(shape: readonly number[], rng: Random): Float32Array {
    const n = checkShape(this.className, shape);
    const gen = this.seed !== undefined ? new Random(this.seed) : rng;
    if (!(gen instanceof Random)) {
      throw new ArgumentError(`dendrite.initializers.${this.className}: rng must be a Random, got ${describe(gen)}`);
    }
    return this.fill(shape, n, gen);
  }

  protected abstract fill(shape: readonly number[], size: number, rng: Random): Float32Array;

  getConfig(): Record<string, unknown> {
    return this.seed !== undefined ? { seed: this.seed } : {};
  }
}

function uniformFill(n: number, rng: Random, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniformRange(lo, hi);
  return out;
}

function normalFill(n: number, rng: Random, mean: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** Normal values redrawn until within two standard deviations of the mean (Keras' rule). */
function truncatedFill(n: number, rng: Random, mean: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = mean + std * z;
  }
  return out;
}

/** All zeros. */
export class Zeros implements Initializer {
  readonly className: string = 'Zeros';
  init(shape: readonly number[]): Float32Array {
    return new Float32Array(checkShape(this.className, shape));
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}

/** All ones. */
export class Ones implements Initializer {
  readonly className: string = 'Ones';
  init(shape: readonly number[]): Float32Array {
    return new Float32Array(checkShape(this.className, shape)).fill(1);
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}

/** Every element `value`. */
export class Constant implements Initializer {
  readonly className: string = 'Constant';
  readonly value: number;
  constructor(args: { value?: number } = {}) {
    this.value = checkNumber('Constant', 'value', args.value ?? 0);
  }
  init(shape: readonly number[]): Float32Array {
    return new Float32Array(checkShape(this.className, shape)).fill(this.value);
  }
  getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

/** Uniform in [minval, maxval) (default ±0.05). */
export class RandomUniform extends RandomInitializer {
  readonly className: string = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  constructor(args: { minval?: number; maxval?: number } & SeedArgs = {}) {
    super('RandomUniform', args.seed);
    this.minval = checkNumber('RandomUniform', 'minval', args.minval ?? -0.05);
    this.maxval = checkNumber('RandomUniform', 'maxval', args.maxval ?? 0.05);
    if (this.maxval < this.minval) {
      throw new ValueError(`dendrite.initializers.RandomUniform: maxval (${this.maxval}) must be >= minval (${this.minval})`);
    }
  }
  protected fill(_shape: readonly number[], n: number, rng: Random): Float32Array {
    return uniformFill(n, rng, this.minval, this.maxval);
  }
  override getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, ...super.getConfig() };
  }
}

/** Normal with `mean` and `stddev` (default 0, 0.05). */
export class RandomNormal extends RandomInitializer {
  readonly className: string = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  constructor(args: { mean?: number; stddev?: number } & SeedArgs = {}) {
    super('RandomNormal', args.seed);
    this.mean = checkNumber('RandomNormal', 'mean', args.mean ?? 0);
    this.stddev = checkNumber('RandomNormal', 'stddev', args.stddev ?? 0.05);
    if (this.stddev < 0) throw new ValueError(`dendrite.initializers.RandomNormal: stddev must be >= 0, got ${this.stddev}`);
  }
  protected fill(_shape: readonly number[], n: number, rng: Random): Float32Array {
    return normalFill(n, rng, this.mean, this.stddev);
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, ...super.getConfig() };
  }
}

/** Normal with values beyond two standard deviations redrawn (default 0, 0.05). */
export class TruncatedNormal extends RandomInitializer {
  readonly className: string = 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;
  constructor(args: { mean?: number; stddev?: number } & SeedArgs = {}) {
    super('TruncatedNormal', args.seed);
    this.mean = checkNumber('TruncatedNormal', 'mean', args.mean ?? 0);
    this.stddev = checkNumber('TruncatedNormal', 'stddev', args.stddev ?? 0.05);
    if (this.stddev < 0) throw new ValueError(`dendrite.initializers.TruncatedNormal: stddev must be >= 0, got ${this.stddev}`);
  }
  protected fill(_shape: readonly number[], n: number, rng: Random): Float32Array {
    return truncatedFill(n, rng, this.mean, this.stddev);
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, ...super.getConfig() };
  }
}

// Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores the variance.
const TRUNCATED_STD = 0.87962566103423978;

const FAN_MODES: Record<string, FanMode> = { fanin: 'fanIn', fanout: 'fanOut', fanavg: 'fanAvg' };
const DISTRIBUTIONS: Record<string, Distribution> = {
  normal: 'truncatedNormal',
  truncatednormal: 'truncatedNormal',
  untruncatednormal: 'untruncatedNormal',
  uniform: 'uniform',
};

/**
 * Variance scaling, the family behind glorot/he/lecun: variance = scale / fan, where fan is
 * fanIn, fanOut or their mean; drawn from a (truncated or plain) normal or a uniform of that
 * variance.
 */
export class VarianceScaling extends RandomInitializer {
  readonly className: string = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;

  constructor(args: VarianceScalingArgs = {}) {
    super('VarianceScaling', args.seed);
    this.scale = checkNumber('VarianceScaling', 'scale', args.scale ?? 1, true);
    const mode = FAN_MODES[normKey(args.mode ?? 'fanIn')];
    if (mode === undefined) {
      throw new ArgumentError(`dendrite.initializers.VarianceScaling: mode must be 'fanIn', 'fanOut' or 'fanAvg', got ${describe(args.mode)}`);
    }
    const dist = DISTRIBUTIONS[normKey(args.distribution ?? 'truncatedNormal')];
    if (dist === undefined) {
      throw new ArgumentError(
        `dendrite.initializers.VarianceScaling: distribution must be 'truncatedNormal', 'untruncatedNormal', 'normal' or 'uniform', got ${describe(args.distribution)}`,
      );
    }
    this.mode = mode;
    this.distribution = dist;
  }

  protected fill(shape: readonly number[], n: number, rng: Random): Float32Array {
    const { fanIn, fanOut } = computeFans(shape);
    const fan = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, fan);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return uniformFill(n, rng, -limit, limit);
    }
    if (this.distribution === 'untruncatedNormal') return normalFill(n, rng, 0, Math.sqrt(variance));
    return truncatedFill(n, rng, 0, Math.sqrt(variance) / TRUNCATED_STD);
  }

  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, ...super.getConfig() };
  }
}

/** A named preset of VarianceScaling (GlorotUniform, HeNormal, ...): its config is only the seed. */
class Preset extends VarianceScaling {
  override readonly className: string;
  constructor(className: string, scale: number, mode: FanMode, distribution: Distribution, args: SeedArgs) {
    super({ scale, mode, distribution, seed: args.seed });
    this.className = className;
  }
  override getConfig(): Record<string, unknown> {
    return this.seed !== undefined ? { seed: this.seed } : {};
  }
}

/** Glorot (Xavier) uniform: U(±sqrt(6 / (fanIn + fanOut))). */
export function glorotUniform(args: SeedArgs = {}): Initializer {
  return new Preset('GlorotUniform', 1, 'fanAvg', 'uniform', args);
}
/** Glorot (Xavier) normal: truncated normal, stddev sqrt(2 / (fanIn + fanOut)). */
export function glorotNormal(args: SeedArgs = {}): Initializer {
  return new Preset('GlorotNormal', 1, 'fanAvg', 'truncatedNormal', args);
}
/** He (Kaiming) uniform: U(±sqrt(6 / fanIn)). */
export function heUniform(args: SeedArgs = {}): Initializer {
  return new Preset('HeUniform', 2, 'fanIn', 'uniform', args);
}
/** He (Kaiming) normal: truncated normal, stddev sqrt(2 / fanIn). */
export function heNormal(args: SeedArgs = {}): Initializer {
  return new Preset('HeNormal', 2, 'fanIn', 'truncatedNormal', args);
}
/** LeCun uniform: U(±sqrt(3 / fanIn)). */
export function lecunUniform(args: SeedArgs = {}): Initializer {
  return new Preset('LecunUniform', 1, 'fanIn', 'uniform', args);
}
/** LeCun normal: truncated normal, stddev sqrt(1 / fanIn). */
export function lecunNormal(args: SeedArgs = {}): Initializer {
  return new Preset('LecunNormal', 1, 'fanIn', 'truncatedNormal', args);
}
/** Alias of glorotUniform. */
export const xavierUniform = glorotUniform;
/** Alias of glorotNormal. */
export const xavierNormal = glorotNormal;
/** Alias of heUniform. */
export const kaimingUniform = heUniform;
/** Alias of heNormal. */
export const kaimingNormal = heNormal;

/**
 * A (semi-)orthogonal matrix times `gain`, for recurrent kernels. The weight is seen as
 * [product of all but the last dimension, last dimension]; a Gaussian matrix is factorised by QR
 * (Gram–Schmidt in float64, twice for accuracy) with R's diagonal made positive, so the result
 * is uniformly distributed over orthogonal matrices.
 */
export class Orthogonal extends RandomInitializer {
  readonly className: string = 'Orthogonal';
  readonly gain: number;
  constructor(args: { gain?: number } & SeedArgs = {}) {
    super('Orthogonal', args.seed);
    this.gain = checkNumber('Orthogonal', 'gain', args.gain ?? 1);
  }

  protected fill(shape: readonly number[], n: number, rng: Random): Float32Array {
    if (shape.length < 2) {
      throw new ArgumentError(`dendrite.initializers.Orthogonal: needs a weight of rank 2 or more, got shape [${shape.join(', ')}]`);
    }
    const cols = shape[shape.length - 1];
    const rows = cols === 0 ? 0 : n / cols;
    const out = new Float32Array(n);
    if (n === 0) return out;
    // Orthonormalise the k = min(rows, cols) columns of a tall m × k Gaussian matrix.
    const m = Math.max(rows, cols);
    const k = Math.min(rows, cols);
    const q = new Float64Array(m * k); // column-major: column j at q[j*m .. j*m+m)
    for (let i = 0; i < m * k; i++) q[i] = rng.normal();
    for (let j = 0; j < k; j++) {
      const cj = j * m;
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const cp = p * m;
          let dot = 0;
          for (let i = 0; i < m; i++) dot += q[cp + i] * q[cj + i];
          for (let i = 0; i < m; i++) q[cj + i] -= dot * q[cp + i];
        }
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += q[cj + i] * q[cj + i];
      norm = Math.sqrt(norm);
      if (norm < 1e-300) {
        // A degenerate draw (practically impossible): redraw this column.
        for (let i = 0; i < m; i++) q[cj + i] = rng.normal();
        j--;
        continue;
      }
      for (let i = 0; i < m; i++) q[cj + i] /= norm;
    }
    // rows >= cols: W[r][c] = Q[r][c]; otherwise W = Qᵀ, W[r][c] = Q[c][r].
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        out[r * cols + c] = this.gain * (rows >= cols ? q[c * m + r] : q[r * m + c]);
      }
    }
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { gain: this.gain, ...super.getConfig() };
  }
}

/** `gain` times the identity, for 2-D square or rectangular weights. */
export class Identity implements Initializer {
  readonly className: string = 'Identity';
  readonly gain: number;
  constructor(args: { gain?: number } = {}) {
    this.gain = checkNumber('Identity', 'gain', args.gain ?? 1);
  }
  init(shape: readonly number[]): Float32Array {
    const n = checkShape(this.className, shape);
    if (shape.length !== 2) {
      throw new ArgumentError(`dendrite.initializers.Identity: needs a 2-D weight, got shape [${shape.join(', ')}]`);
    }
    const out = new Float32Array(n);
    for (let i = 0; i < Math.min(shape[0], shape[1]); i++) out[i * shape[1] + i] = this.gain;
    return out;
  }
  getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}

/** Factory for zeros. */
export function zeros(): Initializer {
  return new Zeros();
}
/** Factory for ones. */
export function ones(): Initializer {
  return new Ones();
}
/** Factory for constant(value). */
export function constant(args: { value?: number } = {}): Initializer {
  return new Constant(args);
}
/** Factory for randomUniform(minval, maxval). */
export function randomUniform(args: { minval?: number; maxval?: number } & SeedArgs = {}): Initializer {
  return new RandomUniform(args);
}
/** Factory for randomNormal(mean, stddev). */
export function randomNormal(args: { mean?: number; stddev?: number } & SeedArgs = {}): Initializer {
  return new RandomNormal(args);
}
/** Factory for truncatedNormal(mean, stddev). */
export function truncatedNormal(args: { mean?: number; stddev?: number } & SeedArgs = {}): Initializer {
  return new TruncatedNormal(args);
}
/** Factory for varianceScaling(scale, mode, distribution). */
export function varianceScaling(args: VarianceScalingArgs = {}): Initializer {
  return new VarianceScaling(args);
}
/** Factory for orthogonal(gain). */
export function orthogonal(args: { gain?: number } & SeedArgs = {}): Initializer {
  return new Orthogonal(args);
}
/** Factory for identity(gain). */
export function identity(args: { gain?: number } = {}): Initializer {
  return new Identity(args);
}

type Factory = (config: Record<string, unknown>) => Initializer;

// Keyed by the name lower-cased without underscores, so every spelling meets the same entry.
const FACTORIES: Record<string, Factory> = {
  glorotuniform: glorotUniform,
  xavieruniform: glorotUniform,
  glorotnormal: glorotNormal,
  xaviernormal: glorotNormal,
  heuniform: heUniform,
  kaiminguniform: heUniform,
  henormal: heNormal,
  kaimingnormal: heNormal,
  lecununiform: lecunUniform,
  lecunnormal: lecunNormal,
  orthogonal: (c) => new Orthogonal(c),
  identity: (c) => new Identity(c),
  zeros: () => new Zeros(),
  zero: () => new Zeros(),
  ones: () => new Ones(),
  one: () => new Ones(),
  constant: (c) => new Constant(c),
  randomuniform: (c) => new RandomUniform(c),
  uniform: (c) => new RandomUniform(c),
  randomnormal: (c) => new RandomNormal(c),
  normal: (c) => new RandomNormal(c),
  truncatednormal: (c) => new TruncatedNormal(c),
  variancescaling: (c) => new VarianceScaling(c as VarianceScalingArgs),
};

const CANONICAL = [
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'orthogonal',
  'identity', 'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal', 'varianceScaling',
];

function normKey(name: unknown): string {
  return typeof name === 'string' ? name.replace(/_/g, '').toLowerCase() : '';
}

function isInitializer(v: unknown): v is Initializer {
  return (
    typeof v === 'object' && v !== null &&
    typeof (v as Initializer).init === 'function' &&
    typeof (v as Initializer).getConfig === 'function' &&
    typeof (v as Initializer).className === 'string'
  );
}

/** Resolves an initialiser spec; ArgumentError naming the valid choices for an unknown name. */
export function getInitializer(spec: InitializerSpec): Initializer {
  if (isInitializer(spec)) return spec;
  let name: unknown;
  let config: unknown = {};
  if (typeof spec === 'string') {
    name = spec;
  } else if (typeof spec === 'object' && spec !== null && typeof spec.className === 'string') {
    name = spec.className;
    config = spec.config ?? {};
  } else {
    throw new ArgumentError(
      `dendrite.getInitializer: expected a name, {className, config} or an Initializer, got ${describe(spec)}`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ArgumentError(`dendrite.getInitializer: config of '${String(name)}' must be an object, got ${describe(config)}`);
  }
  const factory = FACTORIES[normKey(name)];
  if (factory === undefined) {
    throw new ArgumentError(`dendrite.getInitializer: unknown initializer ${describe(name)} (known: ${CANONICAL.join(', ')})`);
  }
  return factory(config as Record<string, unknown>);
}

/** {className, config} of an initialiser: what a layer's getConfig stores. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: init.className, config: init.getConfig() };
}
