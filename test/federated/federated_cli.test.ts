// `dendrite federated mnist` as a user runs it (a spawned `node bin/dendrite.mjs`): one line per
// round with the global test accuracy, a JSON summary, the comparison charts, usage errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'dendrite.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'dendrite-federated-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dendrite(args: string[], timeoutMs = 90_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dendrite ${args.join(' ')} did not finish in ${timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** main() in this process with captured output (no process start-up). */
async function runMain(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  err.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const status = await main(argv, { stdout: out, stderr: err });
  return { status, stdout, stderr };
}

describe('dendrite federated', () => {
  it('--fast prints the global test accuracy of every round (clients on worker threads)', async () => {
    const r = await dendrite(['federated', 'mnist', '--fast', '--workers', '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rounds = r.stdout.split('\n').filter((l) => /^\s+round \d\/3: test accuracy/.test(l));
    expect(rounds).toHaveLength(3);
    const acc = rounds.map((l) => Number(/test accuracy (\d+\.\d\d)%/.exec(l)![1]));
    expect(acc[2]).toBeGreaterThan(75);
    expect(r.stdout).toMatch(/10\/10 clients used/);
    expect(r.stdout).toMatch(/on 2 worker threads/);
  });

  it('--compare --json charts strategies beside centralised training and the poisoned runs', async () => {
    const r = await runMain(['federated', 'mnist', '--fast', '--compare', '--json', '--rounds', '2', '--workers', '0', '--partition', 'shards', '--out', path.join(scratch, 'o')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ program: 'federated', strategy: 'fedavg', partition: 'shards', clients: 10, rounds: 2, workers: 0 });
    const comparison = summary.comparison as Record<string, number[]>;
    expect(Object.keys(comparison)).toEqual(['fedavg', 'fedprox', 'fedadam', 'fedyogi', 'median', 'krum', 'centralised']);
    expect(comparison.centralised).toHaveLength(2);
    expect(Object.keys(summary.poisoned as object)).toEqual(['fedavg', 'median', 'krum']);
    const files = summary.files as string[];
    expect(files.map((f) => path.basename(f))).toEqual(['strategies.svg', 'poisoned.svg']);
    for (const f of files) {
      const file = path.resolve(scratch, f);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8').trimStart().startsWith('<svg')).toBe(true);
    }
    expect(readFileSync(path.resolve(scratch, files[0]!), 'utf8')).toContain('centralised');
  });

  it('DP flags report ε; bad flags are usage errors (exit 2)', async () => {
    const dp = await runMain(['federated', '--fast', '--rounds', '1', '--workers', '0', '--dp-noise', '1', '--dp-clip', '1', '--fraction', '0.5', '--out', scratch]);
    expect(dp.status).toBe(0);
    expect(dp.stdout).toMatch(/round 1\/1: test accuracy \d+\.\d\d%.*ε = \d+\.\d\d/);
    expect(dp.stdout).toMatch(/Privacy: \(ε = \d+\.\d{3}, δ = 0\.00001\)/);
    const bad = await runMain(['federated', 'mnist', '--strategy', 'fedsgd']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--strategy must be one of fedavg, fedprox/);
    expect((await runMain(['federated', 'cifar'])).stderr).toMatch(/unknown dataset 'cifar'; expected mnist/);
    expect((await runMain(['federated', '--poisoned', '11'])).stderr).toMatch(/--poisoned must be at most --clients \(10\)/);
    const half = await runMain(['federated', '--dp-noise', '1']);
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/--dp-noise and --dp-clip go together/);
  });
});
