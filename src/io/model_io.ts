/**
 * Saving and loading models: topology JSON + safetensors weights, written atomically.
 *
 * A saved model is a folder: model.json ({format: 'dendrite', version: 1, modelConfig,
 * weightsFile, trainingConfig?}) and weights.safetensors (every parameter and buffer, by its
 * state-dict name). Each file is written to a temporary file in the same folder, synced and
 * renamed over the old one, so a crash leaves either the old file or the new one, never half.
 *
 * Sequential and Model are loaded dynamically (they import this module's callers), so importing
 * this file creates no cycle.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../errors.js';
import { type LossConfig, lossFromConfig } from '../losses.js';
import type { Layer, SerializedLayer } from '../nn/layer.js';
import { layerFromConfig } from '../nn/layer.js';
import '../nn/layers/index.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { Model } from '../train/model.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** The saved model's format name and the version this code writes and reads. */
export const MODEL_FORMAT = 'dendrite';
export const MODEL_FORMAT_VERSION = 1;
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.safetensors';

/** What compile() was given, as model.json stores it. */
export interface SavedTrainingConfig {
  optimizer: { className: string; config: Record<string, unknown> } | null;
  loss: { name: string; config: LossConfig };
  metrics: string[];
}

/** The content of model.json. */
export interface SavedModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  modelConfig: SerializedLayer;
  weightsFile: string;
  trainingConfig?: SavedTrainingConfig;
}

export interface LoadWeightsOptions {
  /** Every state-dict name must be in the file and every tensor in the file used (default true). */
  strict?: boolean;
}

export interface LoadModelOptions {
  /** Compile the model again when a training configuration was saved (default true). */
  compile?: boolean;
}

/**
 * Writes `model` to the folder `dir` (created if needed): model.json with its topology (and its
 * training configuration when compiled) and weights.safetensors. The model must be built.
 */
export async function saveModel(model: Layer<unknown, unknown>, dir: string): Promise<void> {
  checkLayer('saveModel', model);
  checkPathArg('saveModel', 'dir', dir);
  if (!model.built) {
    throw new ArgumentError(
      `dendrite.saveModel: model '${model.name}' is not built yet; give its first layer an inputShape or call it once before saving`,
    );
  }
  const json: SavedModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    modelConfig: model.serialize(),
    weightsFile: WEIGHTS_FILE,
  };
  const training = trainingConfigOf(model);
  if (training !== null) json.trainingConfig = training;
  await mkdir(dir, { recursive: true });
  // Weights first: a model.json on disk always names weights that exist.
  await writeFileAtomic(path.join(dir, WEIGHTS_FILE), encodeSafetensors(model.stateDict(), { format: MODEL_FORMAT }));
  await writeFileAtomic(path.join(dir, MODEL_FILE), `${JSON.stringify(json, null, 2)}\n`);
}

/**
 * Restores a model saved by saveModel: rebuilds it from its topology, builds it, loads and checks
 * every weight by name and shape, and compiles it again if it was compiled when saved (unless
 * `options.compile` is false). Resolves to the model (a Sequential for `sequential([...])`).
 */
export async function loadModel<M extends Layer<unknown, unknown> = Model>(dir: string, options: LoadModelOptions = {}): Promise<M> {
  checkPathArg('loadModel', 'dir', dir);
  // Registers 'Sequential' (imported here, not at the top, to keep the import graph acyclic).
  await import('../nn/sequential.js');
  const file = path.join(dir, MODEL_FILE);
  const saved = parseModelJson(await readFile(file, 'utf8'), file);
  let model: Layer<unknown, unknown>;
  try {
    model = layerFromConfig(saved.modelConfig);
  } catch (err) {
    throw new ValueError(`dendrite.loadModel: ${file}: cannot rebuild the model: ${(err as Error).message}`);
  }
  if (!model.built && model.batchInputShape !== null) model.build(model.batchInputShape);
  if (!model.built) {
    throw new ValueError(`dendrite.loadModel: ${file}: the model has no input shape, so its weights cannot be created`);
  }
  await loadWeights(model, path.join(dir, saved.weightsFile));
  const training = saved.trainingConfig;
  if (training !== undefined && options.compile !== false) await recompile(model, training, file);
  return model as M;
}

