// binding.gyp and CMakeLists.txt must build the same sources: both take them from
// scripts/native-sources.cjs, which must cover every native .cc file exactly once.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { sources, GROUPS } = require(path.join(root, 'scripts', 'native-sources.cjs')) as {
  sources(group: string): string[];
  GROUPS: string[];
};

function allNativeSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'tests') allNativeSources(full, out);
    } else if (name.endsWith('.cc')) {
      out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out;
}

describe('native source lists', () => {
  it('cover every native source file exactly once', () => {
    const listed = GROUPS.flatMap((g) => sources(g)).sort();
    expect(listed).toEqual(allNativeSources(path.join(root, 'native')).sort());
    expect(new Set(listed).size).toBe(listed.length);
    expect(sources('common')).toContain('native/binding/addon.cc');
  });

  it('put each instruction set in its own group', () => {
    for (const f of sources('avx2')) expect(f).toMatch(/_avx2\.cc$/);
    for (const f of sources('avx512')) expect(f).toMatch(/_avx512\.cc$/);
    for (const f of sources('neon')) expect(f).toMatch(/_neon\.cc$/);
    for (const f of sources('common')) expect(f).not.toMatch(/_(avx2|avx512|neon)\.cc$/);
  });

  it('are what binding.gyp compiles, each group with its own flags', () => {
    const gyp = JSON.parse(readFileSync(path.join(root, 'binding.gyp'), 'utf8')) as {
      targets: { target_name: string; sources?: string[]; conditions?: [string, Record<string, unknown>][] }[];
    };
    const byName = Object.fromEntries(gyp.targets.map((t) => [t.target_name, t]));
    const cond = (t: string, arch: string) =>
      byName[t]!.conditions!.find(([c]) => c === `target_arch=='${arch}'`)![1] as { sources: string[]; cflags?: string[] };
    expect(byName.dendrite!.sources).toEqual(['<!@(node scripts/native-sources.cjs common)']);
    expect(cond('dendrite_avx2', 'x64').sources).toEqual(['<!@(node scripts/native-sources.cjs avx2)']);
    expect(cond('dendrite_avx2', 'x64').cflags).toEqual(['-mavx2', '-mfma']);
    expect(cond('dendrite_avx512', 'x64').sources).toEqual(['<!@(node scripts/native-sources.cjs avx512)']);
    expect(cond('dendrite_avx512', 'x64').cflags).toContain('-mavx512f');
    expect(cond('dendrite', 'arm64').sources).toEqual(['<!@(node scripts/native-sources.cjs neon)']);
    // One binary for every CPU of the architecture: never tuned to the build machine.
    expect(readFileSync(path.join(root, 'binding.gyp'), 'utf8')).not.toMatch(/march=native/);
  });

  it('are what CMakeLists.txt compiles, each group with its own flags', () => {
    const cmake = readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    for (const g of GROUPS) {
      expect(cmake).toContain(`dendrite_sources(${g} DENDRITE_${g.toUpperCase()}_SOURCES)`);
    }
    expect(cmake).toMatch(/scripts\/native-sources\.cjs \$\{group\}/);
    expect(cmake).toMatch(/DENDRITE_AVX2_SOURCES\} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma"/);
    expect(cmake).toMatch(/DENDRITE_AVX512_SOURCES\} PROPERTIES\s+COMPILE_OPTIONS "-mavx512f;/);
    expect(cmake).not.toMatch(/march=native/);
  });
});
