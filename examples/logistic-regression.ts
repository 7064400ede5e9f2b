/**
 * Logistic regression: one sigmoid unit separating two Gaussian classes in the plane. Prints the
 * accuracy and draws the points with the decision boundary w·x + b = 0.
 *
 *   node --import tsx examples/logistic-regression.ts [output dir]     (default out/logistic-regression)
 */
import { runLogisticRegression } from '../src/programs/logistic_regression.js';

await runLogisticRegression({ out: process.argv[2] ?? 'out/logistic-regression' });
