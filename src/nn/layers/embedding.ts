/**
 * Embedding: a trainable lookup table [inputDim, outputDim]; integer indices in, their rows out.
 * The lookup is one autograd op whose backward scatter-adds the output gradient into the rows
 * that were read (straight into the table's reusable .grad buffer when it is a leaf).
 */
import { gradSink, record } from '../../autograd.js';
import { ArgumentError, ValueError, describe, fmtShape } from '../../errors.js';
import { alloc, checkedSize } from '../../ops/checks.js';
import { Tensor } from '../../tensor.js';
import { type Initializer, type InitializerSpec, serializeInitializer } from '../initializers.js';
import { Layer, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';
import { initializerArg, singleShape } from './core.js';

/** Arguments of Embedding (tfjs names). */
export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: indices lie in [0, inputDim). */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Default RandomUniform(−0.05, 0.05), as Keras. */
  embeddingsInitializer?: InitializerSpec;
  /** tfjs/Keras 2 shorthand for inputShape: [inputLength]. */
  inputLength?: number;
}

/**
 * Rows of `table` [inputDim, outputDim] picked by the integer values of `indices` (any shape,
 * float storage); the output is [...indices.shape, outputDim]. A non-integer or out-of-range
 * index is a ValueError naming `op`, thrown before anything is read.
 */
export function embeddingLookup(table: Tensor, indices: Tensor, op = 'embedding'): Tensor {
  if (!(table instanceof Tensor) || table.rank !== 2) {
    throw new ArgumentError(`dendrite.${op}: table must be a 2-D Tensor, got ${table instanceof Tensor ? fmtShape(table.shape) : describe(table)}`);
  }
  if (!(indices instanceof Tensor)) throw new ArgumentError(`dendrite.${op}: indices must be a Tensor, got ${describe(indices)}`);
  const rows = table.shape[0]!;
  const dim = table.shape[1]!;
  const n = indices.size;
  const idx = new Int32Array(n);
  const src = indices.data;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < rows)) {
      throw new ValueError(
        `dendrite.${op}: index ${v} at position ${i} of indices ${fmtShape(indices.shape)} is not an integer in [0, ${rows}) (table ${fmtShape(table.shape)})`,
      );
    }
    idx[i] = v;
  }
  const outShape = [...indices.shape, dim];
  const out = alloc(op, checkedSize(op, outShape));
  const td = table.data;
  for (let i = 0; i < n; i++) out.set(td.subarray(idx[i]! * dim, idx[i]! * dim + dim), i * dim);
  return record(new Tensor(out, outShape), op, [table], (g) => {
    const gd = g.data;
    const sink = gradSink(table);
    const dst = sink?.data ?? alloc(op, table.size);
    if (sink !== null && sink.beta === 0) dst.fill(0);
    for (let i = 0; i < n; i++) {
      const o = idx[i]! * dim;
      const s = i * dim;
      for (let j = 0; j < dim; j++) dst[o + j]! += gd[s + j]!;
    }
    return [sink === null ? new Tensor(dst, table.shape) : null];
  });
}

function positiveIntArg(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ArgumentError(`dendrite.Embedding: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** Maps integer indices (a float tensor of any shape) to trainable vectors: [...] → [..., outputDim]. */
export class Embedding extends Layer<Tensor, Tensor> {
  readonly className: string = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly inputLength: number | undefined;
  embeddings: Tensor | null = null;

  constructor(args: EmbeddingArgs) {
    const a = (args ?? {}) as EmbeddingArgs;
    super(a.inputLength !== undefined && a.inputShape === undefined && a.batchInputShape === undefined
      ? { ...a, inputShape: [positiveIntArg('inputLength', a.inputLength)] }
      : a);
    this.inputDim = positiveIntArg('inputDim', a.inputDim);
    this.outputDim = positiveIntArg('outputDim', a.outputDim);
    this.inputLength = a.inputLength;
    this.embeddingsInitializer = initializerArg('Embedding', 'embeddingsInitializer', a.embeddingsInitializer, {
      className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 },
    });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape('Embedding', inputShape);
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer);
    super.build(shape);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  protected call(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) {
      throw new ArgumentError(`dendrite.Embedding: layer '${this.name}' input must be a Tensor of indices, got ${describe(input)}`);
    }
    return embeddingLookup(this.embeddings!, input, `Embedding: layer '${this.name}'`);
  }

  override getConfig(): LayerConfig {
    const config: LayerConfig = {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
    };
    if (this.inputLength !== undefined) config.inputLength = this.inputLength;
    return config;
  }
}

/** tfjs-style factory: `embedding({ inputDim: 1000, outputDim: 64 })`. */
export function embedding(args: EmbeddingArgs): Embedding {
  return new Embedding(args);
}

registerLayer('Embedding', Embedding as never);
