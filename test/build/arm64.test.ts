// The arm64 paths (NEON and scalar) cannot run natively on an x86-64 machine: cross-compile the
// kernels and native/tests/kernels_test.cc for aarch64 and run them under user-mode emulation.
// .ci/run installs the cross compiler and qemu; elsewhere the test is skipped when they are absent.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { sources } = require(path.join(root, 'scripts', 'native-sources.cjs')) as { sources(g: string): string[] };

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const available = has('aarch64-linux-gnu-g++') && has('qemu-aarch64');
const dir = mkdtempSync(path.join(os.tmpdir(), 'dendrite-arm64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('arm64 kernels (cross-compiled, emulated)', () => {
  it.skipIf(!available)('compile for aarch64 and pass the native kernel test on the NEON and scalar paths', () => {
    const files = [
      ...sources('common').filter((f) => !f.startsWith('native/binding/')),
      ...sources('neon'),
      'native/tests/kernels_test.cc',
    ];
    expect(sources('neon').length).toBeGreaterThanOrEqual(3);
    const exe = path.join(dir, 'kernels_test');
    const cc = spawnSync('aarch64-linux-gnu-g++', [
      '-std=c++17', '-O2', '-static', '-pthread', '-fno-math-errno', '-Wall', '-Inative/include', ...files, '-o', exe,
    ], { cwd: root, encoding: 'utf8' });
    expect(cc.status, cc.stderr.slice(-4000)).toBe(0);
    const r = spawnSync('qemu-aarch64', [exe], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-4000)).toBe(0);
    expect(r.stdout).toMatch(/neon: checked/);
    expect(r.stdout).toMatch(/all native kernel checks passed/);
  }, 900_000);
});
