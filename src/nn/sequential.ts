/**
 * Sequential: a stack of single-input, single-output layers, Keras style. The input shape comes
 * from the first layer's `inputShape` (the model builds at once, so `summary()` works before
 * training) or from the first batch it sees.
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Model } from '../train/model.js';
import {
  type CallArgs, Layer, type LayerArgs, type LayerConfig, type SerializedLayer, type Shape, layerFromConfig,
  registerLayer,
} from './layer.js';

export interface SequentialArgs extends Omit<LayerArgs, 'inputShape' | 'batchInputShape' | 'batchSize'> {
  /** Layers, or their serialised forms ({className, config}, as getConfig writes them). */
  layers?: readonly (Layer<Tensor, Tensor> | SerializedLayer)[];
}

export class Sequential extends Model {
  readonly className = 'Sequential';
  private readonly stack: Layer<Tensor, Tensor>[] = [];

  constructor(args: SequentialArgs | readonly Layer<Tensor, Tensor>[] = {}) {
    const opts: SequentialArgs = Array.isArray(args) ? { layers: args } : (args as SequentialArgs);
    const { layers: _layers, ...layerArgs } = opts as SequentialArgs & LayerArgs;
    super({ ...layerArgs, batchInputShape: undefined, inputShape: undefined });
    const layers = opts.layers ?? [];
    if (!Array.isArray(layers)) throw new ArgumentError(`dendrite.sequential: layers must be an array, got ${describe(layers)}`);
    for (const layer of layers) {
      this.add(layer instanceof Layer ? layer : (layerFromConfig(layer) as Layer<Tensor, Tensor>));
    }
  }

  /** The layers, in order. */
  get layers(): Layer<Tensor, Tensor>[] {
    return [...this.stack];
  }

