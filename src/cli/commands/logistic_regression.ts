// Placeholder until the command is written.
import type { Command } from '../command.js';

export const logisticRegressionCommand: Command = {
  name: 'logistic-regression',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite logistic-regression: not available yet');
  },
};
