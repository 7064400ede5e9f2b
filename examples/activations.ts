/**
 * Activation functions and their derivatives (from autograd), one chart each, and a throughput
 * table of the activation kernels on this machine.
 *
 *   node --import tsx examples/activations.ts [output dir]     (default out/activations)
 */
import { runActivations } from '../src/programs/activations.js';

await runActivations({ out: process.argv[2] ?? 'out/activations' });
