/**
 * Reverse-mode automatic differentiation. Each op records, on its output, the inputs it read and
 * a backward closure (defined beside its forward in src/ops). `backward()` sorts the graph
 * topologically once, walks it from the output, and accumulates `.grad` on the leaves.
 *
 * Graph lifetime: like PyTorch, a backward pass frees the closures it ran (and with them the
 * tensors they saved), so memory is returned as soon as gradients are known. Running backward a
 * second time through the same graph then throws an AutogradError, unless the first call passed
 * `{ retainGraph: true }`. Saved tensors are referenced, not copied: changing a saved tensor's
 * `.data` in place between forward and backward gives stale gradients.
 */
import { AutogradError, ShapeError, fmtShape } from './errors.js';
import type { Tensor } from './tensor.js';

/** Computes the gradients of an op's inputs from the gradient of its output (null: none). */
export type BackwardFn = (grad: Tensor) => ReadonlyArray<Tensor | null>;

/** What an op leaves on its output for the backward pass. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward: BackwardFn | null;
}

let disabledDepth = 0;

/** Whether ops record the graph now (false inside noGrad). */
export function isGradEnabled(): boolean {
  return disabledDepth === 0;
}

/**
 * Runs `fn` with gradient recording off (inference, optimiser updates) and returns its result.
 * An async `fn` keeps recording off until its promise settles; this is a counter, so other async
 * work interleaved meanwhile also runs without recording.
 */
export function noGrad<T>(fn: () => T): T {
  disabledDepth++;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    disabledDepth--;
    throw err;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      disabledDepth--;
    }) as T;
  }
  disabledDepth--;
  return result;
}

/**
 * Records `out` as produced by `op` from `inputs` when recording is on and some input requires
 * grad; returns `out`.
 */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (disabledDepth !== 0) return out;
  let needed = false;
  for (const t of inputs) if (t.requiresGrad) needed = true;
  if (!needed) return out;
  out.requiresGrad = true;
  out.gradNode = { op, inputs, backward };
  return out;
}

/** Gradient buffers created by accumulation: safe to add into in place. */
const ownedGrads = new WeakSet<Float32Array>();

function sumInto(dst: Float32Array, src: Float32Array): void {
  for (let i = 0; i < dst.length; i++) dst[i]! += src[i]!;
}

/** Topological order (inputs before outputs) of the recorded graph under `root`, iteratively. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Array<[Tensor, number]> = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradNode?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const next = inputs[i]!;
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** Runs the backward pass from `root` seeded with `seed` (already shape-checked). */
export function runBackward(root: Tensor, seed: Tensor, retainGraph: boolean): void {
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const makeTensor = seed.constructor as new (data: Float32Array, shape: readonly number[]) => Tensor;
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads.get(t);
      grads.delete(t);
      if (g === undefined) continue;
      const node = t.gradNode;
      if (node === null || t.retainsGrad) accumulateLeaf(t, g, makeTensor);
      if (node === null) continue;
      if (node.backward === null) {
        throw new AutogradError(
          `dendrite.backward: the graph through '${node.op}' was already freed by an earlier backward(); ` +
            `pass { retainGraph: true } to the first backward() to run it twice`,
        );
      }
      const inGrads = node.backward(g);
      if (!retainGraph) node.backward = null;
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i]!;
        const gx = inGrads[i];
        if (!x.requiresGrad || gx === null || gx === undefined) continue;
        if (gx.size !== x.size) {
          throw new ShapeError(
            `dendrite.backward: '${node.op}' produced a gradient of shape ${fmtShape(gx.shape)} for an input of shape ${fmtShape(x.shape)}`,
          );
        }
        const prev = grads.get(x);
        if (prev === undefined) {
          grads.set(x, gx);
        } else {
          // The first contribution may share its buffer with another tensor: add into a new one.
          const sum = new Float32Array(prev.data);
          sumInto(sum, gx.data);
          grads.set(x, new makeTensor(sum, x.shape));
        }
      }
    }
  });
}

function accumulateLeaf(
  t: Tensor, g: Tensor, makeTensor: new (data: Float32Array, shape: readonly number[]) => Tensor,
): void {
  const prev = t.grad;
  if (prev === null || prev.size !== g.size) {
    const data = new Float32Array(g.data);
    ownedGrads.add(data);
    t.grad = new makeTensor(data, t.shape);
  } else if (ownedGrads.has(prev.data)) {
    sumInto(prev.data, g.data);
  } else {
    const data = new Float32Array(prev.data);
    sumInto(data, g.data);
    ownedGrads.add(data);
    t.grad = new makeTensor(data, t.shape);
  }
}
