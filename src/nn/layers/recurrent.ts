/**
 * Recurrent layers (tfjs-layers names, Keras semantics and weight layouts): SimpleRNN, LSTM and
 * GRU over [batch, time, features], with returnSequences, returnState, goBackwards and initial
 * states. The input projection of all time steps is one GEMM (the `dense` op); the recurrence is
 * one sequence op whose backward pass is backpropagation through time (src/ops/recurrent.ts).
 *
 * Weights, as Keras: 'kernel' [features, gates·units], 'recurrent_kernel' [units, gates·units],
 * 'bias' [gates·units] (GRU with resetAfter: [2, 3·units], input bias then recurrent bias).
 * Gate order: LSTM i, f, c, o; GRU z, r, h.
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

export * from './recurrent_cells.js';

/** Arguments shared by SimpleRNN, LSTM and GRU (tfjs-layers names). */
export interface RecurrentArgs extends LayerArgs {
  /** Size of the hidden state (and of the output at each step). */
  units: number;
  /** Activation of the output (SimpleRNN) or candidate/cell (LSTM, GRU); default 'tanh'. */
  activation?: ActivationSpec;
  /** Whether the layer has biases (default true). */
  useBias?: boolean;
  /** Initialiser of 'kernel'; default 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Initialiser of 'recurrent_kernel'; default 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Initialiser of 'bias'; default 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** Return the output of every step [batch, time, units] instead of the last [batch, units]. */
  returnSequences?: boolean;
  /** Also return the final states: [output, h] (LSTM: [output, h, c]). */
  returnState?: boolean;
  /** Process the sequence backwards; sequence outputs are then in processing order (as Keras). */
  goBackwards?: boolean;
  /** Not supported (must be false). */
  stateful?: boolean;
  /** Accepted for compatibility; the sequence op never needs unrolling. */
  unroll?: boolean;
  /** Not supported (must be 0). */
  dropout?: number;
  /** Not supported (must be 0). */
  recurrentDropout?: number;
}

/** LSTM arguments. */
export interface LSTMArgs extends RecurrentArgs {
  /** Activation of the input, forget and output gates; default 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
  /** Initialise the forget gate's bias to 1 (default true, as Keras). */
  unitForgetBias?: boolean;
}

/** GRU arguments. */
export interface GRUArgs extends RecurrentArgs {
  /** Activation of the update and reset gates; default 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
  /** Apply the reset gate after the recurrent matmul (default true, Keras 2; CuDNN-compatible). */
  resetAfter?: boolean;
}

/** Arguments of SimpleRNN. */
export type SimpleRNNArgs = RecurrentArgs;

/** What a recurrent layer's forward returns: a Tensor, or [output, ...states] with returnState. */
export type RecurrentOutput = Tensor | Tensor[];

/** Base of SimpleRNN, LSTM and GRU: arguments, weights, shapes and state handling. */
export abstract class RecurrentLayer<O extends RecurrentOutput = Tensor> extends RecurrentWeights<Tensor, O> {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;

