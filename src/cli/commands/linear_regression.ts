/** `dendrite linear-regression`: y = w·x + b fitted to noisy samples of y = 2x + 3 by gradient descent. */
import { join } from 'node:path';
import { runLinearRegression } from '../../programs/linear_regression.js';
import { COMMON_OPTIONS, intOption, type Command } from '../command.js';

export const linearRegressionCommand: Command = {
  name: 'linear-regression',
  summary: 'fit a line to noisy samples of y = 2x + 3 by gradient descent',
  options: {
    ...COMMON_OPTIONS,
    steps: { type: 'string', valueName: 'n', description: 'gradient-descent steps (default 300, 150 with --fast)' },
  },
  async run(values, _positionals, io) {
    const fast = values.fast === true;
    const r = await runLinearRegression({
      out: join(String(values.out ?? 'out'), 'linear-regression'),
      seed: intOption(values, 'seed', 1, 0),
      fast,
      steps: intOption(values, 'steps', fast ? 150 : 300),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({
        program: 'linear-regression', w: r.w, b: r.b, true_w: r.trueW, true_b: r.trueB,
        final_loss: r.finalLoss, steps: r.losses.length, files: r.files,
      })}\n`);
    }
    return 0;
  },
};
