// The activations document's sigmoid MLP in its fast mode: one epoch on the first 10,000 MNIST
// training images must reach 90% on the 10,000 test images, and the learning curve is written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMlpSigmoid } from '../../src/programs/mlp_sigmoid.js';

describe('mlp-sigmoid program', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'dendrite-mlp-sigmoid-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reaches 90% test accuracy after one epoch on 10,000 images and charts its learning curve', async () => {
    const lines: string[] = [];
    const r = await runMlpSigmoid({ out, fast: true, seed: 1, log: (line) => lines.push(line) });

    expect(r.trainImages).toBe(10_000);
    expect(r.testImages).toBe(10_000);
    expect(r.epochs).toBe(1);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.parameters).toBe(784 * 128 + 128 + 128 * 10 + 10);
    // The curve: ten points over the epoch, the last at epoch 1 agreeing with the final evaluation.
    expect(r.curve.length).toBe(10);
    expect(r.curve.at(-1)!.epoch).toBe(1);
    expect(r.curve.at(-1)!.testAccuracy).toBeCloseTo(r.testAccuracy, 6);
    expect(r.curve.at(-1)!.trainLoss).toBeLessThan(r.curve[0]!.trainLoss);

    for (const file of [r.files.loss, r.files.accuracy]) {
      const svg = readFileSync(file, 'utf8');
      expect(svg.trimStart().startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('epochs of training');
    }
    expect(lines.join('\n')).toMatch(/Test accuracy \d+\.\d\d%/);
    expect(lines.join('\n')).toContain(r.files.accuracy);
  });
});
