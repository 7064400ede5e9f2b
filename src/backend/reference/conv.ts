/** Reference convolution and pooling (NHWC): direct loops, float64 accumulation. */
import type { Conv2dGeometry, Pool2dGeometry } from '../backend.js';

export function conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  throw new Error('conv2d: not implemented yet');
}
export function conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  throw new Error('conv2dBackwardInput: not implemented yet');
}
export function conv2dBackwardFilter(
  g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, beta: number,
): void {
  throw new Error('conv2dBackwardFilter: not implemented yet');
}
export function pool2d(kind: 'max' | 'avg', g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array | null): void {
  throw new Error('pool2d: not implemented yet');
}
export function pool2dBackward(
  kind: 'max' | 'avg', g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array | null, dx: Float32Array,
): void {
  throw new Error('pool2dBackward: not implemented yet');
}
