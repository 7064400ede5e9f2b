/**
 * Module: the PyTorch-style building block. A module owns named parameters (trainable tensors),
 * buffers (state saved with the model but not trained, e.g. BatchNorm's running statistics) and
 * child modules, and has a training/evaluation mode. Layers, Sequential and user-written models
 * are all modules, so `parameters()`, `loss.backward()` and `optimizer.step()` work on any of
 * them.
 */
import { releaseGrad } from '../autograd.js';
import { ArgumentError, ShapeError, describe, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';

export abstract class Module<I = Tensor, O = Tensor> {
  /** True in training mode (dropout active, BatchNorm uses batch statistics). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownModules = new Map<string, Module<unknown, unknown>>();

  /** The computation. Layers build their weights on the first call. */
  abstract forward(input: I): O;

  /** Registers (or replaces) a trainable parameter; it is marked requiresGrad. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    checkName(name);
    if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.Module: parameter '${name}' must be a Tensor, got ${describe(t)}`);
    if (!t.isLeaf) throw new ArgumentError(`dendrite.Module: parameter '${name}' must be a leaf tensor (detach() it first)`);
    t.requiresGrad = true;
    this.ownBuffers.delete(name);
    this.ownParams.set(name, t);
    return t;
  }

  /** Registers (or replaces) a buffer: saved and loaded with the module, never trained. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    checkName(name);
    if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.Module: buffer '${name}' must be a Tensor, got ${describe(t)}`);
    this.ownParams.delete(name);
    this.ownBuffers.set(name, t);
    return t;
  }

  /** Registers (or replaces) a child module under `name`. */
  protected registerModule<M extends Module<unknown, unknown>>(name: string, m: M): M {
    checkName(name);
    if (!(m instanceof Module)) throw new ArgumentError(`dendrite.Module: child '${name}' must be a Module, got ${describe(m)}`);
    this.ownModules.set(name, m);
    return m;
  }

  /** Removes a child module (used by containers that rebuild their children). */
  protected unregisterModule(name: string): void {
    this.ownModules.delete(name);
  }

  /** Direct children, in registration order. */
  children(): Module<unknown, unknown>[] {
    return [...this.ownModules.values()];
  }

  /** Direct children with their names. */
  namedChildren(): Array<[string, Module<unknown, unknown>]> {
    return [...this.ownModules.entries()];
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): Array<[string, Module<unknown, unknown>]> {
    const out: Array<[string, Module<unknown, unknown>]> = [[prefix, this as Module<unknown, unknown>]];
    for (const [name, m] of this.ownModules) out.push(...m.namedModules(join(prefix, name)));
    return out;
  }

  /**
   * Trainable parameters with dotted names ('dense.kernel'), each tensor once. A parameter whose
   * requiresGrad was turned off (a frozen layer) is left out; stateDict still has it.
   */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    return this.collect(prefix, (m) => m.ownParams).filter(([, t]) => t.requiresGrad);
  }

  /** Trainable parameters of this module and its descendants, each tensor once. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Buffers with dotted names. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    return this.collect(prefix, (m) => m.ownBuffers);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Parameters and buffers by dotted name: everything that defines the module's state. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.collect('', (m) => m.ownParams), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `state` into this module's parameters and buffers (in place, so
   * optimisers holding the tensors keep working). With `strict` (default) every name must be
   * present on both sides; shapes must always match.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor> | Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const strict = options.strict !== false;
    if (strict) {
      const missing = [...own.keys()].filter((k) => !entries.has(k));
      const unexpected = [...entries.keys()].filter((k) => !own.has(k));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new ArgumentError(
          `dendrite.loadStateDict: names do not match` +
            (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
            (unexpected.length > 0 ? `; unexpected: ${unexpected.join(', ')}` : ''),
        );
      }
    }
    for (const [name, src] of entries) {
      const dst = own.get(name);
      if (dst === undefined) continue;
      if (!(src instanceof Tensor)) throw new ArgumentError(`dendrite.loadStateDict: '${name}' must be a Tensor, got ${describe(src)}`);
      if (src.shape.length !== dst.shape.length || src.shape.some((d, i) => d !== dst.shape[i])) {
        throw new ShapeError(
          `dendrite.loadStateDict: '${name}' has shape ${fmtShape(src.shape)}, the module expects ${fmtShape(dst.shape)}`,
        );
      }
      dst.data.set(src.data);
    }
  }

  /** Sets training mode on this module and its descendants; returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (train(false)); returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the gradients of every parameter. Their buffers are reused by the next backward, so
   * clone a `.grad` you want to keep past this call.
   */
  zeroGrad(): void {
    for (const p of this.parameters()) releaseGrad(p);
  }

  /** Total number of elements over the trainable parameters. */
  countParams(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  private collect(prefix: string, pick: (m: Module<unknown, unknown>) => Map<string, Tensor>): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, t] of pick(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([join(path, name), t]);
      }
    }
    return out;
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new ArgumentError(`dendrite.Module: names must be non-empty strings without '.', got ${describe(name)}`);
  }
}