/** Writes the state dict of `model` (parameters and buffers by dotted name) to a safetensors file. */
export async function saveWeights(model: Module<unknown, unknown>, file: string): Promise<void> {
  checkModule('saveWeights', model);
  checkPathArg('saveWeights', 'file', file);
  await writeFileAtomic(file, encodeSafetensors(model.stateDict(), { format: MODEL_FORMAT }));
}

/**
 * Loads a safetensors file into `model` by state-dict name, in place (optimisers holding the
 * tensors keep working). Every shape must match; with `strict` (default) the names must match
 * exactly too. Nothing is changed unless everything checks out.
 */
export async function loadWeights(model: Module<unknown, unknown>, file: string, options: LoadWeightsOptions = {}): Promise<void> {
  checkModule('loadWeights', model);
  checkPathArg('loadWeights', 'file', file);
  const bytes = await readFile(file);
  const { tensors } = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { source: file });
  assignWeights(model, tensors, options.strict !== false, file);
}

/**
 * Copies `tensors` into the module's state dict after checking names and shapes; the error lists
 * every missing and unexpected name and every shape mismatch at once.
 */
export function assignWeights(
  model: Module<unknown, unknown>, tensors: ReadonlyMap<string, Tensor>, strict = true, source = 'weights',
): void {
  const own = model.stateDict();
  const missing = strict ? [...own.keys()].filter((k) => !tensors.has(k)) : [];
  const unexpected = strict ? [...tensors.keys()].filter((k) => !own.has(k)) : [];
  const mismatched: string[] = [];
  for (const [name, src] of tensors) {
    const dst = own.get(name);
    if (dst === undefined) continue;
    if (src.shape.length !== dst.shape.length || src.shape.some((d, i) => d !== dst.shape[i])) {
      mismatched.push(`'${name}' is ${fmtShape(src.shape)} in the file, ${fmtShape(dst.shape)} in the model`);
    }
  }
  if (missing.length > 0 || unexpected.length > 0) {
    throw new ValueError(
      `dendrite.loadWeights: ${source}: weight names do not match the model` +
        (missing.length > 0 ? `; missing from the file: ${missing.join(', ')}` : '') +
        (unexpected.length > 0 ? `; not in the model: ${unexpected.join(', ')}` : '') +
        (mismatched.length > 0 ? `; shape mismatches: ${mismatched.join('; ')}` : ''),
    );
  }
  if (mismatched.length > 0) throw new ShapeError(`dendrite.loadWeights: ${source}: ${mismatched.join('; ')}`);
  for (const [name, src] of tensors) own.get(name)?.data.set(src.data);
}

// ---------------------------------------------------------------------------------------------

/** The training configuration of a compiled Model, read defensively (null if not compiled). */
function trainingConfigOf(model: Layer<unknown, unknown>): SavedTrainingConfig | null {
  const m = model as unknown as {
    compiled?: { lossName?: unknown; loss?: { lossConfig?: unknown }; metrics?: readonly { name?: unknown }[] } | null;
    optimizer?: { className?: unknown; getConfig?: () => Record<string, unknown> } | null;
  };
  const compiled = m.compiled;
  if (compiled === undefined || compiled === null || typeof compiled.lossName !== 'string') return null;
  const opt = m.optimizer;
  const optimizer = opt !== undefined && opt !== null && typeof opt.className === 'string' && typeof opt.getConfig === 'function'
    ? { className: opt.className, config: jsonSafe(opt.getConfig()) }
    : null;
  const lossConfig = compiled.loss?.lossConfig;
  const metrics = Array.isArray(compiled.metrics)
    ? compiled.metrics.map((x) => x.name).filter((n): n is string => typeof n === 'string')
    : [];
  return {
    optimizer,
    loss: { name: compiled.lossName, config: lossConfig !== null && typeof lossConfig === 'object' ? { ...(lossConfig as LossConfig) } : {} },
    metrics,
  };
}

/** A plain-JSON copy (drops functions and undefined values). */
function jsonSafe(v: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v ?? {})) as Record<string, unknown>;
}

