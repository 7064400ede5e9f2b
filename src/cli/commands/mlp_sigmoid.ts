// Placeholder until the command is written.
import type { Command } from '../command.js';

export const mlpSigmoidCommand: Command = {
  name: 'mlp-sigmoid',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite mlp-sigmoid: not available yet');
  },
};
