// Placeholder until the command is written.
import type { Command } from '../command.js';

export const predictCommand: Command = {
  name: 'predict',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite predict: not available yet');
  },
};