  constructor(args: RecurrentArgs) {
    super(args);
    const cls = new.target.name;
    this.returnSequences = boolArg(cls, 'returnSequences', args.returnSequences, false);
    this.returnState = boolArg(cls, 'returnState', args.returnState, false);
    this.goBackwards = boolArg(cls, 'goBackwards', args.goBackwards, false);
    boolArg(cls, 'unroll', args.unroll, false);
    if (boolArg(cls, 'stateful', args.stateful, false)) {
      throw new ArgumentError(`dendrite.${cls}: stateful recurrent layers are not supported; pass the state with forward(x, { initialState })`);
    }
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = args[key];
      if (v !== undefined && v !== 0) {
        throw new ArgumentError(`dendrite.${cls}: ${key} is not supported (got ${describe(v)}); use a Dropout layer around the recurrent layer`);
      }
    }
  }

  private featuresOf(inputShape: Shape | Shape[]): number {
    if (Array.isArray(inputShape[0])) {
      throw new ArgumentError(`dendrite.${this.className}: takes one input tensor [batch, time, features]`);
    }
    const s = inputShape as Shape;
    const f = s[2];
    if (s.length !== 3 || f === null || f === undefined) {
      throw new ShapeError(
        `dendrite.${this.className}: layer '${this.name}' expects input [batch, time, features] with known features, got ${fmtShape(s.map((d) => (d === null ? -1 : d)))}`,
      );
    }
    return f;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.addRecurrentWeights(this.featuresOf(inputShape));
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: Shape): Shape | Shape[] {
    this.featuresOf(inputShape);
    const batch = inputShape[0] ?? null;
    const out: Shape = this.returnSequences ? [batch, inputShape[1] ?? null, this.units] : [batch, this.units];
    if (!this.returnState) return out;
    return [out, ...Array.from({ length: this.stateCount }, (): Shape => [batch, this.units])];
  }

  /** Validates x against the built kernel and the initial state against x. */
  protected checkCall(x: Tensor, initialState: CallArgs['initialState']): (Tensor | null)[] {
    const cls = this.className;
    if (!(x instanceof Tensor)) throw new ArgumentError(`dendrite.${cls}: input must be a Tensor, got ${describe(x)}`);
    const features = this.kernel!.shape[0]!;
    if (x.rank !== 3 || x.shape[2] !== features) {
      throw new ShapeError(
        `dendrite.${cls}: layer '${this.name}' expects input [batch, time, ${features}], got ${fmtShape(x.shape)}`,
      );
    }
    if (x.shape[1] === 0) throw new ShapeError(`dendrite.${cls}: layer '${this.name}' needs at least one time step, got input ${fmtShape(x.shape)}`);
    if (initialState === undefined || initialState === null) return new Array<Tensor | null>(this.stateCount).fill(null);
    const states = initialState instanceof Tensor ? [initialState] : initialState;
    if (!Array.isArray(states) || states.length !== this.stateCount) {
      throw new ArgumentError(
        `dendrite.${cls}: initialState must be an array of ${this.stateCount} tensor${this.stateCount > 1 ? 's ([h, c])' : ' ([h])'}, got ${describe(initialState)}`,
      );
    }
    const want = [x.shape[0]!, this.units];
    states.forEach((s: unknown, i: number) => {
      if (!(s instanceof Tensor)) throw new ArgumentError(`dendrite.${cls}: initialState[${i}] must be a Tensor, got ${describe(s)}`);
      if (s.rank !== 2 || s.shape[0] !== want[0] || s.shape[1] !== want[1]) {
        throw new ShapeError(
          `dendrite.${cls}: initialState[${i}] must be ${fmtShape(want)} for input ${fmtShape(x.shape)}, got ${fmtShape(s.shape)}`,
        );
      }
    });
    return [...states];
  }

  /** Output and final states from the sequence of h [batch, time, units] (and c for LSTM). */
  protected finish(hs: Tensor, lastStates: () => Tensor[]): O {
    const states = this.returnSequences && !this.returnState ? [] : lastStates();
    const out = this.returnSequences ? hs : states[0]!;
    return (this.returnState ? [out, ...states] : out) as O;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: false,
      unroll: false,
      dropout: 0,
      recurrentDropout: 0,
    };
  }
}

/** Step `t` of a [batch, time, units] tensor, as [batch, units]. */
function lastStep(hs: Tensor, t: number): Tensor {
  const [b, , u] = hs.shape as [number, number, number];
  return reshape(slice(hs, [0, t], [b, 1]), [b, u]);
}

/** Fully connected RNN: h_t = activation(x_t·W + h_{t−1}·U + b). */
export class SimpleRNN<O extends RecurrentOutput = Tensor> extends RecurrentLayer<O> {
  readonly className: string = 'SimpleRNN';
  protected readonly gates = 1;
  protected readonly stateCount = 1;

  constructor(args: SimpleRNNArgs) {
    super(args);
  }

  protected call(x: Tensor, args: CallArgs): O {
    const [h0] = this.checkCall(x, args.initialState);
    const xw = denseOp(x, this.kernel!, this.bias);
    const hs = simpleRnnSequence(xw, this.recurrentKernel!, h0, { activation: this.activation, goBackwards: this.goBackwards });
    return this.finish(hs, () => [lastStep(hs, x.shape[1]! - 1)]);
  }
}

