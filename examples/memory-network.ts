/**
 * The memory document's small network (2 inputs → 2 sigmoid hidden → 1 linear output) learning
 * y = x0 + 2·x1 + 3 with gradients from autograd. Prints the loss falling and the predictions.
 *
 *   node --import tsx examples/memory-network.ts [output dir]     (default out/memory-network)
 */
import { runMemoryNetwork } from '../src/programs/memory_network.js';

await runMemoryNetwork({ out: process.argv[2] ?? 'out/memory-network' });
