/** Every command of the `dendrite` command line, in the order `dendrite --help` lists them. */
import type { Command } from '../command.js';
import { activationsCommand } from './activations.js';
import { autoencoderCommand } from './autoencoder.js';
import { federatedCommand } from './federated.js';
import { hopfieldCommand } from './hopfield.js';
import { linearRegressionCommand } from './linear_regression.js';
import { logisticRegressionCommand } from './logistic_regression.js';
import { lstmMemoryCommand } from './lstm_memory.js';
import { memoryNetworkCommand } from './memory_network.js';
import { mlpSigmoidCommand } from './mlp_sigmoid.js';
import { predictCommand } from './predict.js';
import { trainCommand } from './train.js';

/** The main job first (train, predict), then the founding documents' programs. */
export const COMMANDS: readonly Command[] = [
  trainCommand,
  predictCommand,
  activationsCommand,
  linearRegressionCommand,
  logisticRegressionCommand,
  memoryNetworkCommand,
  mlpSigmoidCommand,
  autoencoderCommand,
  hopfieldCommand,
  lstmMemoryCommand,
  federatedCommand,
];
