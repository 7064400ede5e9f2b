/**
 * Training throughput on real MNIST: samples/s of one epoch (median over --epochs epochs) for
 * the benchmark models, at each thread count, with PyTorch's figure for the same model, batch and
 * optimiser in the same run where PyTorch is installed.
 *
 *   npm run bench -- train [--models=mlp-large,mlp,cnn] [--threads=1,2] [--epochs=1] [--limit=N] [--no-torch]
 *
 * Models: mlp-large = 784-512-256-10 ReLU, batch 128; mlp = 784-32(relu)-10, batch 32 (the
 * recognition document's model); cnn = conv5×5×32-pool-conv5×5×64-pool-dense128-dense10 with
 * 'same' padding, batch 128. All: Adam lr 1e-3, sparse categorical cross-entropy on a softmax.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';
import { backendInfo, manualSeed, setNumThreads } from '../src/index.js';
import { buildMnistModel } from '../src/programs/train_mnist.js';
import type { Sequential } from '../src/index.js';
import { findPython, machineInfo, median, peerIsaEnv, printJson, round } from './util.js';

interface Spec {
  batch: number;
  image: boolean;
  build(): Sequential;
}

const MODELS: Record<string, Spec> = {
  'mlp-large': { batch: 128, image: false, build: () => buildMnistModel('mlp-large') },
  mlp: { batch: 32, image: false, build: () => buildMnistModel('mlp') },
  cnn: { batch: 128, image: true, build: () => buildMnistModel('cnn') },
};

function option(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

async function dendriteRun(name: string, threads: number, epochs: number, limit: number | undefined) {
  const spec = MODELS[name]!;
  const data = await loadMnist(null, { layout: spec.image ? 'image' : 'flat', trainLimit: limit });
  setNumThreads(threads);
  manualSeed(0);
  const model = spec.build();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const n = data.train.labels.length;
  const seconds: number[] = [];
  let accuracy: number | undefined;
  for (let e = 0; e < epochs; e++) {
    const t0 = process.hrtime.bigint();
    await model.fit(data.train.images, data.train.labels, { epochs: 1, batchSize: spec.batch, verbose: 0 });
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (accuracy === undefined) {
      const logs = await model.evaluate(data.test.images, data.test.labels, { batchSize: 1000 });
      accuracy = logs.accuracy;
    }
  }
  return { samples_per_s: n / median(seconds), epoch_seconds: seconds.map((s) => round(s, 3)), test_accuracy_after_1_epoch: accuracy };
}

function torchRun(python: string, name: string, threads: number, epochs: number, limit: number | undefined) {
  const dir = defaultMnistDir()!;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_train.py');
  const env = {
    ...peerIsaEnv(),
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    // At 2 threads OpenMP's spinning workers and OpenBLAS's threads otherwise fight over the cores.
    ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
  };
  const argv = [script, dir, name, String(MODELS[name]!.batch), String(epochs), ...(limit ? [String(limit)] : [])];
  const r = spawnSync(python, argv, { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || '').trim().split('\n').slice(-1)[0] ?? `exit ${r.status}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { samples_per_s: number; test_accuracy_after_1_epoch: number; torch: string; epoch_seconds: number[] };
  return out;
}

export async function main(args: string[]): Promise<void> {
  const models = (option(args, 'models') ?? 'mlp-large,mlp,cnn').split(',');
  const threadList = (option(args, 'threads') ?? '1,2').split(',').map(Number);
  const epochs = Number(option(args, 'epochs') ?? '1');
  const limitArg = option(args, 'limit');
  const limit = limitArg === undefined ? undefined : Number(limitArg);
  for (const m of models) if (!(m in MODELS)) throw new Error(`unknown model '${m}' (${Object.keys(MODELS).join(', ')})`);
  const python = args.includes('--no-torch') ? undefined : findPython(['torch']);
  const results = [];
  for (const name of models) {
    for (const threads of threadList) {
      const d = await dendriteRun(name, threads, epochs, limit);
      const t = python ? torchRun(python, name, threads, epochs, limit) : { error: 'PyTorch not installed' };
      const ratio = 'samples_per_s' in t ? round(d.samples_per_s / t.samples_per_s, 2) : null;
      const row = {
        model: name,
        batch: MODELS[name]!.batch,
        threads,
        dendrite: { samples_per_s: Math.round(d.samples_per_s), test_accuracy: d.test_accuracy_after_1_epoch, epoch_seconds: d.epoch_seconds },
        torch: 'samples_per_s' in t
          ? { samples_per_s: Math.round(t.samples_per_s), test_accuracy: t.test_accuracy_after_1_epoch, epoch_seconds: t.epoch_seconds.map((s) => round(s, 3)), version: t.torch }
          : t,
        ratio,
      };
      process.stderr.write(JSON.stringify(row) + '\n');
      results.push(row);
    }
  }
  printJson({ bench: 'train', backend: backendInfo(), machine: machineInfo(), epochs, limit: limit ?? null, results });
}
