import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, type CommandIo } from '../../src/cli/command.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { FASHION_MNIST_DIR, trainMnist, trainSummaryJson } from '../../src/programs/train_mnist.js';

const quiet = { write: () => true };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function sink(): CommandIo & { text: () => string } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WritableStream;
  return { stdout: stream, stderr: stream, text: () => text };
}

describe('train mnist', () => {
  it('fast mode: the recognition model on 10,000 images, one epoch, reaches ≥ 90% on the 10,000 test images and writes the model and charts', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'dendrite-train-'));
    dirs.push(out);
    const lines: string[] = [];
    const r = await trainMnist({ model: 'mlp', fast: true, out, log: (l) => lines.push(l), progress: quiet });
    expect(r.epochs).toBe(1);
    expect(r.trainSamples).toBe(10_000);
    expect(r.validationSamples).toBe(6_000);
    expect(r.testSamples).toBe(10_000);
    expect(r.parameters).toBe(784 * 32 + 32 + 32 * 10 + 10);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.history.loss).toHaveLength(1);
    expect(r.history.val_accuracy).toHaveLength(1);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(r.modelDir).toBe(path.join(out, 'mnist-mlp'));
    expect((await stat(path.join(r.modelDir, 'model.json'))).isFile()).toBe(true);
    expect((await stat(path.join(r.modelDir, 'weights.safetensors'))).isFile()).toBe(true);
    for (const file of [r.learningCurve, r.confusionMatrix]) {
      expect((await readFile(file, 'utf8')).trimStart().startsWith('<svg')).toBe(true);
    }
    const text = lines.join('\n');
    expect(text).toMatch(/Test accuracy: \d+\.\d\d%/);
    expect(text).toContain(r.learningCurve);
    expect(text).toContain(r.confusionMatrix);
    const json = JSON.parse(trainSummaryJson(r)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['model', 'epochs', 'test_accuracy', 'train_samples_per_s', 'seconds']));
    expect(json.model).toBe('mlp');
    expect(json.epochs).toBe(1);
    expect(json.test_accuracy).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('rejects bad options with a UsageError before loading anything', async () => {
    const io = sink();
    await expect(trainCommand.run({ model: 'resnet' }, [], io)).rejects.toThrow(UsageError);
    await expect(trainCommand.run({ epochs: 'two' }, [], io)).rejects.toThrow(/--epochs/);
    await expect(trainCommand.run({ epochs: '0' }, [], io)).rejects.toThrow(UsageError);
    await expect(trainCommand.run({ 'batch-size': '1.5' }, [], io)).rejects.toThrow(/--batch-size/);
    await expect(trainCommand.run({ limit: '-3' }, [], io)).rejects.toThrow(UsageError);
    await expect(trainCommand.run({}, ['cifar'], io)).rejects.toThrow(/unknown dataset 'cifar'/);
  });

  it('says clearly when a data folder is missing (a runtime error, not a usage error)', async () => {
    const io = sink();
    const err = await trainCommand.run({ data: '/nonexistent/mnist', fast: true }, ['mnist'], io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('/nonexistent/mnist does not exist');
  });

  it.skipIf(existsSync(FASHION_MNIST_DIR))('names the Debian package when Fashion-MNIST is not installed', async () => {
    const err = await trainCommand.run({ fast: true }, ['fashion-mnist'], sink()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('dataset-fashion-mnist');
  });
});
