/**
 * Linear regression by gradient descent: y = w·x + b learnt from noisy samples of y = 2x + 3.
 * Prints the learnt w and b and writes the fitted line and the loss curve.
 *
 *   node --import tsx examples/linear-regression.ts [output dir]     (default out/linear-regression)
 */
import { runLinearRegression } from '../src/programs/linear_regression.js';

await runLinearRegression({ out: process.argv[2] ?? 'out/linear-regression' });
