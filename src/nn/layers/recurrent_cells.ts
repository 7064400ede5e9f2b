/**
 * Recurrent cells for step-by-step use, PyTorch style: `h = cell.forward([x, h])`,
 * `[h, c] = lstmCell.forward([x, h, c])`, with x [batch, features] and states [batch, units]
 * (omitted states start at zero). Same weights, names and layouts as the Keras layers
 * (SimpleRNNCell, LSTMCell, GRUCell), and the same sequence ops run for one step, so a loop of
 * cell steps and the layer give the same numbers and gradients.
 */
import { ArgumentError, ShapeError, describe, fmtShape } from '../../errors.js';
import type { ActivationSpec } from '../../ops/activation.js';
import { slice } from '../../ops/indexing.js';
import { dense as denseOp } from '../../ops/matmul.js';
import { gruSequence, lstmSequence, simpleRnnSequence } from '../../ops/recurrent.js';
import { reshape } from '../../ops/shape.js';
import { Tensor } from '../../tensor.js';
import type { InitializerSpec } from '../initializers.js';
import { type CallArgs, type LayerArgs, type LayerConfig, type Shape, registerLayer } from '../layer.js';
import {
  RecurrentWeights, activationArg, boolArg, gruBiasShape, lstmBiasInit, splitGruBias,
} from './recurrent_args.js';

/** Arguments of SimpleRNNCell (and the base of the others). */
export interface SimpleRNNCellArgs extends LayerArgs {
  units: number;
  /** Default 'tanh'. */
  activation?: ActivationSpec;
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Default 'zeros'. */
  biasInitializer?: InitializerSpec;
}

/** Arguments of LSTMCell. */
export interface LSTMCellArgs extends SimpleRNNCellArgs {
  /** Default 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
  /** Default true. */
  unitForgetBias?: boolean;
}

/** Arguments of GRUCell. */
export interface GRUCellArgs extends SimpleRNNCellArgs {
  /** Default 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
  /** Default true (Keras 2). */
  resetAfter?: boolean;
}

/** One step's input: x [batch, features] alone, or with its states: [x, h] or [x, h, c]. */
export type CellInput = Tensor | readonly Tensor[];

/** Base of the cells: arguments, weights and input checks. */
export abstract class RecurrentCell<O> extends RecurrentWeights<CellInput, O> {
  override build(inputShape: Shape | Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const f = s[1];
    if (s.length !== 2 || f === null || f === undefined) {
      throw new ShapeError(
        `dendrite.${this.className}: cell '${this.name}' expects x [batch, features] with known features, got ${fmtShape(s.map((d) => (d === null ? -1 : d)))}`,
      );
    }
    this.addRecurrentWeights(f);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: Shape): Shape | Shape[] {
    const s = [inputShape[0] ?? null, this.units];
    return this.stateCount === 1 ? s : [s, s];
  }

  /** Splits and checks the step input; returns x and xw = x·W (+ bias) as [batch, 1, gates·u]. */
  protected stepInput(input: CellInput, inputBias: Tensor | null): { x: Tensor; xw: Tensor; states: (Tensor | null)[] } {
    const cls = this.className;
    const parts: readonly unknown[] = input instanceof Tensor ? [input] : Array.isArray(input) ? input : [];
    if (parts.length === 0 || (parts.length !== 1 && parts.length !== 1 + this.stateCount)) {
      throw new ArgumentError(
        `dendrite.${cls}: input must be x or [x, ${this.stateCount === 1 ? 'h' : 'h, c'}], got ${describe(input)}`,
      );
    }
    parts.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ArgumentError(`dendrite.${cls}: input[${i}] must be a Tensor, got ${describe(p)}`);
    });
    const [x, ...given] = parts as Tensor[];
    const features = this.kernel!.shape[0]!;
    if (x!.rank !== 2 || x!.shape[1] !== features) {
      throw new ShapeError(`dendrite.${cls}: cell '${this.name}' expects x [batch, ${features}], got ${fmtShape(x!.shape)}`);
    }
    const want = [x!.shape[0]!, this.units];
    given.forEach((s, i) => {
      if (s.rank !== 2 || s.shape[0] !== want[0] || s.shape[1] !== want[1]) {
        throw new ShapeError(
          `dendrite.${cls}: state ${i} must be ${fmtShape(want)} for x ${fmtShape(x!.shape)}, got ${fmtShape(s.shape)}`,
        );
      }
    });
    const states = given.length > 0 ? given : new Array<Tensor | null>(this.stateCount).fill(null);
    const g = this.gates * this.units;
    const xw = reshape(denseOp(x!, this.kernel!, inputBias), [want[0]!, 1, g]);
    return { x: x!, xw, states };
  }
}

