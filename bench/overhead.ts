/**
 * Per-call overhead from TypeScript into the addon for tiny ops (one or a few elements), in
 * microseconds per call (medians). Target: under 2 µs for a tiny op.
 * Usage: npm run bench -- overhead
 */
import { nativeBackend } from '../src/backend/index.js';
import { printJson, round, timeIt } from './util.js';

export async function main(): Promise<void> {
  const native = nativeBackend();
  const addon = native.addon;
  native.setNumThreads(1);
  const x = new Float32Array([0.5]);
  const y = new Float32Array(1);
  const a4 = new Float32Array([1, 2, 3, 4]);
  const b4 = new Float32Array([5, 6, 7, 8]);
  const c4 = new Float32Array(4);
  const results: Record<string, number> = {};
  const us = (fn: () => void) => round(timeIt(fn, { repeats: 9, batchMs: 50 }) * 1e6, 3);

  results.addon_isa_call = us(() => { addon.isa(); });
  results.addon_relu_1 = us(() => { addon.activation(1, x, y, 0); });
  results.backend_relu_1 = us(() => { native.activation('relu', x, y, 0); });
  results.backend_sigmoid_1 = us(() => { native.activation('sigmoid', x, y, 0); });
  results.addon_gemm_2x2 = us(() => { addon.gemm(false, false, 2, 2, 2, 1, a4, b4, 0, c4); });
  results.backend_add_1 = us(() => { native.binary('add', x, [1], x, [1], y, [1]); });
  results.backend_add_2x2_row_broadcast = us(() => { native.binary('add', a4, [2, 2], b4.subarray(0, 2), [2], c4, [2, 2]); });
  results.backend_sum_4 = us(() => { native.reduce('sum', a4, 1, 4, 1, y, 0); });

  // Through the tensor API when it exists (ops + autograd bookkeeping).
  try {
    const api = (await import('../src/index.js')) as unknown as Record<string, unknown>;
    const tensor = api.tensor as (d: number[]) => { add(o: unknown): unknown };
    const t1 = tensor([1]);
    const t2 = tensor([2]);
    results.tensor_add_1 = us(() => { t1.add(t2); });
  } catch {
    // tensor API not available
  }
  printJson({
    benchmark: 'overhead',
    unit: 'microseconds per call (median)',
    isa: native.isa(),
    target_us: 2,
    results,
  });
}
