// Placeholder until the command is written.
import type { Command } from '../command.js';

export const autoencoderCommand: Command = {
  name: 'autoencoder',
  summary: '(not available yet)',
  options: {},
  async run() {
    throw new Error('dendrite autoencoder: not available yet');
  },
};
