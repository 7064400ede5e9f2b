/**
 * Layer: the Keras-style module. A layer is configured by plain arguments (its config, which is
 * also what it serialises to), creates its weights in `build` once it sees its input shape, and
 * computes in `call`. `forward`/`apply` build on first use, so a layer works both inside
 * `sequential([...])` and on its own, PyTorch style.
 *
 * Layers register themselves by Keras class name (registerLayer) so a saved topology can be
 * rebuilt (layerFromConfig).
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { type Random, globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import { type InitializerSpec, getInitializer } from './initializers.js';
import { Module } from './module.js';

/** A shape with the batch dimension (and other unknown sizes) as null. */
export type Shape = readonly (number | null)[];

/** JSON-serialisable layer configuration. */
export type LayerConfig = Record<string, unknown>;

/** A layer as it is serialised: its Keras class name and config. */
export interface SerializedLayer {
  readonly className: string;
  readonly config: LayerConfig;
}

/** Arguments every layer takes (tfjs-layers names). */
export interface LayerArgs {
  /** Unique name; default: the snake_case class name with a counter ('dense', 'dense_1'). */
  name?: string;
  /** Shape of one sample (no batch dimension); lets a model build before it sees data. */
  inputShape?: readonly (number | null)[];
  /** Full input shape including the batch dimension (null for any). */
  batchInputShape?: Shape;
  /** With inputShape: a fixed batch size. */
  batchSize?: number;
  /** Whether the layer's weights are updated by training (default true). */
  trainable?: boolean;
  /** Only 'float32' exists. */
  dtype?: 'float32';
}

/** Per-call arguments. */
export interface CallArgs {
  /** Overrides the module's training mode for this call (dropout, batch norm). */
  training?: boolean;
  /** Initial state of a recurrent layer. */
  initialState?: readonly Tensor[];
}

const nameCounters = new Map<string, number>();

/** Keras' unique default names: 'dense', then 'dense_1', 'dense_2', ... */
export function uniqueLayerName(base: string): string {
  const n = nameCounters.get(base) ?? 0;
  nameCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** 'BatchNormalization' → 'batch_normalization', 'Conv2D' → 'conv2d', 'LSTM' → 'lstm'. */
export function snakeCase(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/(\d)_d\b/gi, '$1d')
    .toLowerCase();
}

export abstract class Layer<I = Tensor, O = Tensor> extends Module<I, O> {
  /** Keras class name, e.g. 'Dense'; the key of the layer registry. */
  abstract readonly className: string;
  readonly name: string;
  /** Whether build() has created the weights. */
  built = false;
  /** Declared input shape with the batch dimension, when given (or once built). */
  batchInputShape: Shape | null;
  private trainableFlag: boolean;