  /** Appends a layer (Keras' model.add); builds it at once when the input shape is known. */
  add(layer: Layer<Tensor, Tensor>): void {
    if (!(layer instanceof Layer)) throw new ArgumentError(`dendrite.Sequential.add: expected a Layer, got ${describe(layer)}`);
    if (this.stack.includes(layer)) throw new ArgumentError(`dendrite.Sequential.add: layer '${layer.name}' is already in the model`);
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new ArgumentError(`dendrite.Sequential.add: a layer named '${layer.name}' is already in the model`);
    }
    this.stack.push(layer);
    this.registerModule(layer.name, layer);
    const first = this.stack[0]!;
    const inShape = this.batchInputShape ?? first.batchInputShape;
    if (inShape !== null) {
      if (this.built) this.buildFrom(this.stack.length - 1, this.outputShapeAt(this.stack.length - 2, inShape));
      else this.build(inShape);
    }
  }

  /** Removes the last layer (Keras' model.pop). */
  pop(): Layer<Tensor, Tensor> {
    const layer = this.stack.pop();
    if (layer === undefined) throw new ArgumentError('dendrite.Sequential.pop: the model has no layers');
    this.unregisterModule(layer.name);
    return layer;
  }

  override build(inputShape: Shape | Shape[]): void {
    if (Array.isArray(inputShape[0])) throw new ArgumentError('dendrite.Sequential: takes a single input');
    const shape = inputShape as Shape;
    this.buildFrom(0, shape);
    super.build(shape);
  }

  private buildFrom(start: number, inputShape: Shape): void {
    let shape = inputShape;
    for (let i = start; i < this.stack.length; i++) {
      const layer = this.stack[i]!;
      if (!layer.built) layer.build(shape);
      shape = single(layer, layer.computeOutputShape(shape));
    }
  }

  private outputShapeAt(index: number, inputShape: Shape): Shape {
    let shape = inputShape;
    for (let i = 0; i <= index; i++) shape = single(this.stack[i]!, this.stack[i]!.computeOutputShape(shape));
    return shape;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return this.outputShapeAt(this.stack.length - 1, inputShape);
  }

  protected call(input: Tensor, args: CallArgs & { training: boolean }): Tensor {
    if (!(input instanceof Tensor)) throw new ArgumentError(`dendrite.Sequential: input must be a Tensor, got ${describe(input)}`);
    const expected = this.batchInputShape;
    if (expected !== null) checkInput(this.name, input, expected);
    let x = input;
    for (const layer of this.stack) {
      const out: unknown = layer.forward(x, { training: args.training });
      if (!(out instanceof Tensor)) {
        throw new ArgumentError(`dendrite.Sequential: layer '${layer.name}' returned several outputs; a Sequential model needs one`);
      }
      x = out;
    }
    return x;
  }

  override getConfig(): LayerConfig {
    const { batchInputShape: _ignored, ...base } = super.getConfig();
    return { ...base, layers: this.stack.map((l) => l.serialize()) };
  }

  /**
   * A Keras-style table of the layers, output shapes and parameter counts (the model must be
   * built). Printed with console.log unless `print` is given; the text is returned too.
   */
  summary(print: ((line: string) => void) | null = (line) => console.log(line)): string {
    const inShape = this.batchInputShape;
    if (!this.built || inShape === null) {
      throw new ArgumentError(
        `dendrite.Sequential.summary: the model is not built yet; give the first layer an inputShape or call the model once`,
      );
    }
    const rows: Array<[string, string, string]> = [];
    let shape: Shape = inShape;
    let total = 0;
    let trainable = 0;
    for (const layer of this.stack) {
      shape = single(layer, layer.computeOutputShape(shape));
      let n = 0;
      for (const [, t] of layer.stateDict()) n += t.size;
      let nt = 0;
      for (const t of layer.parameters()) nt += t.size;
      total += n;
      trainable += nt;
      rows.push([`${layer.name} (${layer.className})`, fmtShapeNull(shape), n.toLocaleString('en-US')]);
    }
    const head: [string, string, string] = ['Layer (type)', 'Output Shape', 'Param #'];
    const w0 = Math.max(head[0].length, ...rows.map((r) => r[0].length)) + 2;
    const w1 = Math.max(head[1].length, ...rows.map((r) => r[1].length)) + 2;
    const w2 = Math.max(head[2].length, ...rows.map((r) => r[2].length));
    const width = w0 + w1 + w2;
    const line = (r: [string, string, string]) => r[0].padEnd(w0) + r[1].padEnd(w1) + r[2].padStart(w2);
    const out = [
      `Model: "${this.name}"`,
      '_'.repeat(width),
      line(head),
      '='.repeat(width),
      ...rows.flatMap((r, i) => (i === 0 ? [line(r)] : ['_'.repeat(width), line(r)])),
      '='.repeat(width),
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
      '_'.repeat(width),
    ].join('\n');
    if (print !== null) for (const l of out.split('\n')) print(l);
    return out;
  }
}

function single(layer: Layer<Tensor, Tensor>, shape: Shape | Shape[]): Shape {
  if (Array.isArray(shape[0])) {
    throw new ArgumentError(`dendrite.Sequential: layer '${layer.name}' has several outputs; a Sequential model needs one`);
  }
  return shape as Shape;
}

function fmtShapeNull(shape: Shape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function checkInput(name: string, x: Tensor, expected: Shape): void {
  const ok = x.rank === expected.length && expected.every((d, i) => d === null || d === x.shape[i]);
  if (!ok) {
    throw new ShapeError(
      `dendrite.${name}: input of shape ${fmtShape(x.shape)} does not match the model's input shape ${fmtShapeNull(expected)}`,
    );
  }
}

/** Keras/tfjs: `sequential([layers...])` or `sequential({ layers: [...] })`. */
export function sequential(args: SequentialArgs | readonly Layer<Tensor, Tensor>[] = {}): Sequential {
  return new Sequential(args);
}

registerLayer('Sequential', Sequential as never);
