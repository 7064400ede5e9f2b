/**
 * The first programs a newcomer runs, in fast mode: activation curves with autograd derivatives,
 * linear and logistic regression, and the memory document's 2-2-1 network (whose gradients are
 * checked by finite differences here).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, runActivations, type ActivationsResult } from '../../src/programs/activations.js';
import { runLinearRegression } from '../../src/programs/linear_regression.js';
import { runLogisticRegression } from '../../src/programs/logistic_regression.js';
import {
  createMemoryNetwork, memoryData, memoryNetworkLoss, runMemoryNetwork,
} from '../../src/programs/memory_network.js';
import { Random } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';
import { BACKENDS, gradcheck, onBackend } from '../support/gradcheck.js';

let dir: string;
const lines: string[] = [];
const log = (line: string): void => { lines.push(line); };

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'dendrite-basics-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function expectSvg(file: string): Promise<string> {
  const svg = await readFile(file, 'utf8');
  expect(svg.startsWith('<svg'), file).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>'), file).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  return svg;
}

// Analytic derivatives (float64).
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
  const s = Math.sign(x); const a = Math.abs(x); const t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}
const DERIVATIVES: Record<string, (x: number) => number> = {
  'sigmoid': (x) => sig(x) * (1 - sig(x)),
  'tanh': (x) => 1 - Math.tanh(x) ** 2,
  'relu': (x) => (x > 0 ? 1 : 0),
  'leaky-relu': (x) => (x > 0 ? 1 : 0.1),
  'elu': (x) => (x > 0 ? 1 : Math.exp(x)),
  'gelu': (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-x * x / 2)) / Math.sqrt(2 * Math.PI),
  'silu': (x) => sig(x) * (1 + x * (1 - sig(x))),
  'softplus': sig,
  'softmax-2class': (x) => sig(x) * (1 - sig(x)),
};

describe('activations', () => {
  let r: ActivationsResult;
  beforeAll(async () => { r = await runActivations({ out: join(dir, 'activations'), fast: true, log }); });

  it('computes the derivatives at x = 0 exactly as the calculus says', () => {
    const at0 = (name: string): number => {
      const c = r.curves.find((k) => k.name === name)!;
      expect(c.x[100]).toBe(0);
      return c.dy[100]!;
    };
    expect(at0('sigmoid')).toBeCloseTo(0.25, 5);
    expect(at0('tanh')).toBeCloseTo(1, 5);
    expect(at0('gelu')).toBeCloseTo(0.5, 5);
    expect(at0('silu')).toBeCloseTo(0.5, 5);
    expect(at0('softplus')).toBeCloseTo(0.5, 5);
    expect(at0('elu')).toBeCloseTo(1, 5);
    expect(at0('softmax-2class')).toBeCloseTo(0.25, 5);
  });

  it('matches the analytic derivative of every function at several points', () => {
    expect(r.curves.map((c) => c.name)).toEqual([...ACTIVATION_NAMES]);
    for (const c of r.curves) {
      const d = DERIVATIVES[c.name]!;
      for (const i of [0, 40, 60, 90, 110, 120, 160, 200]) {
        expect(c.dy[i], `${c.name}'(${c.x[i]})`).toBeCloseTo(d(c.x[i]!), 3);
      }
    }
    // The 2-class softmax slice is the sigmoid itself.
    const s = r.curves.find((c) => c.name === 'softmax-2class')!;
    s.x.forEach((x, i) => expect(s.y[i]).toBeCloseTo(sig(x), 5));
  });

  it('times every activation and writes one chart per function plus the throughput chart', async () => {
    expect(r.throughput.map((t) => t.name)).toEqual([...ACTIVATION_NAMES]);
    for (const t of r.throughput) expect(t.gelemPerSecond).toBeGreaterThan(0);
    expect(r.files).toHaveLength(ACTIVATION_NAMES.length + 1);
    for (const f of r.files) await expectSvg(f);
    expect(lines.some((l) => l.includes('Gelem/s'))).toBe(true);
  });
});

describe('linear regression', () => {
  it('learns w and b of y = 2x + 3 within 0.1 and draws the fit and the loss', async () => {
    const r = await runLinearRegression({ out: join(dir, 'linear'), fast: true, log });
    expect(Math.abs(r.w - 2)).toBeLessThan(0.1);
    expect(Math.abs(r.b - 3)).toBeLessThan(0.1);
    // Gradient descent reaches the least-squares line of the sample.
    expect(r.w).toBeCloseTo(r.leastSquares.w, 3);
    expect(r.b).toBeCloseTo(r.leastSquares.b, 3);
    expect(r.finalLoss).toBeLessThan(r.losses[0]! / 10);
    expect(r.files).toHaveLength(2);
    for (const f of r.files) await expectSvg(f);
  });
});

describe('logistic regression', () => {
  it('separates the two Gaussian classes with ≥ 95% accuracy on new points', async () => {
    const r = await runLogisticRegression({ out: join(dir, 'logistic'), fast: true, log });
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(r.losses[0]!);
    // The classes lie along (1, 0.5): the boundary's normal points that way.
    expect(r.w[0]).toBeGreaterThan(0);
    expect(r.w[1]).toBeGreaterThan(0);
    expect(r.files).toHaveLength(2);
    const svg = await expectSvg(r.files[0]!);
    expect(svg).toContain('class 0');
    expect(svg).toContain('class 1');
  });
});

describe('memory document network', () => {
  it('has gradients that agree with finite differences', () => {
    for (const backend of BACKENDS) {
      onBackend(backend, () => {
        const rng = new Random(7);
        const { x, y } = memoryData(rng, 8);
        const p = createMemoryNetwork(rng);
        const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor => memoryNetworkLoss({ w1, b1, w2, b2 }, x, y);
        gradcheck(loss, [p.w1, p.b1, p.w2, p.b2], { eps: 1e-2, atol: 2e-3, rtol: 1e-2 });
      });
    }
  });

  it('learns y = x0 + 2·x1 + 3: training loss below 0.02 in the fast run', async () => {
    const r = await runMemoryNetwork({ out: join(dir, 'memory'), fast: true, log });
    expect(r.losses[0]!).toBeGreaterThan(1);
    expect(r.finalLoss).toBeLessThan(0.02);
    expect(r.testLoss).toBeLessThan(0.03);
    for (const p of r.predictions) expect(Math.abs(p.prediction - p.target)).toBeLessThan(0.25);
    expect(r.files).toHaveLength(1);
    await expectSvg(r.files[0]!);
  });
});
