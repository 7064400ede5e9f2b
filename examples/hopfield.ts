/**
 * Hopfield networks remembering MNIST digits: classical (Hebbian and Storkey rules, synchronous
 * and asynchronous recall, energy per step) beside the modern continuous network, and the
 * capacity curve on random patterns.
 *
 *   node --import tsx examples/hopfield.ts [output dir]
 *
 * Prints the recall rates and energies, and writes recall.png, energy.svg and capacity.svg to the
 * output directory (default out/hopfield).
 */
import { runHopfield } from '../src/programs/hopfield.js';

await runHopfield({ out: process.argv[2] ?? 'out/hopfield' });
