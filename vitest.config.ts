import { defineConfig } from 'vitest/config';

// The tensor and gradient suites run once more on each lower instruction-set path, so every op
// (not only each kernel) is checked on scalar and AVX2 code as well as the default path.
const opSuites = ['test/tensor/**/*.test.ts', 'test/grad/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'isa-scalar', include: opSuites, env: { DENDRITE_ISA: 'scalar' } } },
      { extends: true, test: { name: 'isa-avx2', include: opSuites, env: { DENDRITE_ISA: 'avx2' } } },
    ],
  },
});
