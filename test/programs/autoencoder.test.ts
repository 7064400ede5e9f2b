// The autoencoder program in its fast mode (10,000 training images, 6 epochs): it must rebuild
// test digits far better than the mean image does, and write a valid PNG and SVG.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/index.js';
import { decodePngGray } from '../../src/plot/index.js';
import { runAutoencoder } from '../../src/programs/autoencoder.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('autoencoder program', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'dendrite-autoencoder-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reconstructs test digits well below the error of the mean image and writes its pictures', async () => {
    const lines: string[] = [];
    const r = await runAutoencoder({ out, fast: true, seed: 1, log: (line) => lines.push(line) });

    // Fast mode reaches about 0.046 (2-number code) and 0.023 (16-number code); the mean
    // training image scores about 0.065 on the same test digits.
    expect(r.meanImageMse).toBeGreaterThan(0.06);
    expect(r.small.testMse).toBeLessThan(0.053);
    expect(r.large.testMse).toBeLessThan(0.032);
    expect(r.large.testMse).toBeLessThan(r.small.testMse);
    expect(r.small.lossCurve.length).toBe(r.epochs);
    expect(r.small.lossCurve.at(-1)!).toBeLessThan(r.small.lossCurve[0]!);
    expect(r.small.parameters).toBe(784 * 128 + 128 + 128 * 32 + 32 + 32 * 2 + 2 + 2 * 32 + 32 + 32 * 128 + 128 + 128 * 784 + 784);

    const png = readFileSync(r.files.reconstructions);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const picture = await decodePngGray(r.files.reconstructions);
    // 12 digits a row, 3 rows (originals, 16-number and 2-number reconstructions), each 28×28
    // pixels magnified 4×, with 2-pixel gaps between tiles and around the grid.
    expect(picture.width).toBe(12 * 28 * 4 + 13 * 2);
    expect(picture.height).toBe(3 * 28 * 4 + 4 * 2);
    // The top-left original: its tile starts after the 2-pixel border.
    const original = (await loadMnist(undefined, { trainLimit: 1, testLimit: 1 })).test.images.data;
    const tilePixel = (row: number, col: number) => picture.gray[(2 + row * 4) * picture.width + 2 + col * 4]!;
    expect(Math.abs(tilePixel(14, 14) - original[14 * 28 + 14]!)).toBeLessThan(0.01);

    const svg = readFileSync(r.files.codes, 'utf8');
    expect(svg.trimStart().startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('code 1');

    expect(lines.join('\n')).toContain(r.files.reconstructions);
    expect(lines.join('\n')).toContain(r.files.codes);
  });
});