/** Long short-term memory (Hochreiter & Schmidhuber 1997), Keras' formulation. */
export class LSTM<O extends RecurrentOutput = Tensor> extends RecurrentLayer<O> {
  readonly className: string = 'LSTM';
  protected readonly gates = 4;
  protected readonly stateCount = 2;
  readonly recurrentActivation: ActivationSpec;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args);
    this.recurrentActivation = activationArg('LSTM', args.recurrentActivation, 'sigmoid');
    this.unitForgetBias = boolArg('LSTM', 'unitForgetBias', args.unitForgetBias, true);
  }

  protected override biasInit(): InitializerSpec {
    return lstmBiasInit(this.biasInitializer, this.unitForgetBias, this.units);
  }

  protected call(x: Tensor, args: CallArgs): O {
    const [h0, c0] = this.checkCall(x, args.initialState);
    const xw = denseOp(x, this.kernel!, this.bias);
    const seq = lstmSequence(xw, this.recurrentKernel!, h0, c0, {
      activation: this.activation, recurrentActivation: this.recurrentActivation, goBackwards: this.goBackwards,
    });
    const [, b, t, u] = seq.shape as [number, number, number, number];
    const hs = this.returnSequences ? reshape(slice(seq, [0], [1]), [b, t, u]) : seq;
    return this.finish(hs, () => [
      reshape(slice(seq, [0, 0, t - 1], [1, b, 1]), [b, u]),
      reshape(slice(seq, [1, 0, t - 1], [1, b, 1]), [b, u]),
    ]);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

/** Gated recurrent unit (Cho et al. 2014), Keras' formulation in both reset variants. */
export class GRU<O extends RecurrentOutput = Tensor> extends RecurrentLayer<O> {
  readonly className: string = 'GRU';
  protected readonly gates = 3;
  protected readonly stateCount = 1;
  readonly recurrentActivation: ActivationSpec;
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super(args);
    this.recurrentActivation = activationArg('GRU', args.recurrentActivation, 'sigmoid');
    this.resetAfter = boolArg('GRU', 'resetAfter', args.resetAfter, true);
  }

  protected override biasShape(): number[] {
    return gruBiasShape(this.resetAfter, this.units);
  }

  protected call(x: Tensor, args: CallArgs): O {
    const [h0] = this.checkCall(x, args.initialState);
    const { inputBias, recurrentBias } = splitGruBias(this.bias, this.resetAfter, this.units);
    const xw = denseOp(x, this.kernel!, inputBias);
    const hs = gruSequence(xw, this.recurrentKernel!, h0, recurrentBias, {
      activation: this.activation, recurrentActivation: this.recurrentActivation, goBackwards: this.goBackwards,
      resetAfter: this.resetAfter,
    });
    return this.finish(hs, () => [lastStep(hs, x.shape[1]! - 1)]);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}

registerLayer('SimpleRNN', SimpleRNN);
registerLayer('LSTM', LSTM);
registerLayer('GRU', GRU);

/** A SimpleRNN layer; with returnState it returns [output, h]. */
export function simpleRNN(args: SimpleRNNArgs & { returnState: true }): SimpleRNN<Tensor[]>;
export function simpleRNN(args: SimpleRNNArgs): SimpleRNN<Tensor>;
export function simpleRNN(args: SimpleRNNArgs): SimpleRNN<RecurrentOutput> {
  return new SimpleRNN(args);
}

/** An LSTM layer; with returnState it returns [output, h, c]. */
export function lstm(args: LSTMArgs & { returnState: true }): LSTM<Tensor[]>;
export function lstm(args: LSTMArgs): LSTM<Tensor>;
export function lstm(args: LSTMArgs): LSTM<RecurrentOutput> {
  return new LSTM(args);
}

/** A GRU layer; with returnState it returns [output, h]. */
export function gru(args: GRUArgs & { returnState: true }): GRU<Tensor[]>;
export function gru(args: GRUArgs): GRU<Tensor>;
export function gru(args: GRUArgs): GRU<RecurrentOutput> {
  return new GRU(args);
}
