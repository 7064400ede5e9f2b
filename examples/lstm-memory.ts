/**
 * An LSTM that remembers: it names the first symbol of a sequence after a long run of
 * distractors, and predicts the next value of a wave.
 *
 *   node --import tsx examples/lstm-memory.ts [output dir]
 *
 * Prints the training, the test accuracy and error, and writes training.svg and sine.svg to the
 * output directory (default out/lstm-memory).
 */
import { runLstmMemory } from '../src/programs/lstm_memory.js';

await runLstmMemory({ out: process.argv[2] ?? 'out/lstm-memory' });
