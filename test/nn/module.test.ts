import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError, Tensor, dense, ones, tensor, zeros } from '../../src/index.js';
import { Layer, snakeCase, uniqueLayerName } from '../../src/nn/layer.js';
import { Module } from '../../src/nn/module.js';

class Affine extends Module {
  readonly w: Tensor;
  readonly b: Tensor;
  constructor(inF: number, outF: number) {
    super();
    this.w = this.registerParameter('w', ones([inF, outF]));
    this.b = this.registerParameter('b', zeros([outF]));
    this.registerBuffer('count', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    return dense(x, this.w, this.b);
  }
}

class Net extends Module {
  readonly a = this.registerModule('a', new Affine(2, 3));
  readonly c = this.registerModule('c', new Affine(3, 1));
  forward(x: Tensor): Tensor {
    return this.c.forward(this.a.forward(x).tanh());
  }
}

describe('Module', () => {
  test('collects parameters, buffers and children with dotted names', () => {
    const n = new Net();
    expect(n.namedParameters().map(([k]) => k)).toEqual(['a.w', 'a.b', 'c.w', 'c.b']);
    expect(n.namedBuffers().map(([k]) => k)).toEqual(['a.count', 'c.count']);
    expect([...n.stateDict().keys()]).toEqual(['a.w', 'a.b', 'c.w', 'c.b', 'a.count', 'c.count']);
    expect(n.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(n.countParams()).toBe(2 * 3 + 3 + 3 + 1);
    expect(n.namedModules().map(([k]) => k)).toEqual(['', 'a', 'c']);
  });

  test('a parameter shared by two children is listed once', () => {
    class Tied extends Module {
      readonly a = this.registerModule('a', new Affine(2, 2));
      readonly b = this.registerModule('b', new Affine(2, 2));
      constructor() {
        super();
        (this.b as unknown as { registerParameter(n: string, t: Tensor): Tensor }).registerParameter('w', this.a.w);
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(new Tied().namedParameters().map(([k]) => k)).toEqual(['a.w', 'a.b', 'b.b']);
  });

  test('train()/eval() reach every descendant', () => {
    const n = new Net();
    n.eval();
    expect([n.training, n.a.training, n.c.training]).toEqual([false, false, false]);
    n.train();
    expect(n.c.training).toBe(true);
  });

  test('loadStateDict copies in place, checks names and shapes', () => {
    const n = new Net();
    const w = n.a.w;
    const state = new Map([...n.stateDict()].map(([k, t]) => [k, new Tensor(t.data.map((_, i) => i + 1), t.shape)]));
    n.loadStateDict(state);
    expect(n.a.w).toBe(w);
    expect(Array.from(w.data)).toEqual([1, 2, 3, 4, 5, 6]);
    state.delete('c.b');
    expect(() => n.loadStateDict(state)).toThrow(/missing: c\.b/);
    n.loadStateDict(state, { strict: false });
    state.set('a.w', zeros([3, 2]));
    expect(() => n.loadStateDict(state, { strict: false })).toThrow(ShapeError);
  });

  test('zeroGrad clears gradients; a backward after it reuses the buffers', () => {
    const n = new Net();
    n.forward(tensor([[1, 2]])).sum().backward();
    const buf = n.a.w.grad!.data;
    const first = Float32Array.from(buf);
    n.zeroGrad();
    expect(n.parameters().every((p) => p.grad === null)).toBe(true);
    n.forward(tensor([[1, 2]])).sum().backward();
    expect(n.a.w.grad!.data).toBe(buf);
    expect(Array.from(n.a.w.grad!.data)).toEqual(Array.from(first));
  });

  test('names with dots or non-tensors are rejected', () => {
    class Bad extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
      tryName(): void {
        this.registerParameter('a.b', zeros([1]));
      }
      tryValue(): void {
        this.registerParameter('a', 3 as unknown as Tensor);
      }
    }
    expect(() => new Bad().tryName()).toThrow(ArgumentError);
    expect(() => new Bad().tryValue()).toThrow(/must be a Tensor/);
  });
});

describe('Layer naming', () => {
  test('Keras class names become snake_case', () => {
    expect(snakeCase('Dense')).toBe('dense');
    expect(snakeCase('BatchNormalization')).toBe('batch_normalization');
    expect(snakeCase('Conv2D')).toBe('conv2d');
    expect(snakeCase('MaxPooling2D')).toBe('max_pooling2d');
    expect(snakeCase('LSTM')).toBe('lstm');
    expect(snakeCase('GlobalAveragePooling1D')).toBe('global_average_pooling1d');
  });

  test('default names are unique per base name', () => {
    expect(uniqueLayerName('zz_test')).toBe('zz_test');
    expect(uniqueLayerName('zz_test')).toBe('zz_test_1');
    expect(uniqueLayerName('zz_test')).toBe('zz_test_2');
  });

  test('a layer checks its arguments', () => {
    class Id extends Layer {
      readonly className = 'Id';
      protected call(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Id({ name: 'a.b' })).toThrow(ArgumentError);
    expect(() => new Id({ inputShape: [-1] })).toThrow(/inputShape/);
    const l = new Id({ inputShape: [3], batchSize: 4 });
    expect(l.batchInputShape).toEqual([4, 3]);
    expect(l.getConfig()).toMatchObject({ name: l.name, trainable: true, batchInputShape: [4, 3] });
    const y = l.forward(ones([2, 3]));
    expect(l.built).toBe(true);
    expect(y.shape).toEqual([2, 3]);
  });
});
