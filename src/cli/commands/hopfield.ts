// Placeholder until the command is written.
import type { Command } from '../command.js';

export const hopfieldCommand: Command = {
  name: 'hopfield',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite hopfield: not available yet');
  },
};
