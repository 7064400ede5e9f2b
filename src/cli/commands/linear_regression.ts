// Placeholder until the command is written.
import type { Command } from '../command.js';

export const linearRegressionCommand: Command = {
  name: 'linear-regression',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite linear-regression: not available yet');
  },
};
