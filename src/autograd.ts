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

type TensorMaker = new (data: Float32Array, shape: readonly number[]) => Tensor;

/** Set while a backward pass runs: the constructor gradSink makes `.grad` tensors with. */
let sinkMaker: TensorMaker | null = null;

/** Gradient buffers handed back by releaseGrad, reused by the leaf's next gradient. */
const spareGrads = new WeakMap<Tensor, Float32Array>();

/**
 * Sets `t.grad` to null and keeps its buffer for `t`'s next gradient, so a training loop
 * (optimizer.zeroGrad, module.zeroGrad) does not allocate gradient memory every step. A `.grad`
 * tensor read before this call may therefore be overwritten by a later backward: clone it to
 * keep it (PyTorch's in-place zero_grad behaves the same way).
 */
export function releaseGrad(t: Tensor): void {
  const g = t.grad;
  t.grad = null;
  if (g !== null && ownedGrads.has(g.data) && g.data.length === t.size) spareGrads.set(t, g.data);
}

/**
 * For an op's backward closure: where to write the gradient of leaf `t` directly, instead of
 * returning it to the engine. `beta` 1 means add into `data` (it holds earlier gradient), 0
 * means overwrite it. The op then returns null for that input. Returns null (return the
 * gradient as usual) when `t` is not a leaf accumulating an owned `.grad`, or outside backward.
 */
export function gradSink(t: Tensor): { data: Float32Array; beta: 0 | 1 } | null {
  if (sinkMaker === null || t.gradNode !== null || !t.requiresGrad || t.retainsGrad) return null;
  const prev = t.grad;
  if (prev !== null) {
    return ownedGrads.has(prev.data) && prev.data.length === t.size ? { data: prev.data, beta: 1 } : null;
  }
  let data = spareGrads.get(t);
  if (data === undefined) data = new Float32Array(t.size);
  else spareGrads.delete(t);
  ownedGrads.add(data);
  t.grad = new sinkMaker(data, t.shape);
  return { data, beta: 0 };
}

/** Runs the backward pass from `root` seeded with `seed` (already shape-checked). */
export function runBackward(root: Tensor, seed: Tensor, retainGraph: boolean): void {
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const makeTensor = seed.constructor as TensorMaker;
  const outerMaker = sinkMaker;
  sinkMaker = makeTensor;
  try {
    runOrder(order, grads, makeTensor, retainGraph);
  } finally {
    sinkMaker = outerMaker;
  }
}

function runOrder(order: Tensor[], grads: Map<Tensor, Tensor>, makeTensor: TensorMaker, retainGraph: boolean): void {
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

function accumulateLeaf(t: Tensor, g: Tensor, makeTensor: TensorMaker): void {
  const prev = t.grad;
  if (prev === null || prev.size !== g.size) {
    const spare = prev === null ? spareGrads.get(t) : undefined;
    if (spare !== undefined && spare.length === g.size) {
      spareGrads.delete(t);
      spare.set(g.data);
      t.grad = new makeTensor(spare, t.shape);
      return;
    }
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
