// Placeholder until the command is written.
import type { Command } from '../command.js';

export const activationsCommand: Command = {
  name: 'activations',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite activations: not available yet');
  },
};
