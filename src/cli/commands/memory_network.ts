/** `dendrite memory-network`: the memory document's 2-2-1 sigmoid network, trained with autograd. */
import { join } from 'node:path';
import { runMemoryNetwork } from '../../programs/memory_network.js';
import { COMMON_OPTIONS, intOption, type Command } from '../command.js';

export const memoryNetworkCommand: Command = {
  name: 'memory-network',
  summary: "train the memory document's small network (2 → 2 sigmoid → 1) on y = x0 + 2·x1 + 3",
  options: {
    ...COMMON_OPTIONS,
    steps: { type: 'string', valueName: 'n', description: 'full-batch Adam steps (default 3000, 1500 with --fast)' },
  },
  async run(values, _positionals, io) {
    const fast = values.fast === true;
    const r = await runMemoryNetwork({
      out: join(String(values.out ?? 'out'), 'memory-network'),
      seed: intOption(values, 'seed', 1, 0),
      fast,
      steps: intOption(values, 'steps', fast ? 1500 : 3000),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({
        program: 'memory-network', final_loss: r.finalLoss, test_loss: r.testLoss, steps: r.losses.length,
        predictions: r.predictions, files: r.files,
      })}\n`);
    }
    return 0;
  },
};
