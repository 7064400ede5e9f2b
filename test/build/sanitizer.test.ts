// The kernels built with AddressSanitizer and UBSan, driven by native/tests/kernels_test.cc on
// exactly-sized heap buffers for every instruction-set path: any out-of-bounds read or write in
// an edge tile, or undefined behaviour, fails this test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'dendrite-asan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('native kernels under AddressSanitizer and UBSan', () => {
  it('build and pass on every instruction-set path with no memory error', () => {
    const configure = run('cmake', ['-S', '.', '-B', dir, '-G', 'Ninja', '-DDENDRITE_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=RelWithDebInfo']);
    expect(configure.status, configure.output).toBe(0);
    const build = run('cmake', ['--build', dir, '--target', 'kernels_test']);
    expect(build.status, build.output.slice(-4000)).toBe(0);
    const r = spawnSync(path.join(dir, 'kernels_test'), [], {
      encoding: 'utf8',
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' },
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(r.status, output.slice(-4000)).toBe(0);
    expect(r.stdout).toMatch(/all native kernel checks passed/);
  }, 900_000);
});