async function recompile(model: Layer<unknown, unknown>, training: SavedTrainingConfig, file: string): Promise<void> {
  const compile = (model as unknown as { compile?: (args: unknown) => void }).compile;
  if (typeof compile !== 'function') return;
  let loss;
  try {
    loss = lossFromConfig(training.loss.name, training.loss.config);
  } catch {
    throw new ValueError(
      `dendrite.loadModel: ${file}: the model was compiled with the loss '${training.loss.name}', which is not built in; ` +
        `load with { compile: false } and compile it yourself`,
    );
  }
  const { getOptimizer } = await import('../optim/index.js');
  const optimizer = training.optimizer === null ? 'adam' : getOptimizer({ className: training.optimizer.className, config: training.optimizer.config });
  compile.call(model, { optimizer, loss, metrics: training.metrics });
}

function parseModelJson(text: string, file: string): SavedModelJson {
  const fail = (msg: string): never => {
    throw new ValueError(`dendrite.loadModel: ${file}: ${msg}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('not a JSON object');
  const j = raw as Record<string, unknown>;
  if (j.format !== MODEL_FORMAT) fail(`format is ${describe(j.format)}, not '${MODEL_FORMAT}'`);
  if (typeof j.version !== 'number' || !Number.isInteger(j.version) || j.version < 1) fail(`version ${describe(j.version)} is not a version number`);
  if ((j.version as number) > MODEL_FORMAT_VERSION) fail(`version ${String(j.version)} is newer than this library reads (${MODEL_FORMAT_VERSION})`);
  const mc = j.modelConfig as Record<string, unknown> | null;
  if (mc === null || typeof mc !== 'object' || typeof mc.className !== 'string') fail('modelConfig must be {className, config}');
  const wf = j.weightsFile;
  // A bare file name in the same folder: a saved model cannot point elsewhere on the disk.
  if (typeof wf !== 'string' || wf === '' || wf !== path.basename(wf) || wf === '.' || wf === '..' || wf.includes('/') || wf.includes('\\')) {
    fail(`weightsFile must be a file name in the model's folder, got ${describe(wf)}`);
  }
  const tc = j.trainingConfig;
  if (tc !== undefined) {
    const t = tc as Record<string, unknown> | null;
    const loss = t?.loss as Record<string, unknown> | undefined;
    const opt = t?.optimizer as Record<string, unknown> | null | undefined;
    const ok = t !== null && typeof t === 'object' &&
      loss !== null && typeof loss === 'object' && typeof loss.name === 'string' &&
      (loss.config === undefined || (loss.config !== null && typeof loss.config === 'object')) &&
      (opt === null || (typeof opt === 'object' && opt !== undefined && typeof opt.className === 'string')) &&
      Array.isArray(t.metrics) && (t.metrics as unknown[]).every((x) => typeof x === 'string');
    if (!ok) fail('trainingConfig must be {optimizer: {className, config} | null, loss: {name, config}, metrics: string[]}');
  }
  return j as unknown as SavedModelJson;
}

/** Writes `data` to `file` through a temporary file in the same folder, synced, then renamed. */
async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable; folders cannot be opened for sync everywhere (Windows).
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

function checkLayer(op: string, model: unknown): void {
  const m = model as { serialize?: unknown; stateDict?: unknown } | null;
  if (m === null || typeof m !== 'object' || typeof m.serialize !== 'function' || typeof m.stateDict !== 'function') {
    throw new ArgumentError(`dendrite.${op}: expected a layer or model, got ${describe(model)}`);
  }
}

function checkModule(op: string, model: unknown): void {
  const m = model as { stateDict?: unknown } | null;
  if (m === null || typeof m !== 'object' || typeof m.stateDict !== 'function') {
    throw new ArgumentError(`dendrite.${op}: expected a module, got ${describe(model)}`);
  }
}

function checkPathArg(op: string, what: string, p: unknown): void {
  if (typeof p !== 'string' || p === '') throw new ArgumentError(`dendrite.${op}: ${what} must be a non-empty path string, got ${describe(p)}`);
}
