// `dendrite train mnist --workers 2`: data-parallel on two local ranks, as a user runs it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'dendrite.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'dendrite-dist-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dendrite(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: scratch, env: { ...process.env, DENDRITE_DEBUG: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('dendrite train --workers', () => {
  it('2 local ranks: only rank 0 prints (one line per epoch, one result), saves the model, and learns', async () => {
    const out = path.join(scratch, 'w2');
    const r = await dendrite(['train', 'mnist', '--workers', '2', '--limit', '2000', '--epochs', '2', '--json', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Data-parallel on 2 ranks \(local back end\): .*batch 32 per rank \(64 per step\)/m);
    expect(r.stdout.match(/^Epoch 1\/2 /gm)).toHaveLength(1);
    expect(r.stdout.match(/^Epoch 2\/2 /gm)).toHaveLength(1);
    expect(r.stdout.match(/^Test accuracy: /gm)).toHaveLength(1);
    expect(r.stdout.match(/^Model: "sequential"/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^MNIST: learning from 2,000 training images/m);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    expect(summary.test_accuracy).toBeGreaterThan(0.8);
    expect(existsSync(path.join(out, 'mnist-mlp', 'weights.safetensors'))).toBe(true);
  }, 60_000);

  it('bad --workers / --distributed values are usage errors', async () => {
    const run = async (argv: string[]) => {
      const o = new PassThrough();
      const e = new PassThrough();
      let stderr = '';
      e.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const status = await main(argv, { stdout: o, stderr: e });
      return { status, stderr };
    };
    expect(await run(['train', '--workers', '0'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--workers must be an integer ≥ 1/) });
    expect(await run(['train', '--distributed', 'tcp'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--distributed must be local or mpi, got 'tcp'/) });
    expect(await run(['train', '--distributed', 'mpi', '--workers', '2'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/mpirun -n decides/) });
  });
});
