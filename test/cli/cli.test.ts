// The `dendrite` command line, run as a user runs it (a spawned `node bin/dendrite.mjs ...`), and
// the runner's contract checked in process with commands made for the test: help, exit codes
// (0 success, 1 runtime failure, 2 usage error), one-line messages without stack traces.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMON_OPTIONS, UsageError, intOption, type Command, type CommandIo } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';
import { backendInfo, randn, setNumThreads } from '../../src/index.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'dendrite.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'dendrite-cli-'));
const NAMES = [
  'train', 'predict', 'activations', 'linear-regression', 'logistic-regression',
  'memory-network', 'mlp-sigmoid', 'autoencoder', 'hopfield', 'lstm-memory', 'federated',
];
/** A stack frame line as Node prints it. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|<anonymous>\)?)$/m;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `dendrite ...args` in a child process, as a user runs it. */
function dendrite(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: scratch,
      env: { ...process.env, DENDRITE_DEBUG: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** main() in process with captured output. */
async function runMain(argv: string[], commands?: readonly Command[]): Promise<Run> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  err.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const io: CommandIo = { stdout: out, stderr: err };
  const status = await main(argv, io, commands);
  return { status, stdout, stderr };
}

describe('dendrite, spawned as a user runs it', () => {
  it('--help lists the ten commands with a usage line, exit 0 (as do -h and no arguments)', async () => {
    const r = await dendrite(['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dendrite <command> \[options\]$/m);
    for (const name of NAMES) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(r.stdout).toMatch(/Exit codes: 0 success, 1 runtime failure, 2 usage error/);
    // The same text in process (spawning costs a second per run on a busy machine).
    expect(await runMain(['-h'])).toEqual({ status: 0, stdout: r.stdout, stderr: '' });
    expect(await runMain([])).toEqual({ status: 0, stdout: r.stdout, stderr: '' });
  }, 30_000);

  it('<command> --help shows the usage and every option of each command', async () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...NAMES].sort());
    const spawned = await dendrite(['train', '--help']);
    for (const command of COMMANDS) {
      const r = await runMain([command.name, '--help']);
      if (command.name === 'train') expect(spawned).toEqual(r);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: dendrite ${command.name}\\b.*\\[options\\]$`, 'm'));
      expect(r.stdout).toContain(command.summary);
      for (const [option, spec] of Object.entries(command.options)) {
        expect(r.stdout).toContain(`--${option}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`);
        expect(r.stdout).toContain(spec.description);
      }
      expect(r.stdout).toMatch(/-h, --help/);
    }
  }, 30_000);

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await dendrite(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  }, 30_000);

  it('an unknown command: exit 2, the closest name suggested', async () => {
    const r = await dendrite(['trian', 'mnist']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown command 'trian'; did you mean 'train'\?/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  }, 30_000);

  it('a bad flag: exit 2, the message names the flag, no stack trace', async () => {
    const r = await dendrite(['activations', '--no-such-flag']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('dendrite activations: unknown option --no-such-flag');
    expect(lines[1]).toBe('Try: dendrite activations --help');
    expect(lines).toHaveLength(2);
  }, 30_000);

  it('a bad value: exit 2, the message names the flag', async () => {
    const r = await dendrite(['train', 'mnist', '--epochs', 'zero']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dendrite train: .*--epochs.*zero/m);
    expect(r.stderr).toMatch(/^Try: dendrite train --help$/m);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  }, 30_000);

  it('a missing data directory: exit 1, one clear line, no stack trace', async () => {
    const r = await dendrite(['train', 'mnist', '--data', path.join(scratch, 'no-such-dir'), '--out', scratch]);
    expect(r.status).toBe(1);
    const errors = r.stderr.trim().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^dendrite train: .*no-such-dir/);
  }, 30_000);

  it('a short training run prints its summary as one JSON line', async () => {
    const out = path.join(scratch, 'train');
    const r = await dendrite(['train', 'mnist', '--limit', '3000', '--epochs', '1', '--json', '--threads', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ model: 'mlp', epochs: 1 });
    expect(summary.test_accuracy).toBeGreaterThan(0.8);
    expect(summary.train_samples_per_s).toBeGreaterThan(0);
    expect(summary.seconds).toBeGreaterThan(0);
  }, 60_000);
});

describe('the runner, in process with test commands', () => {
  let seen: { values: Record<string, string | boolean | undefined>; positionals: string[]; draw: number } | undefined;
  const probe: Command = {
    name: 'probe',
    summary: 'a command made for the test',
    usage: '<thing>',
    options: {
      ...COMMON_OPTIONS,
      count: { type: 'string', short: 'n', default: '3', valueName: 'k', description: 'how many' },
      loud: { type: 'boolean', description: 'shout' },
    },
    async run(values, positionals, io) {
      const count = intOption(values, 'count', 3);
      if (positionals[0] === 'fail') throw new Error('the disk is on fire');
      if (positionals[0] === 'bad') throw new UsageError(`<thing> must not be 'bad'`);
      seen = { values, positionals, draw: randn([1]).item() };
      io.stdout.write(`count ${count}\n`);
      return 0;
    },
  };
  const commands = [probe];

  it('parses flags, short flags, defaults and positionals, and returns the exit code of run', async () => {
    const r = await runMain(['probe', 'thing', '-n', '5', '--loud'], commands);
    expect(r).toEqual({ status: 0, stdout: 'count 5\n', stderr: '' });
    expect(seen!.positionals).toEqual(['thing']);
    expect(seen!.values).toMatchObject({ count: '5', loud: true, out: 'out' });
    expect((await runMain(['probe', 'x'], commands)).stdout).toBe('count 3\n');
  });

  it('help shows each option with its value name and default', async () => {
    const r = await runMain(['probe', '--help'], commands);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dendrite probe <thing> \[options\]$/m);
    expect(r.stdout).toMatch(/^ {2}-n, --count <k> +how many \(default 3\)$/m);
    expect(r.stdout).toMatch(/^ {6}--loud +shout$/m);
    expect(r.stdout).toMatch(/^ {6}--threads <n> +native threads/m);
    expect((await runMain(['help', 'probe'], commands)).stdout).toBe(r.stdout);
  });

  it('a missing value, a value given to a switch, a typo: exit 2 naming the flag', async () => {
    const missing = await runMain(['probe', '--count'], commands);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('dendrite probe: --count needs a value: --count <k>\nTry: dendrite probe --help\n');
    const switchValue = await runMain(['probe', '--loud=yes'], commands);
    expect(switchValue.status).toBe(2);
    expect(switchValue.stderr).toMatch(/^dendrite probe: --loud is a switch and takes no value$/m);
    const typo = await runMain(['probe', '--cuont', '2'], commands);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^dendrite probe: unknown option --cuont; did you mean --count\?$/m);
  });

  it('a UsageError from run or a bad value: exit 2; any other error: exit 1, one line, stack only with DENDRITE_DEBUG=1', async () => {
    const bad = await runMain(['probe', 'bad'], commands);
    expect(bad).toEqual({ status: 2, stdout: '', stderr: `dendrite probe: <thing> must not be 'bad'\nTry: dendrite probe --help\n` });
    const value = await runMain(['probe', 'x', '--count', 'many'], commands);
    expect(value.status).toBe(2);
    expect(value.stderr).toMatch(/^dendrite probe: --count must be an integer ≥ 1, got 'many'$/m);
    const fail = await runMain(['probe', 'fail'], commands);
    expect(fail).toEqual({ status: 1, stdout: '', stderr: 'dendrite probe: the disk is on fire\n' });
    process.env.DENDRITE_DEBUG = '1';
    try {
      const debug = await runMain(['probe', 'fail'], commands);
      expect(debug.status).toBe(1);
      expect(debug.stderr).toMatch(STACK_FRAME);
    } finally {
      delete process.env.DENDRITE_DEBUG;
    }
  });

  it('--threads sizes the native pool (validated) and --seed seeds the generator', async () => {
    const before = backendInfo().threads;
    try {
      expect((await runMain(['probe', 'x', '--threads', '1'], commands)).status).toBe(0);
      expect(backendInfo().threads).toBe(1);
      for (const threads of ['0', 'two', '100000']) {
        const r = await runMain(['probe', 'x', '--threads', threads], commands);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^dendrite probe: --threads must be/m);
      }
    } finally {
      setNumThreads(before);
    }
    await runMain(['probe', 'x', '--seed', '7'], commands);
    const first = seen!.draw;
    await runMain(['probe', 'x', '--seed', '8'], commands);
    expect(seen!.draw).not.toBe(first);
    await runMain(['probe', 'x', '--seed', '7'], commands);
    expect(seen!.draw).toBe(first);
  });

  it('options before the command and unknown commands: exit 2', async () => {
    const early = await runMain(['--loud', 'probe'], commands);
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/unknown option --loud; options come after the command/);
    const unknown = await runMain(['zzzzzz'], commands);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).not.toMatch(/did you mean/);
    expect(unknown.stderr).toMatch(/commands: probe/);
  });
});
