/**
 * Activation functions and their derivatives, as the library computes them: each function runs
 * forward through its op, and its derivative comes from autograd (y.backward(ones) leaves dy/dx
 * in x.grad). One chart per function, plus the throughput of each activation on this machine.
 */
import { join } from 'node:path';
import { noGrad } from '../autograd.js';
import { backendInfo } from '../backend/index.js';
import {
  elu, gelu, leakyRelu, relu, sigmoid, silu, softmax, softplus, tanh,
} from '../ops/activation.js';
import { ones, zeros } from '../ops/creation.js';
import { slice } from '../ops/indexing.js';
import { reshape, stack } from '../ops/shape.js';
import { barChart, lineChart } from '../plot/index.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';

export interface ActivationsOptions {
  /** Folder for the charts (default out/activations). */
  readonly out?: string;
  /** Seed of the benchmark's input values (default 1). */
  readonly seed?: number;
  /** Fewer timing runs (tests). */
  readonly fast?: boolean;
  /** Where the explanation and results go (default console.log). */
  readonly log?: (line: string) => void;
}

/** One activation sampled over x in [−5, 5]: its values and its derivative from autograd. */
export interface ActivationCurve {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly dy: number[];
}

/** Forward throughput of one activation over a large float32 buffer. */
export interface ActivationThroughput {
  readonly name: string;
  /** Billions of elements per second (median of the timed runs). */
  readonly gelemPerSecond: number;
  /** Median time of one pass, milliseconds. */
  readonly medianMs: number;
}

export interface ActivationsResult {
  readonly curves: ActivationCurve[];
  readonly throughput: ActivationThroughput[];
  /** Elements per timed pass. */
  readonly benchElements: number;
  /** Charts written: one per function, then the throughput bar chart. */
  readonly files: string[];
}

interface ActivationEntry {
  readonly name: string;
  readonly label: string;
  readonly fn: (x: Tensor) => Tensor;
  /** What the throughput table times on a flat input (default fn itself). */
  readonly bench?: (x: Tensor) => Tensor;
}

/** softmax over the two classes [x, 0], class 0's probability (equal to sigmoid(x)). */
function softmaxSlice(x: Tensor): Tensor {
  const n = x.size;
  const logits = stack([reshape(x, [n]), zeros([n])], 1);
  return reshape(slice(softmax(logits, -1), [0, 0], [n, 1]), [n]);
}

const ACTIVATIONS: readonly ActivationEntry[] = [
  { name: 'sigmoid', label: 'sigmoid(x) = 1 / (1 + e^-x)', fn: sigmoid },
  { name: 'tanh', label: 'tanh(x)', fn: tanh },
  { name: 'relu', label: 'relu(x) = max(0, x)', fn: relu },
  { name: 'leaky-relu', label: 'leaky relu (slope 0.1 below 0)', fn: (x) => leakyRelu(x, 0.1) },
  { name: 'elu', label: 'elu (alpha 1)', fn: (x) => elu(x, 1) },
  { name: 'gelu', label: 'gelu (exact, erf form)', fn: (x) => gelu(x) },
  { name: 'silu', label: 'silu(x) = x · sigmoid(x)', fn: silu },
  { name: 'softplus', label: 'softplus(x) = log(1 + e^x)', fn: softplus },
  {
    name: 'softmax-2class', label: 'softmax([x, 0])[0]', fn: softmaxSlice,
    // The kernel alone: softmax over consecutive pairs of the input.
    bench: (x) => softmax(reshape(x, [x.size / 2, 2]), -1),
  },
];

/** Names of the activations the program draws, in order. */
export const ACTIVATION_NAMES: readonly string[] = ACTIVATIONS.map((a) => a.name);

/** Samples x in [−5, 5] in steps of 0.05 (x = 0 exactly at the middle). */
function grid(): Float32Array {
  const x = new Float32Array(201);
  for (let i = 0; i < x.length; i++) x[i] = (i - 100) / 20;
  return x;
}

