// Placeholder until the command is written.
import type { Command } from '../command.js';

export const memoryNetworkCommand: Command = {
  name: 'memory-network',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite memory-network: not available yet');
  },
};
