#!/usr/bin/env node
// The `dendrite` command line. In a clone the TypeScript sources run through tsx (so edits take
// effect at once, whatever an earlier build left in dist/); an installed package has no sources
// and runs its compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

async function loadMain() {
  if (existsSync(source)) {
    try {
      const { register } = await import('tsx/esm/api');
      register();
      return (await import(source.href)).main;
    } catch (err) {
      // A clone installed without its development dependencies: fall back to a build if there is one.
      if (!existsSync(compiled) || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return (await import(compiled.href)).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
