/** `dendrite logistic-regression`: one sigmoid unit separating two Gaussian classes in the plane. */
import { join } from 'node:path';
import { runLogisticRegression } from '../../programs/logistic_regression.js';
import { COMMON_OPTIONS, intOption, type Command } from '../command.js';

export const logisticRegressionCommand: Command = {
  name: 'logistic-regression',
  summary: 'separate two Gaussian classes with one sigmoid unit and draw the decision boundary',
  options: {
    ...COMMON_OPTIONS,
    epochs: { type: 'string', valueName: 'n', description: 'training epochs (default 40, 20 with --fast)' },
  },
  async run(values, _positionals, io) {
    const fast = values.fast === true;
    const r = await runLogisticRegression({
      out: join(String(values.out ?? 'out'), 'logistic-regression'),
      seed: intOption(values, 'seed', 1, 0),
      fast,
      epochs: intOption(values, 'epochs', fast ? 20 : 40),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({
        program: 'logistic-regression', test_accuracy: r.testAccuracy, train_accuracy: r.trainAccuracy,
        w: r.w, b: r.b, epochs: r.losses.length, files: r.files,
      })}\n`);
    }
    return 0;
  },
};