  constructor(args: LayerArgs = {}) {
    super();
    if (args === null || typeof args !== 'object') {
      throw new ArgumentError(`dendrite.layers: arguments must be an object, got ${describe(args)}`);
    }
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '' || args.name.includes('.'))) {
      throw new ArgumentError(`dendrite.layers: name must be a non-empty string without '.', got ${describe(args.name)}`);
    }
    if (args.dtype !== undefined && args.dtype !== 'float32') {
      throw new ArgumentError(`dendrite.layers: dtype must be 'float32', got ${describe(args.dtype)}`);
    }
    this.name = args.name ?? uniqueLayerName(snakeCase(new.target.name));
    this.trainableFlag = args.trainable !== false;
    if (args.batchInputShape !== undefined) {
      this.batchInputShape = checkShapeArg(this.name, 'batchInputShape', args.batchInputShape);
    } else if (args.inputShape !== undefined) {
      const s = checkShapeArg(this.name, 'inputShape', args.inputShape);
      this.batchInputShape = [args.batchSize ?? null, ...s];
    } else {
      this.batchInputShape = null;
    }
  }

  /** Whether training updates this layer's weights; false freezes them (they stay in stateDict). */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(flag: boolean) {
    this.trainableFlag = flag;
    for (const [, t] of this.stateDict()) if (this.isWeight(t)) t.requiresGrad = flag;
  }

  /**
   * Creates the weights for an input of `inputShape` (batch dimension included, usually null).
   * Subclasses call addWeight here and then super.build(inputShape).
   */
  build(inputShape: Shape | Shape[]): void {
    if (!Array.isArray(inputShape[0]) && this.batchInputShape === null) this.batchInputShape = inputShape as Shape;
    this.built = true;
  }

  /** The output shape for an input of `inputShape` (batch dimension included). */
  computeOutputShape(inputShape: Shape): Shape | Shape[] {
    return inputShape;
  }

  /** The computation on built weights; `args.training` is already resolved. */
  protected abstract call(input: I, args: Required<Pick<CallArgs, 'training'>> & CallArgs): O;

  /** Builds on first use, then runs call(). */
  forward(input: I, args: CallArgs = {}): O {
    if (!this.built) this.build(shapeOfInput(input));
    return this.call(input, { ...args, training: args.training ?? this.training });
  }

  /** Keras' name for forward. */
  apply(input: I, args: CallArgs = {}): O {
    return this.forward(input, args);
  }

  /**
   * Creates a weight, registers it (trainable: a parameter; otherwise a buffer) and returns it.
   * `rng` defaults to the global generator (manualSeed makes it reproducible).
   */
  protected addWeight(
    name: string, shape: readonly number[], initializer: InitializerSpec, options: { trainable?: boolean; rng?: Random } = {},
  ): Tensor {
    const init = getInitializer(initializer);
    const data = init.init(shape, options.rng ?? globalRandom);
    const t = new Tensor(data, shape);
    if (options.trainable === false) {
      this.registerBuffer(name, t);
    } else {
      this.registerParameter(name, t);
      t.requiresGrad = this.trainableFlag;
      this.weightSet.add(t);
    }
    return t;
  }

  private readonly weightSet = new Set<Tensor>();

  private isWeight(t: Tensor): boolean {
    return this.weightSet.has(t);
  }

  /** All weights (parameters and buffers), as Keras' layer.weights. */
  get weights(): Tensor[] {
    return [...this.stateDict().values()];
  }

  /** Copies of the weights, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((t) => new Tensor(new Float32Array(t.data), t.shape));
  }

  /** Sets the weights in `weights` order (shapes must match). */
  setWeights(values: readonly Tensor[]): void {
    const own = this.weights;
    if (!Array.isArray(values) || values.length !== own.length) {
      throw new ArgumentError(`dendrite.${this.className}.setWeights: expected ${own.length} tensors, got ${describe(values)}`);
    }
    own.forEach((t, i) => {
      const v = values[i];
      if (!(v instanceof Tensor) || v.shape.length !== t.shape.length || v.shape.some((d, k) => d !== t.shape[k])) {
        throw new ShapeError(
          `dendrite.${this.className}.setWeights: weight ${i} needs shape ${fmtShape(t.shape)}, got ${v instanceof Tensor ? fmtShape(v.shape) : describe(v)}`,
        );
      }
      t.data.set(v.data);
    });
  }

  /**
   * The layer's arguments as JSON (what its constructor takes back). Subclasses extend it with
   * their own arguments: `{ ...super.getConfig(), units: this.units, ... }`.
   */
  getConfig(): LayerConfig {
    const config: LayerConfig = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape !== null) config.batchInputShape = [...this.batchInputShape];
    return config;
  }

  /** {className, config}: what a saved topology stores for this layer. */
  serialize(): SerializedLayer {
    return { className: this.className, config: this.getConfig() };
  }
}

type LayerConstructor = new (args: never) => Layer<unknown, unknown>;

const registry = new Map<string, LayerConstructor>();

/** Makes a layer class loadable by its Keras class name. */
export function registerLayer(className: string, ctor: LayerConstructor): void {
  registry.set(className, ctor);
}

/** Rebuilds a layer from {className, config}; ArgumentError for an unknown class. */
export function layerFromConfig(serialized: SerializedLayer): Layer<unknown, unknown> {
  if (serialized === null || typeof serialized !== 'object' || typeof serialized.className !== 'string') {
    throw new ArgumentError(`dendrite.layerFromConfig: expected {className, config}, got ${describe(serialized)}`);
  }
  const ctor = registry.get(serialized.className);
  if (ctor === undefined) {
    throw new ArgumentError(
      `dendrite.layerFromConfig: unknown layer class '${serialized.className}' (known: ${[...registry.keys()].sort().join(', ')})`,
    );
  }
  return new ctor((serialized.config ?? {}) as never);
}

/** Registered layer class names. */
export function registeredLayers(): string[] {
  return [...registry.keys()];
}

function checkShapeArg(layer: string, what: string, shape: unknown): (number | null)[] {
  if (!Array.isArray(shape) || shape.some((d) => d !== null && !(Number.isInteger(d) && d >= 0))) {
    throw new ArgumentError(`dendrite.${layer}: ${what} must be an array of non-negative integers (or null), got ${describe(shape)}`);
  }
  return [...(shape as (number | null)[])];
}

/** The input's shape with the batch dimension as null (a list for several inputs). */
export function shapeOfInput(input: unknown): Shape | Shape[] {
  if (input instanceof Tensor) return [null, ...input.shape.slice(1)];
  if (Array.isArray(input) && input.every((t) => t instanceof Tensor)) {
    return input.map((t: Tensor) => [null, ...t.shape.slice(1)]);
  }
  throw new ArgumentError(`dendrite.layers: input must be a Tensor or an array of Tensors, got ${describe(input)}`);
}