/** One SimpleRNN step: h' = activation(x·W + h·U + b). Returns h'. */
export class SimpleRNNCell extends RecurrentCell<Tensor> {
  readonly className: string = 'SimpleRNNCell';
  protected readonly gates = 1;
  protected readonly stateCount = 1;

  constructor(args: SimpleRNNCellArgs) {
    super(args);
  }

  protected call(input: CellInput, _args: CallArgs): Tensor {
    const { x, xw, states } = this.stepInput(input, this.bias);
    const hs = simpleRnnSequence(xw, this.recurrentKernel!, states[0], { activation: this.activation });
    return reshape(hs, [x.shape[0]!, this.units]);
  }
}

/** One LSTM step (gates i, f, c, o). Returns [h', c']. */
export class LSTMCell extends RecurrentCell<Tensor[]> {
  readonly className: string = 'LSTMCell';
  protected readonly gates = 4;
  protected readonly stateCount = 2;
  readonly recurrentActivation: ActivationSpec;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMCellArgs) {
    super(args);
    this.recurrentActivation = activationArg('LSTMCell', args.recurrentActivation, 'sigmoid');
    this.unitForgetBias = boolArg('LSTMCell', 'unitForgetBias', args.unitForgetBias, true);
  }

  protected override biasInit(): InitializerSpec {
    return lstmBiasInit(this.biasInitializer, this.unitForgetBias, this.units);
  }

  protected call(input: CellInput, _args: CallArgs): Tensor[] {
    const { x, xw, states } = this.stepInput(input, this.bias);
    const seq = lstmSequence(xw, this.recurrentKernel!, states[0], states[1], {
      activation: this.activation, recurrentActivation: this.recurrentActivation,
    });
    const b = x.shape[0]!;
    const u = this.units;
    // [2, batch, 1, u]: h then c, each a contiguous block.
    return [reshape(slice(seq, [0], [1]), [b, u]), reshape(slice(seq, [1], [1]), [b, u])];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

/** One GRU step (gates z, r, h; resetAfter as Keras 2 by default). Returns h'. */
export class GRUCell extends RecurrentCell<Tensor> {
  readonly className: string = 'GRUCell';
  protected readonly gates = 3;
  protected readonly stateCount = 1;
  readonly recurrentActivation: ActivationSpec;
  readonly resetAfter: boolean;

  constructor(args: GRUCellArgs) {
    super(args);
    this.recurrentActivation = activationArg('GRUCell', args.recurrentActivation, 'sigmoid');
    this.resetAfter = boolArg('GRUCell', 'resetAfter', args.resetAfter, true);
  }

  protected override biasShape(): number[] {
    return gruBiasShape(this.resetAfter, this.units);
  }

  protected call(input: CellInput, _args: CallArgs): Tensor {
    const { inputBias, recurrentBias } = splitGruBias(this.bias, this.resetAfter, this.units);
    const { x, xw, states } = this.stepInput(input, inputBias);
    const hs = gruSequence(xw, this.recurrentKernel!, states[0], recurrentBias, {
      activation: this.activation, recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter,
    });
    return reshape(hs, [x.shape[0]!, this.units]);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}

registerLayer('SimpleRNNCell', SimpleRNNCell);
registerLayer('LSTMCell', LSTMCell);
registerLayer('GRUCell', GRUCell);

/** A SimpleRNNCell. */
export function simpleRNNCell(args: SimpleRNNCellArgs): SimpleRNNCell {
  return new SimpleRNNCell(args);
}

/** An LSTMCell. */
export function lstmCell(args: LSTMCellArgs): LSTMCell {
  return new LSTMCell(args);
}

/** A GRUCell. */
export function gruCell(args: GRUCellArgs): GRUCell {
  return new GRUCell(args);
}
