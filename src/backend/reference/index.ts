/**
 * The reference backend: plain TypeScript loops, deliberately naive and obviously right
 * (accumulating in float64). It is the ground truth the native kernels are tested against and
 * the fallback when no native binary is available.
 */
import type { Backend } from '../backend.js';
import { activation, activationBackward, softmax, softmaxBackward } from './activation.js';
import { copyStrided } from './copy.js';
import { argReduce, binary, reduce, unary } from './elementwise.js';
import { gemm, gemmBatched, gemmBiasAct } from './gemm.js';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput, pool2d, pool2dBackward } from './conv.js';
import { optimizerStep, sumOfSquares } from './optim.js';
import { softmaxCrossEntropy } from './loss.js';

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  isa(): string { return 'js'; }
  threads(): number { return 1; }
  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`dendrite.setNumThreads: n must be a positive integer, got ${n}`);
  }
  gemm = gemm;
  gemmBatched = gemmBatched;
  gemmBiasAct = gemmBiasAct;
  activation = activation;
  activationBackward = activationBackward;
  softmax = softmax;
  softmaxBackward = softmaxBackward;
  binary = binary;
  unary = unary;
  reduce = reduce;
  argReduce = argReduce;
  copyStrided = copyStrided;
  conv2d = conv2d;
  conv2dBackwardInput = conv2dBackwardInput;
  conv2dBackwardFilter = conv2dBackwardFilter;
  pool2d = pool2d;
  pool2dBackward = pool2dBackward;
  optimizerStep = optimizerStep;
  sumOfSquares = sumOfSquares;
  softmaxCrossEntropy = softmaxCrossEntropy;
}
