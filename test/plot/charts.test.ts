import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { barChart, heatmap, lineChart, scatterChart } from '../../src/plot/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dendrite-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Count of SVG elements vega tagged with this role description (one per drawn mark item). */
function count(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}

/** The text of every <text> element, in document order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

async function readSvg(file: string): Promise<string> {
  const svg = await readFile(file, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  return svg;
}

describe('lineChart', () => {
  it('draws one path per series, with title, axis titles and a legend in the given order', async () => {
    const file = join(dir, 'nested', 'deeper', 'loss.svg');
    const written = await lineChart({
      title: 'Loss per epoch',
      file,
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        { name: 'train', x: [1, 2, 3, 4], y: [1, 0.5, 0.3, Number.NaN] },
        { name: 'validation', x: [1, 2, 3, 4], y: [1.1, 0.7, 0.5, 0.45] },
        { name: 'a & <b>', x: [3, 1, 2], y: [0, 1, 2] },
      ],
    });
    expect(written).toBe(file);
    const svg = await readSvg(file);
    expect(count(svg, 'line mark')).toBe(3);
    const t = texts(svg);
    expect(t).toContain('Loss per epoch');
    expect(t).toContain('epoch');
    expect(t).toContain('loss');
    // Legend entries in the caller's order, special characters escaped.
    const legend = t.filter((s) => ['train', 'validation', 'a &amp; &lt;b&gt;'].includes(s));
    expect(legend).toEqual(['train', 'validation', 'a &amp; &lt;b&gt;']);
  });

  it('gives each of many series its own colour', async () => {
    const series = Array.from({ length: 16 }, (_, k) => ({ name: `f${k}`, x: [0, 1], y: [k, k + 1] }));
    const svg = await readSvg(await lineChart({ title: 'Many', file: join(dir, 'many.svg'), series }));
    const strokes = [...svg.matchAll(/aria-roledescription="line mark"[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
    expect(strokes).toHaveLength(16);
    expect(new Set(strokes).size).toBe(16);
  });

  it('rejects mismatched lengths and duplicate names', async () => {
    const file = join(dir, 'bad.svg');
    await expect(lineChart({ title: 't', file, series: [{ name: 'a', x: [1, 2], y: [1] }] })).rejects.toThrow(ValueError);
    await expect(
      lineChart({ title: 't', file, series: [{ name: 'a', x: [1], y: [1] }, { name: 'a', x: [2], y: [2] }] }),
    ).rejects.toThrow(/two series are named 'a'/);
    await expect(lineChart({ title: 't', file, series: [] })).rejects.toThrow(/no series/);
  });
});

describe('scatterChart', () => {
  it('draws every point coloured by group and the lines over them, one legend for both', async () => {
    const points = [
      { x: 0, y: 0, group: 'class 0' },
      { x: 0.2, y: 0.1, group: 'class 0' },
      { x: 1, y: 1, group: 'class 1' },
      { x: 0.9, y: 1.2, group: 'class 1' },
      { x: 1.1, y: 0.8, group: 'class 1' },
    ];
    const file = await scatterChart({
      title: 'Two classes',
      file: join(dir, 'scatter.svg'),
      xLabel: 'x₁',
      yLabel: 'x₂',
      points,
      lines: [{ name: 'decision boundary', x: [0, 1.2], y: [1.2, 0] }],
    });
    const svg = await readSvg(file);
    expect(count(svg, 'point')).toBe(points.length);
    expect(count(svg, 'line mark')).toBe(1);
    const t = texts(svg);
    for (const s of ['Two classes', 'x₁', 'x₂', 'class 0', 'class 1', 'decision boundary']) expect(t).toContain(s);
    // The two point groups get different colours.
    const fills = [...svg.matchAll(/aria-roledescription="point"[^>]*fill="([^"]+)"/g)].map((m) => m[1]);
    expect(fills[0]).toBe(fills[1]);
    expect(fills[2]).not.toBe(fills[0]);
  });

  it('draws points alone', async () => {
    const svg = await readSvg(
      await scatterChart({ title: 'Codes', file: join(dir, 'codes.svg'), points: [{ x: 1, y: 2, group: '7' }] }),
    );
    expect(count(svg, 'point')).toBe(1);
    expect(count(svg, 'line mark')).toBe(0);
  });
});

describe('heatmap', () => {
  it('draws one labelled cell per value, rows top to bottom', async () => {
    const values = [
      [50, 2, 0],
      [1, 40, 3],
      [0, 0.25, 45],
    ];
    const file = await heatmap({
      title: 'Confusion matrix',
      file: join(dir, 'confusion.svg'),
      xLabel: 'predicted',
      yLabel: 'true',
      rowLabels: ['zero', 'one', 'two'],
      colLabels: ['zero', 'one', 'two'],
      values,
    });
    const svg = await readSvg(file);
    expect(count(svg, 'rect mark')).toBe(9);
    expect(count(svg, 'text mark')).toBe(9);
    const t = texts(svg);
    for (const s of ['Confusion matrix', 'predicted', 'true', 'zero', 'one', 'two', '50', '40', '45', '0.25']) expect(t).toContain(s);
    // Row 0 ("true: zero") is the top row, cell text is white on the dark diagonal.
    expect(svg).toMatch(/aria-label="predicted: zero; true: zero; value: 50"[^>]*d="M0,0h/);
    expect(svg).toMatch(/aria-label="predicted: two; true: two; value: 45"[^>]*d="M\d+,\d+h/);
    expect(svg).toMatch(/text: 50"[^>]*fill="white">50</);
    expect(svg).toMatch(/text: 2"[^>]*fill="black">2</);
  });

  it('rejects a matrix that does not match its labels', async () => {
    const base = { title: 't', file: join(dir, 'bad.svg'), rowLabels: ['a', 'b'], colLabels: ['x', 'y'] };
    await expect(heatmap({ ...base, values: [[1, 2]] })).rejects.toThrow(/2 row labels but 1 rows/);
    await expect(heatmap({ ...base, values: [[1, 2], [3]] })).rejects.toThrow(/row 1 has 1 values, expected 2/);
  });
});

describe('barChart', () => {
  it('draws one bar per entry with its value, in the given order', async () => {
    const file = await barChart({
      title: 'Stored patterns recalled',
      file: join(dir, 'bars.svg'),
      xLabel: 'patterns stored',
      yLabel: 'recall rate',
      bars: [
        { label: '5', value: 1 },
        { label: '10', value: 0.96 },
        { label: '20', value: 0.4 },
      ],
    });
    const svg = await readSvg(file);
    expect(count(svg, 'bar')).toBe(3);
    const t = texts(svg);
    for (const s of ['Stored patterns recalled', 'patterns stored', 'recall rate', '0.96', '0.4']) expect(t).toContain(s);
    expect(t.indexOf('5')).toBeLessThan(t.indexOf('10'));
    expect(t.indexOf('10')).toBeLessThan(t.indexOf('20'));
  });

  it('groups bars by colour with a legend', async () => {
    const file = await barChart({
      title: 'Throughput',
      file: join(dir, 'grouped.svg'),
      xLabel: 'activation',
      yLabel: 'M elements/s',
      bars: [
        { label: 'sigmoid', value: 812.5, group: 'forward' },
        { label: 'sigmoid', value: 400, group: 'backward' },
        { label: 'relu', value: 2000, group: 'forward' },
        { label: 'relu', value: 1500, group: 'backward' },
      ],
    });
    const svg = await readSvg(file);
    expect(count(svg, 'bar')).toBe(4);
    expect(count(svg, 'legend')).toBe(1);
    const t = texts(svg);
    for (const s of ['forward', 'backward', 'sigmoid', 'relu', '813']) expect(t).toContain(s);
    await expect(barChart({ title: 't', file: join(dir, 'bad.svg'), bars: [{ label: 'a', value: Number.NaN }] })).rejects.toThrow(ValueError);
  });
});
