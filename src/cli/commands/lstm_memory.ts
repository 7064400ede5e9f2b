// Placeholder until the command is written.
import type { Command } from '../command.js';

export const lstmMemoryCommand: Command = {
  name: 'lstm-memory',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite lstm-memory: not available yet');
  },
};
