/**
 * A dense autoencoder on MNIST: digits squeezed to a 2-number and a 16-number code and rebuilt.
 *
 *   node --import tsx examples/autoencoder.ts [output dir]      (also: dendrite autoencoder)
 *
 * Prints what it does, the training progress and the test reconstruction error, and writes
 * reconstructions.png (digits over their reconstructions) and codes.svg (the 2-number code of
 * test digits, coloured by digit) to the output directory (default out/autoencoder).
 */
import { runAutoencoder } from '../src/programs/autoencoder.js';

await runAutoencoder({ out: process.argv[2] ?? 'out/autoencoder', log: (line) => console.log(line) });
