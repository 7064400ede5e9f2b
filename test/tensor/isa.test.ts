// The op suites run on the path DENDRITE_ISA asks for (see vitest.config.ts projects).
import { expect, test } from 'vitest';
import { backendInfo } from '../../src/index.js';

test('runs on the instruction-set path the environment asks for', () => {
  const info = backendInfo();
  const wanted = process.env.DENDRITE_ISA;
  if (info.backend === 'native' && (wanted === 'scalar' || (wanted === 'avx2' && process.arch === 'x64'))) {
    expect(info.isa).toBe(wanted);
  } else {
    expect(['avx512', 'avx2', 'neon', 'scalar', 'js']).toContain(info.isa);
  }
});
