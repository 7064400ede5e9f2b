import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePngGray } from '../../src/plot/index.js';
import { runHopfield } from '../../src/programs/hopfield.js';

describe('hopfield program (fast mode)', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('recalls MNIST digits, measures the capacity curve and writes its pictures', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dendrite-hopfield-'));
    const lines: string[] = [];
    const r = await runHopfield({ out: dir, fast: true, seed: 1, log: (l) => lines.push(l) });

    // Digits: the modern network recalls every cue; the classical ones hold fewer of these correlated patterns.
    expect(r.digits.labels).toEqual([0, 1, 2, 3]);
    expect(r.digits.noise).toEqual([0.1, 0.15, 0.2, 0.25]);
    expect(r.digits.recall.modern).toBe(1);
    expect(r.digits.recall.storkeyAsync).toBeGreaterThanOrEqual(r.digits.recall.hebbianAsync);
    expect(r.digits.recall.hebbianAsync).toBeGreaterThan(0);
    const e = r.digits.energies.asynchronous;
    expect(e.length).toBeGreaterThan(1);
    for (let i = 1; i < e.length; i++) expect(e[i]!).toBeLessThanOrEqual(e[i - 1]! + 1e-6);

    // Capacity on random patterns: Hebbian holds below 0.14·N and fails well above it; Storkey
    // holds more; the modern network holds them all.
    const { counts, hebbian, storkey, modern } = r.capacity;
    expect(r.capacity.units).toBe(100);
    counts.forEach((m, i) => {
      if (m <= 0.1 * r.capacity.units) expect(hebbian[i]).toBeGreaterThanOrEqual(0.95);
      if (m >= 0.3 * r.capacity.units) expect(hebbian[i]).toBeLessThan(0.5);
      expect(storkey[i]).toBeGreaterThanOrEqual(hebbian[i]! - 0.1);
      expect(modern[i]).toBe(1);
    });
    const at20 = counts.indexOf(20);
    expect(storkey[at20]).toBeGreaterThan(hebbian[at20]! + 0.2);

    // Files: a valid PNG grid (4 digits × 5 pictures of 28×28 at scale 4) and valid SVG charts.
    const png = await readFile(r.files.recall);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const img = await decodePngGray(r.files.recall);
    expect(img.width).toBeGreaterThanOrEqual(5 * 28 * 4);
    expect(img.height).toBeGreaterThanOrEqual(4 * 28 * 4);
    for (const file of [r.files.capacity, r.files.energy]) {
      const svg = await readFile(file, 'utf8');
      expect(svg.trimStart().startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    expect(await readFile(r.files.capacity, 'utf8')).toContain('Recall rate vs stored random patterns');
    expect(lines.join('\n')).toContain(r.files.recall);
  }, 60_000);
});
