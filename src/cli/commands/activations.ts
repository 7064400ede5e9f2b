/** `dendrite activations`: each activation and its derivative (autograd), and their throughput. */
import { join } from 'node:path';
import { runActivations } from '../../programs/activations.js';
import { COMMON_OPTIONS, intOption, type Command } from '../command.js';

export const activationsCommand: Command = {
  name: 'activations',
  summary: 'chart each activation function and its derivative, and time them on this machine',
  options: COMMON_OPTIONS,
  async run(values, _positionals, io) {
    const r = await runActivations({
      out: join(String(values.out ?? 'out'), 'activations'),
      seed: intOption(values, 'seed', 1, 0),
      fast: values.fast === true,
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      const throughput = Object.fromEntries(r.throughput.map((t) => [t.name, Number(t.gelemPerSecond.toFixed(4))]));
      io.stdout.write(`${JSON.stringify({ program: 'activations', gelem_per_s: throughput, files: r.files })}\n`);
    }
    return 0;
  },
};
