/** Saving and loading models: topology JSON + safetensors weights, written atomically. */
import type { Module } from '../nn/module.js';
import type { Layer } from '../nn/layer.js';

export async function saveModel(model: Layer<unknown, unknown>, dir: string): Promise<void> {
  throw new Error(`saveModel: not implemented yet (${model.name} ${dir})`);
}
export async function saveWeights(model: Module<unknown, unknown>, file: string): Promise<void> {
  throw new Error(`saveWeights: not implemented yet (${String(model)} ${file})`);
}
export async function loadWeights(model: Module<unknown, unknown>, file: string): Promise<void> {
  throw new Error(`loadWeights: not implemented yet (${String(model)} ${file})`);
}
