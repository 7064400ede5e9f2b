/** `dendrite lstm-memory`: an LSTM names the first symbol after a long distractor run, and predicts a wave. */
import { join } from 'node:path';
import { runLstmMemory } from '../../programs/lstm_memory.js';
import { COMMON_OPTIONS, UsageError, intOption, type Command } from '../command.js';

export const lstmMemoryCommand: Command = {
  name: 'lstm-memory',
  summary: 'an LSTM remembers the first symbol across a long distractor run, and predicts a wave',
  options: {
    ...COMMON_OPTIONS,
    epochs: { type: 'string', valueName: 'n', description: 'training epochs of the recall task (default 10, 6 with --fast)' },
    distractors: { type: 'string', valueName: 'n', description: 'distractor steps before the answer (default 25, 20 with --fast)' },
  },
  async run(values, _positionals, io) {
    const fast = values.fast === true;
    const distractors = intOption(values, 'distractors', fast ? 20 : 25);
    if (distractors > 500) throw new UsageError(`--distractors must be at most 500, got '${String(values.distractors)}'`);
    const r = await runLstmMemory({
      out: join(String(values.out ?? 'out'), 'lstm-memory'),
      seed: intOption(values, 'seed', 1, 0),
      fast,
      distractors,
      epochs: intOption(values, 'epochs', fast ? 6 : 10),
      log: (line) => io.stdout.write(`${line}\n`),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({
        program: 'lstm-memory', sequence_length: r.recall.sequenceLength, epochs: r.recall.epochs,
        test_accuracy: r.recall.testAccuracy, sine_test_mse: r.sine.testMse, parameters: r.parameters, files: r.files,
      })}\n`);
    }
    return 0;
  },
};
