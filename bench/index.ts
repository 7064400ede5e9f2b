/**
 * Benchmark runner: `npm run bench -- <name> [options]` runs bench/<name>.ts, which prints JSON.
 * Benchmarks are not tests: they measure medians and compare with a peer in the same run.
 * `--isa=avx2` (or DENDRITE_ISA) runs any of them on a lower instruction-set path; its peers are
 * then held to the same instruction set where they allow it (see peerIsaEnv in util.ts).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['index.ts', 'util.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
// --isa=avx2 (any bench): the addon reads DENDRITE_ISA when it loads, so set it before importing.
const isaArg = args.find((a) => a.startsWith('--isa='));
if (isaArg) process.env.DENDRITE_ISA = isaArg.slice('--isa='.length);
const rest = args.filter((a) => a !== isaArg);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [options]\n`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
  main(args: string[]): Promise<void>;
};
await mod.main(rest);
