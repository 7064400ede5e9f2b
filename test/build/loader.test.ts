// Backend selection when the native binary is missing: warn once and fall back to the
// reference backend, or throw when DENDRITE_BACKEND=native asks for the native one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

function runScript(code: string, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const probe = `
import { backendInfo, getBackend } from './src/backend/index.ts';
const b = getBackend();
const c = new Float32Array(4);
b.gemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 0, c);
getBackend();
console.log(JSON.stringify({ info: backendInfo(), c: Array.from(c) }));
`;

describe('backend selection', () => {
  it('uses the native backend by default', () => {
    const r = runScript(probe, { DENDRITE_BACKEND: undefined, DENDRITE_ADDON_PATH: undefined });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.info.backend).toBe('native');
    expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(out.info.isa);
    expect(out.c).toEqual([19, 22, 43, 50]);
  });

  it('warns once and falls back to the reference backend when no binary loads', () => {
    const r = runScript(probe, {
      DENDRITE_BACKEND: undefined,
      DENDRITE_ADDON_PATH: path.join(root, 'no-such-dir', 'dendrite.node'),
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.info).toEqual({ backend: 'reference', isa: 'js', threads: 1 });
    expect(out.c).toEqual([19, 22, 43, 50]);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('DENDRITE_NO_NATIVE'));
    expect(warnings).toHaveLength(1);
    expect(r.stderr).toMatch(/native backend is not available/);
    expect(r.stderr).toMatch(/allowScripts/);
    expect(r.stderr).toMatch(/npm rebuild dendrite/);
  });

  it('throws the reason when DENDRITE_BACKEND=native and no binary loads', () => {
    const r = runScript(probe, {
      DENDRITE_BACKEND: 'native',
      DENDRITE_ADDON_PATH: path.join(root, 'no-such-dir', 'dendrite.node'),
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/native backend is not available/);
    expect(r.stderr).toMatch(/build-native\.mjs/);
  });

  it('honours DENDRITE_BACKEND=reference without warning', () => {
    const r = runScript(probe, { DENDRITE_BACKEND: 'reference' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).info.backend).toBe('reference');
    expect(r.stderr).not.toMatch(/DENDRITE_NO_NATIVE/);
  });

  it('rejects an unknown DENDRITE_BACKEND', () => {
    const r = runScript(probe, { DENDRITE_BACKEND: 'gpu' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/DENDRITE_BACKEND must be 'native' or 'reference', got 'gpu'/);
  });

  it('lowers the instruction-set path with DENDRITE_ISA', () => {
    const r = runScript(probe, { DENDRITE_ISA: 'scalar', DENDRITE_BACKEND: undefined });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.info.isa).toBe('scalar');
    expect(out.c).toEqual([19, 22, 43, 50]);
  });

  it('sizes the pool with DENDRITE_NUM_THREADS', () => {
    const r = runScript(probe, { DENDRITE_NUM_THREADS: '3', DENDRITE_BACKEND: undefined });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).info.threads).toBe(3);
  });
});
