// The README's tour is code a newcomer pastes first: it must run as written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('README', () => {
  it('runs the tour as written', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /## A short tour\s+```ts\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const code = block![1]!.replace(/from 'dendrite'/g, `from ${JSON.stringify(path.join(root, 'src', 'index.ts'))}`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dendrite-readme-'));
    const file = path.join(dir, 'tour.ts');
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\d+(\.\d+)?(e[-+]?\d+)? \[ 784, 32 \]$/);
    expect(lines.slice(1).join(' ')).toMatch(/backend: 'native'/);
  });

  /** The `index`-th ts block under `heading`, run as a script in a scratch folder; its stdout lines. */
  function runBlock(heading: string, index: number): string[] {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.split(heading)[1]!.split('\n## ')[0]!;
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(index);
    const code = blocks[index]!.replace(/from 'dendrite'/g, `from ${JSON.stringify(path.join(root, 'src', 'index.ts'))}`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dendrite-readme-'));
    try {
      const file = path.join(dir, 'example.mts'); // an ES module: top-level await
      writeFileSync(file, code);
      // tsx is resolved from here: the scratch folder has no node_modules.
      const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('runs the Keras-style training example: MNIST, fit, evaluate, save and load', () => {
    const lines = runBlock('## Training a network', 0);
    expect(lines[0]).toBe('1 true');
    expect(lines[1]).toMatch(/^\[ \d, \d, \d \]$/);
  }, 120_000);

  it('runs the PyTorch-style training loop', () => {
    expect(runBlock('## Training a network', 1)).toEqual(['']);
  }, 60_000);

  it('gives the test command that CI runs', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
    expect(readme).toMatch(/^npm test\b/m);
    expect(ci.trim().split('\n').pop()).toBe('npm test');
  });
});
