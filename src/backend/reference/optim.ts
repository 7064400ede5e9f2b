/**
 * Reference optimiser step: one plain loop per parameter, float64 arithmetic per element, each
 * value stored back as float32. The rules are documented on OptimizerHyper (backend.ts); NaN and
 * ±Inf in gradients propagate into the parameters and state as the formulas say.
 */
import type { OptimizerHyper, OptimizerRule } from '../backend.js';

/** Number of state slots the rule uses for these options (the slot order is OptimizerHyper's). */
export function optimizerStateSlots(rule: OptimizerRule, hyper: OptimizerHyper): number {
  switch (rule) {
    case 'sgd': return hyper.momentum !== 0 ? 1 : 0;
    case 'adam': return hyper.amsgrad ? 3 : 2;
    case 'rmsprop': return 1 + (hyper.momentum !== 0 ? 1 : 0) + (hyper.centered ? 1 : 0);
    case 'adagrad': return 1;
  }
}

/** Updates every params[i] in place from grads[i] and the state slots state[s][i]. */
export function optimizerStep(
  rule: OptimizerRule, params: readonly Float32Array[], grads: readonly Float32Array[],
  state: readonly (readonly Float32Array[])[], hyper: OptimizerHyper,
): void {
  const slots = optimizerStateSlots(rule, hyper);
  if (grads.length !== params.length) {
    throw new RangeError(`dendrite.optimizerStep: ${params.length} parameters but ${grads.length} gradients`);
  }
  if (state.length !== slots) {
    throw new RangeError(`dendrite.optimizerStep: rule '${rule}' needs ${slots} state slots, got ${state.length}`);
  }
  for (let s = 0; s < slots; s++) {
    if (state[s]!.length !== params.length) {
      throw new RangeError(`dendrite.optimizerStep: state slot ${s} has ${state[s]!.length} arrays for ${params.length} parameters`);
    }
  }
  for (let i = 0; i < params.length; i++) {
    const n = params[i]!.length;
    if (grads[i]!.length !== n) {
      throw new RangeError(`dendrite.optimizerStep: parameter ${i} has ${n} elements but its gradient ${grads[i]!.length}`);
    }
    for (let s = 0; s < slots; s++) {
      if (state[s]![i]!.length !== n) {
        throw new RangeError(`dendrite.optimizerStep: parameter ${i} has ${n} elements but state[${s}][${i}] ${state[s]![i]!.length}`);
      }
    }
  }
  for (let i = 0; i < params.length; i++) {
    stepOne(rule, params[i]!, grads[i]!, state.map((slot) => slot[i]!), hyper);
  }
}

function stepOne(
  rule: OptimizerRule, p: Float32Array, grad: Float32Array, st: Float32Array[], h: OptimizerHyper,
): void {
  const { lr, weightDecay: wd, clipValue: clip, gradScale } = h;
  const decay = h.decoupled ? 1 - lr * wd : 1;
  const l2 = h.decoupled ? 0 : wd;
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2 = 1 - Math.pow(h.beta2, h.step);
  const hasMomentum = h.momentum !== 0;
  for (let j = 0; j < p.length; j++) {
    let w = p[j]!;
    // Math.min/max return NaN when either side is NaN, so NaN gradients survive the clip.
    let g = Math.min(Math.max(gradScale * grad[j]!, -clip), clip);
    if (l2 !== 0) g += l2 * w;
    w *= decay;
    switch (rule) {
      case 'sgd': {
        let update = g;
        if (hasMomentum) {
          const buf = h.step === 1 ? g : h.momentum * st[0]![j]! + (1 - h.dampening) * g;
          st[0]![j] = buf;
          update = h.nesterov ? g + h.momentum * buf : buf;
        }
        w -= lr * update;
        break;
      }
      case 'adam': {
        const m = h.beta1 * st[0]![j]! + (1 - h.beta1) * g;
        const v = h.beta2 * st[1]![j]! + (1 - h.beta2) * g * g;
        st[0]![j] = m;
        st[1]![j] = v;
        let vUsed = v;
        if (h.amsgrad) {
          vUsed = Math.max(st[2]![j]!, v);
          st[2]![j] = vUsed;
        }
        w -= (lr * (m / bc1)) / (Math.sqrt(vUsed / bc2) + h.eps);
        break;
      }
      case 'rmsprop': {
        const sq = h.rho * st[0]![j]! + (1 - h.rho) * g * g;
        st[0]![j] = sq;
        let denom: number;
        if (h.centered) {
          const slot = hasMomentum ? 2 : 1;
          const avg = h.rho * st[slot]![j]! + (1 - h.rho) * g;
          st[slot]![j] = avg;
          denom = Math.sqrt(sq - avg * avg) + h.eps;
        } else {
          denom = Math.sqrt(sq) + h.eps;
        }
        if (hasMomentum) {
          const mom = h.momentum * st[1]![j]! + g / denom;
          st[1]![j] = mom;
          w -= lr * mom;
        } else {
          w -= (lr * g) / denom;
        }
        break;
      }
      case 'adagrad': {
        const sum = st[0]![j]! + g * g;
        st[0]![j] = sum;
        w -= (lr * g) / (Math.sqrt(sum) + h.eps);
        break;
      }
    }
    p[j] = w;
  }
}

/** Σ x² over all the arrays, accumulated in float64. */
export function sumOfSquares(arrays: readonly Float32Array[]): number {
  let sum = 0;
  for (const a of arrays) {
    for (let j = 0; j < a.length; j++) sum += a[j]! * a[j]!;
  }
  return sum;
}
