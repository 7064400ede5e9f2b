/**
 * The runner of the `dendrite` command line: finds the command, prints help, parses options with
 * Node's util.parseArgs, applies --threads and --seed, runs the command and maps what happens to
 * an exit code — 0 success, 1 runtime failure (one line, no stack trace unless DENDRITE_DEBUG=1),
 * 2 usage error (a bad command, flag or value, and where to read more).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { manualSeed, setNumThreads } from '../index.js';
import { intOption, UsageError, type Command, type CommandIo, type OptionSpec } from './command.js';

/** Exit codes of the command line. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const MAX_THREADS = 256;
const HELP_OPTION = { type: 'boolean', short: 'h', description: 'show this help' } as const satisfies OptionSpec;

const defaultIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * Runs the `dendrite` command line.
 *
 * @param argv - the arguments after the program name, e.g. `['train', 'mnist', '--epochs', '1']`
 * @param io - where help, results and errors go (process.stdout / process.stderr by default)
 * @param commands - the commands to offer (all of dendrite's by default; tests pass their own)
 * @returns the exit code: 0 success, 1 runtime failure, 2 usage error
 */
export async function main(argv: string[], io: CommandIo = defaultIo, commands?: readonly Command[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  // Loaded here so that --version stays instant: the commands bring the programs and the charts.
  commands ??= (await import('./commands/index.js')).COMMANDS;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout.write(overviewHelp(commands));
    return EXIT_OK;
  }
  if (first === 'help') {
    // `dendrite help` and `dendrite help <command>`, as in git and npm.
    if (rest[0] === undefined) {
      io.stdout.write(overviewHelp(commands));
      return EXIT_OK;
    }
    const command = findCommand(rest[0], commands, io);
    if (!command) return EXIT_USAGE;
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    io.stderr.write(`dendrite: unknown option ${first}; options come after the command (dendrite <command> [options])\n`);
    io.stderr.write(`Try: dendrite --help\n`);
    return EXIT_USAGE;
  }
  const command = findCommand(first, commands, io);
  if (!command) return EXIT_USAGE;
  return runCommand(command, rest, io);
}

/** The command named `name`, or undefined after telling the user what exists (and the closest name). */
function findCommand(name: string, commands: readonly Command[], io: CommandIo): Command | undefined {
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  const guess = closest(name, commands.map((c) => c.name));
  io.stderr.write(`dendrite: unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''}\n`);
  io.stderr.write(`Try: dendrite --help (commands: ${commands.map((c) => c.name).join(', ')})\n`);
  return undefined;
}

async function runCommand(command: Command, args: string[], io: CommandIo): Promise<number> {
  const specs: Readonly<Record<string, OptionSpec>> = { ...command.options, help: HELP_OPTION };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args, options: parseArgsOptions(specs), strict: true, allowPositionals: true });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (err) {
    return usageFailure(command, parseErrorMessage(err, specs), io);
  }
  if (values.help === true) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  delete values.help;

  try {
    applyCommonOptions(command, values);
    return await command.run(values, positionals, io);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(command, err.message, io);
    const message = err instanceof Error ? err.message : String(err);
    const prefix = `dendrite ${command.name}:`;
    io.stderr.write(`${message.startsWith(prefix) ? message : `${prefix} ${message}`}\n`);
    if (process.env.DENDRITE_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
}

function usageFailure(command: Command, message: string, io: CommandIo): number {
  io.stderr.write(`dendrite ${command.name}: ${message}\n`);
  io.stderr.write(`Try: dendrite ${command.name} --help\n`);
  return EXIT_USAGE;
}

/** --threads sizes the native pool and --seed seeds the global generator, for every command that takes them. */
function applyCommonOptions(command: Command, values: Record<string, string | boolean | undefined>): void {
  if ('threads' in command.options && values.threads !== undefined) {
    const threads = intOption(values, 'threads', 1, 1);
    if (threads > MAX_THREADS) throw new UsageError(`--threads must be at most ${MAX_THREADS}, got '${String(values.threads)}'`);
    setNumThreads(threads);
  }
  if ('seed' in command.options) manualSeed(intOption(values, 'seed', 1, 0));
}

type ParseArgsOption = { type: 'string' | 'boolean'; short?: string; default?: string | boolean };

function parseArgsOptions(specs: Readonly<Record<string, OptionSpec>>): Record<string, ParseArgsOption> {
  const options: Record<string, ParseArgsOption> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const option: ParseArgsOption = { type: spec.type };
    if (spec.short !== undefined) option.short = spec.short;
    if (spec.default !== undefined) option.default = spec.default;
    options[name] = option;
  }
  return options;
}

/** util.parseArgs' error as one line naming the flag (and the closest known flag for a typo). */
function parseErrorMessage(err: unknown, specs: Readonly<Record<string, OptionSpec>>): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const flag = /(--[^\s'"=<>,]+)/.exec(message)?.[1] ?? /'(-[^\s'"=<>,]+)/.exec(message)?.[1];
  if (flag === undefined) return message.split('\n')[0]!;
  const name = flag.replace(/^-+/, '');
  const spec = flag.startsWith('--') ? specs[name] : Object.entries(specs).find(([, s]) => s.short === name)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = closest(name, Object.keys(specs));
    return `unknown option ${flag}${guess ? `; did you mean --${guess}?` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) return `${flag} is a switch and takes no value`;
    return `${flag} needs a value: ${flag} <${spec?.valueName ?? 'value'}>${/ambiguous/.test(message) ? ` (to give a value starting with '-', write ${flag}=<value>)` : ''}`;
  }
  return message.split('\n')[0]!;
}

/** The candidate nearest to `word` by edit distance (or the one it is a prefix of), if any is close. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const prefixed = candidates.filter((c) => w.length >= 2 && c.startsWith(w));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(w.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

function overviewHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = [
    'dendrite — neural networks for Node.js, and the programs of its founding documents',
    '',
    'Usage: dendrite <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (and `dendrite <command> --help` for a command\'s options)',
    '  -v, --version  print the version',
    '',
    'Start with `dendrite train mnist`: it trains a digit recogniser on the real MNIST images.',
    'Exit codes: 0 success, 1 runtime failure, 2 usage error (a bad command, option or value).',
  ];
  return `${lines.join('\n')}\n`;
}

function commandHelp(command: Command): string {
  const specs: Readonly<Record<string, OptionSpec>> = { ...command.options, help: HELP_OPTION };
  const flags = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short !== undefined ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : '';
    return { flag: `${short}--${name}${value}`, text: describe(spec) };
  });
  const width = Math.max(...flags.map((f) => f.flag.length)) + 2;
  const lines = [
    `Usage: dendrite ${command.name}${command.usage ? ` ${command.usage}` : ''} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...flags.map((f) => `  ${f.flag.padEnd(width)}${f.text}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** An option's description, with its default added when the description does not give it. */
function describe(spec: OptionSpec): string {
  if (spec.default === undefined || /default/i.test(spec.description)) return spec.description;
  const shown = typeof spec.default === 'boolean' ? (spec.default ? 'on' : 'off') : spec.default;
  return `${spec.description} (default ${shown})`;
}

function packageVersion(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}