/** The function and its derivative (through autograd) at the points `xs`. */
export function activationCurve(name: string, xs: Float32Array): ActivationCurve {
  const entry = ACTIVATIONS.find((a) => a.name === name);
  if (!entry) throw new RangeError(`unknown activation '${name}'; one of ${ACTIVATION_NAMES.join(', ')}`);
  const x = new Tensor(Float32Array.from(xs), [xs.length], true);
  const y = entry.fn(x);
  y.backward(ones(y.shape));
  return { name, x: Array.from(xs), y: Array.from(y.data), dy: Array.from(x.grad!.data) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Draws every activation and its derivative, and times each activation's forward pass over
 * 1M floats (median of several runs). Returns the sampled curves, the throughput and the files.
 */
export async function runActivations(options: ActivationsOptions = {}): Promise<ActivationsResult> {
  const out = options.out ?? join('out', 'activations');
  const log = options.log ?? ((line: string) => console.log(line));
  const fast = options.fast ?? false;

  log('Activation functions: the non-linearities between the layers of a network.');
  log('Each is computed by dendrite\'s kernels over x in [-5, 5]; its derivative is not written');
  log('by hand but comes from autograd (y.backward(ones) leaves dy/dx in x.grad), the same');
  log('gradient training uses. One chart per function shows both.');
  log('');

  const xs = grid();
  const curves: ActivationCurve[] = [];
  const files: string[] = [];
  for (const a of ACTIVATIONS) {
    const c = activationCurve(a.name, xs);
    curves.push(c);
    files.push(await lineChart({
      title: `${a.label} and its derivative`,
      file: join(out, `${a.name}.svg`),
      xLabel: 'x',
      yLabel: 'value',
      series: [
        { name: a.name, x: c.x, y: c.y },
        { name: `${a.name}' (autograd)`, x: c.x, y: c.dy },
      ],
    }));
  }
  const at0 = (name: string): string => {
    const c = curves.find((k) => k.name === name)!;
    return c.dy[100]!.toFixed(4);
  };
  log(`derivatives at x = 0: sigmoid' ${at0('sigmoid')} (exact 0.25), tanh' ${at0('tanh')} (exact 1), ` +
    `gelu' ${at0('gelu')} (exact 0.5), softmax slice' ${at0('softmax-2class')} (exact 0.25)`);
  log('');

  // Throughput: each activation's forward pass over 1M floats, no graph recorded.
  const n = 1 << 20;
  const runs = fast ? 3 : 9;
  const rng = new Random(options.seed ?? 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniformRange(-5, 5);
  const input = new Tensor(data, [n]);
  const info = backendInfo();
  log(`Throughput over ${n.toLocaleString('en-US')} floats (median of ${runs} runs; backend ${info.backend}, ` +
    `${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}):`);
  const throughput: ActivationThroughput[] = [];
  noGrad(() => {
    // Warm-up: the thread pool, the allocator's reusable blocks and each kernel's first call.
    for (let r = 0; r < 2; r++) for (const a of ACTIVATIONS) (a.bench ?? a.fn)(input);
    for (const a of ACTIVATIONS) {
      const fn = a.bench ?? a.fn;
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        fn(input);
        times.push(performance.now() - t0);
      }
      const ms = Math.max(median(times), 1e-6);
      throughput.push({ name: a.name, medianMs: ms, gelemPerSecond: n / (ms / 1000) / 1e9 });
    }
  });
  log('  activation        Gelem/s    ms/pass   (softmax-2class: softmax over 524,288 pairs)');
  for (const t of throughput) {
    log(`  ${t.name.padEnd(16)} ${t.gelemPerSecond.toFixed(2).padStart(8)} ${t.medianMs.toFixed(3).padStart(10)}`);
  }
  files.push(await barChart({
    title: `Activation throughput over 1M floats (${info.backend}, ${info.isa}, ${info.threads} threads)`,
    file: join(out, 'throughput.svg'),
    xLabel: 'activation',
    yLabel: 'billion elements per second',
    bars: throughput.map((t) => ({ label: t.name, value: t.gelemPerSecond })),
  }));

  log('');
  log(`Charts written to ${out}:`);
  for (const f of files) log(`  ${f}`);
  return { curves, throughput, benchElements: n, files };
}
