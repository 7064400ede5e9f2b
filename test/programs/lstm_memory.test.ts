import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLstmMemory } from '../../src/programs/lstm_memory.js';

describe('lstm-memory program (fast mode)', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('remembers the first symbol across 20 distractors (≥ 95% on new sequences) and predicts a wave', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dendrite-lstm-'));
    const lines: string[] = [];
    const r = await runLstmMemory({ out: dir, fast: true, seed: 1, log: (l) => lines.push(l) });
    expect(r.recall.sequenceLength).toBe(21);
    expect(r.recall.epochs).toBe(6); // bounded steps: 6 epochs of 32 batches
    expect(r.recall.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.recall.loss.at(-1)!).toBeLessThan(r.recall.loss[0]!);
    expect(r.sine.testMse).toBeLessThan(0.02);
    expect(r.parameters).toBe(4 * (64 * (8 + 64) + 64) + 64 * 4 + 4);
    for (const file of [r.files.training, r.files.sine]) {
      const svg = await readFile(file, 'utf8');
      expect(svg.trimStart().startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    expect(await readFile(r.files.sine, 'utf8')).toContain('LSTM prediction');
    expect(lines.join('\n')).toContain(r.files.sine);
  }, 120_000);
});
