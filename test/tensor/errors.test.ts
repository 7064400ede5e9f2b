import { describe, expect, test } from 'vitest';
import * as dn from '../../src/index.js';

/** Asserts fn throws an error of class `type` whose message matches `message`. */
function throws(fn: () => unknown, type: new (...args: never[]) => Error, message: RegExp | string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(type);
  if (typeof message === 'string') expect((caught as Error).message).toBe(message);
  else expect((caught as Error).message).toMatch(message);
}

describe('error types and messages', () => {
  test('the error classes extend the standard ones', () => {
    expect(new dn.ShapeError('x')).toBeInstanceOf(RangeError);
    expect(new dn.ValueError('x')).toBeInstanceOf(RangeError);
    expect(new dn.DTypeError('x')).toBeInstanceOf(TypeError);
    expect(new dn.ArgumentError('x')).toBeInstanceOf(TypeError);
    expect(new dn.ShapeError('x').name).toBe('ShapeError');
  });

  test('matmul names both shapes', () => {
    throws(() => dn.matmul(dn.zeros([2, 3]), dn.zeros([4, 5])), dn.ShapeError,
      'dendrite.matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ');
    throws(() => dn.matmul(dn.zeros([3]), dn.zeros([4])), dn.ShapeError, /cannot multiply \[3\] by \[4\]/);
    throws(() => dn.matmul(dn.zeros([2, 2, 3]), dn.zeros([3, 3, 2])), dn.ShapeError,
      /batch dimensions \[2\] and \[3\] do not broadcast/);
    throws(() => dn.matmul(dn.tensor(2), dn.zeros([2])), dn.ShapeError, /at least one dimension/);
    throws(() => dn.matmul(dn.zeros([2]), 3 as unknown as dn.Tensor), dn.ArgumentError, /b must be a Tensor, got 3/);
  });

  test('broadcasting mismatch', () => {
    throws(() => dn.add(dn.zeros([2, 3]), dn.zeros([4])), dn.ShapeError,
      'dendrite.add: cannot broadcast [2, 3] with [4]: dimension 1 is 3 vs 4');
    throws(() => dn.mul(dn.zeros([2]), 'x' as unknown as number), dn.ArgumentError, /dendrite.mul: b must be a Tensor or a number/);
  });

  test('creation: ragged data, bad element types, shape mismatch, bad dims', () => {
    throws(() => dn.tensor([[1, 2], [3]]), dn.ShapeError, /ragged nested array: element \[1\] has length 1, expected length 2/);
    throws(() => dn.tensor([1, [2]] as unknown as number[]), dn.ShapeError, /ragged/);
    throws(() => dn.tensor([1, 'a'] as unknown as number[]), dn.DTypeError, /element \[1\] must be a number/);
    throws(() => dn.tensor(new BigInt64Array(2) as unknown as Int32Array), dn.DTypeError, /BigInt64Array/);
    throws(() => dn.tensor('abc' as unknown as number), dn.DTypeError, /data must be/);
    throws(() => dn.tensor([1, 2, 3], [2, 2]), dn.ShapeError, /data has 3 elements .* shape \[2, 2\] needs 4/);
    throws(() => dn.zeros([2, -1]), dn.ShapeError, /non-negative integers, got -1 at position 1/);
    throws(() => dn.zeros([2.5]), dn.ShapeError, /non-negative integers, got 2.5/);
    throws(() => dn.ones('3' as unknown as number[]), dn.ArgumentError, /shape must be an array/);
    throws(() => new dn.Tensor(new Float32Array(3), [2, 2]), dn.ShapeError, /needs 4 elements, but data has 3/);
    throws(() => new dn.Tensor([1, 2] as unknown as Float32Array, [2]), dn.DTypeError, /Float32Array/);
    throws(() => dn.arange(0, 1, 0), dn.ValueError, /step must not be 0/);
    throws(() => dn.arange(0, Infinity), dn.ValueError, /stop must be finite/);
    throws(() => dn.rand([2], { seed: NaN }), dn.ValueError, /seed must be finite/);
  });

  test('sizes too large to allocate fail clearly before allocation', () => {
    throws(() => dn.zeros([100000, 100000]), dn.ShapeError, /\[100000, 100000\] has 10000000000 elements, more than/);
    throws(() => dn.ones([2 ** 20, 2 ** 20, 2 ** 20]), RangeError, /more than/);
    throws(() => dn.matmul(dn.zeros([100000, 1]), dn.zeros([1, 100000])), dn.ShapeError, /more than/);
  });

  test('item, reshape, axes', () => {
    throws(() => dn.zeros([2, 3]).item(), dn.ShapeError, 'dendrite.item: a tensor of shape [2, 3] has 6 elements; item() needs exactly one');
    throws(() => dn.zeros([2, 3]).reshape([4, -1]), dn.ShapeError, /cannot reshape \[2, 3\] \(6 elements\) into \[4, -1\]/);
    throws(() => dn.zeros([6]).reshape([-1, -1]), dn.ShapeError, /only one dimension can be -1/);
    throws(() => dn.zeros([6]).reshape([5]), dn.ShapeError, /into \[5\] \(5 elements\)/);
    throws(() => dn.zeros([2, 3]).sum(2), dn.ShapeError, 'dendrite.sum: axis 2 is out of range for a tensor of rank 2 (expected -2 to 1)');
    throws(() => dn.zeros([2, 3]).sum([0, 0]), dn.ShapeError, /repeats an axis/);
    throws(() => dn.zeros([2, 3]).sum(0.5), dn.ArgumentError, /axis must be an integer/);
    throws(() => dn.zeros([2, 3]).softmax(3), dn.ShapeError, /dendrite.softmax: axis 3/);
    throws(() => dn.zeros([2, 3]).squeeze(1), dn.ShapeError, /axis 1 of shape \[2, 3\] has size 3, not 1/);
    throws(() => dn.zeros([2, 3]).permute([0, 0]), dn.ShapeError, /repeat an axis/);
    throws(() => dn.zeros([2, 3]).permute([0]), dn.ShapeError, /must list all 2 axes/);
    throws(() => dn.zeros([0, 3]).max(0), dn.ShapeError, /cannot reduce axis 0 of length 0/);
    throws(() => dn.zeros([0]).argmax(), dn.ShapeError, /empty axis/);
    throws(() => dn.zeros([2]).variance(0, { correction: NaN }), dn.ValueError, /correction must be finite/);
  });

  test('slice, concat, stack, gather', () => {
    const x = dn.zeros([4, 5]);
    throws(() => x.slice([1, 2], [4, 1]), dn.ShapeError, /begin 1 with size 4 does not fit axis 0 of shape \[4, 5\]/);
    throws(() => x.slice([5]), dn.ShapeError, /begin 5 is out of range for axis 0/);
    throws(() => x.slice([0, 0, 0]), dn.ShapeError, /more axes than shape/);
    throws(() => x.slice([[0, 1], [0, 1], [0, 1]]), dn.ShapeError, /3 ranges for a tensor of shape \[4, 5\]/);
    throws(() => dn.concat([x, dn.zeros([4, 2])], 0), dn.ShapeError, /shapes \[4, 5\], \[4, 2\] differ outside axis 0/);
    throws(() => dn.concat([]), dn.ArgumentError, /non-empty array/);
    throws(() => dn.stack([x, dn.zeros([5, 4])]), dn.ShapeError, /same shape/);
    throws(() => x.gather([4], 0), dn.ValueError, 'dendrite.gather: index 4 at position 0 is out of range for axis 0 of size 4');
    throws(() => x.gather([-1], 0), dn.ValueError, /index -1/);
    throws(() => x.gather([0.5], 0), dn.DTypeError, /must be an integer/);
    throws(() => x.gather(new Float32Array([1]) as unknown as Int32Array), dn.DTypeError, /Int32Array, a Tensor or an array/);
  });

  test('activation and scalar arguments', () => {
    const x = dn.zeros([2, 3]);
    throws(() => dn.linear(x, dn.zeros([4, 2])), dn.ShapeError,
      'dendrite.linear: input [2, 3] does not match weight [4, 2]: expected last dimension 2');
    throws(() => dn.linear(x, dn.zeros([4, 3]), dn.zeros([3])), dn.ShapeError, /bias \[3\] does not match weight \[4, 3\]: expected \[4\]/);
    throws(() => dn.linear(x, dn.zeros([4, 3]), null, 'mish' as dn.ActivationKind), dn.ArgumentError, /unknown activation the string 'mish'/);
    throws(() => dn.linear(x, dn.zeros([4, 3]), null, { name: 'elu', alpha: Infinity }), dn.ValueError, /alpha must be finite/);
    throws(() => x.leakyRelu(NaN), dn.ValueError, /dendrite.leakyRelu: alpha must be finite/);
    throws(() => x.clamp(1, 0), dn.ValueError, /min 1 is greater than max 0/);
    throws(() => x.clamp(NaN), dn.ValueError, /min must not be NaN/);
    throws(() => x.gelu({ approximate: 'erf' as 'none' }), dn.ArgumentError, /approximate must be 'none' or 'tanh'/);
  });
});
