// Placeholder until the command is written.
import type { Command } from '../command.js';

export const trainCommand: Command = {
  name: 'train',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite train: not available yet');
  },
};
