/**
 * The four chart kinds as vega-lite specs. Data goes in inline as rows; order and legends follow
 * the caller's order (series, groups, labels), never an alphabetical re-sort.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ValueError } from '../errors.js';
import { checkFile, writeSvg } from './render.js';
import type { BarChartSpec, ChartBase, HeatmapSpec, LineChartSpec, ScatterChartSpec, Series } from './types.js';

const WIDTH = 480;
const HEIGHT = 300;
const CELL = 36;

interface LineRow {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  /** Position within its series: lines are drawn in the caller's order, not sorted by x. */
  readonly i: number;
}

/** Shared top of every spec: title, size, white background, quiet config. */
function frame(op: string, spec: ChartBase): { title: string; width: number; height: number; background: string } {
  checkFile(op, spec.file);
  if (typeof spec.title !== 'string') throw new ValueError(`dendrite.${op}: 'title' must be a string`);
  const width = spec.width ?? WIDTH;
  const height = spec.height ?? HEIGHT;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new ValueError(`dendrite.${op}: '${name}' must be a positive number, got ${v}`);
  }
  return { title: spec.title, width, height, background: 'white' };
}

/** Rows of the series, dropping non-finite points (a NaN loss would otherwise break the scales). */
function seriesRows(op: string, series: readonly Series[]): LineRow[] {
  const rows: LineRow[] = [];
  const names = new Set<string>();
  for (const s of series) {
    if (names.has(s.name)) throw new ValueError(`dendrite.${op}: two series are named '${s.name}'`);
    names.add(s.name);
    if (s.x.length !== s.y.length) {
      throw new ValueError(`dendrite.${op}: series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
    }
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      if (Number.isFinite(x) && Number.isFinite(y)) rows.push({ x, y, series: s.name, i });
    }
  }
  return rows;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** A colour scale over these names in this order; past ten names, twenty colours so none repeat. */
function nominalScale(domain: readonly string[]): { domain: string[]; scheme: 'tableau10' | 'tableau20' } {
  return { domain: [...domain], scheme: domain.length > 10 ? 'tableau20' : 'tableau10' };
}

/** A short label for a number: integers as they are, others with three significant digits. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** The vega-lite spec of a line chart (exported for tests and for callers who want to adjust it). */
export function lineChartSpec(spec: LineChartSpec): TopLevelSpec {
  const top = frame('lineChart', spec);
  if (spec.series.length === 0) throw new ValueError('dendrite.lineChart: no series to draw');
  return {
    ...top,
    data: { values: seriesRows('lineChart', spec.series) },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: spec.xLabel ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: spec.yLabel ?? 'y', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', scale: nominalScale(spec.series.map((s) => s.name)), legend: { title: null } },
      order: { field: 'i', type: 'quantitative' },
    },
  };
}

/** The vega-lite spec of a scatter chart with optional lines over the points. */
export function scatterChartSpec(spec: ScatterChartSpec): TopLevelSpec {
  const top = frame('scatterChart', spec);
  const lines = spec.lines ?? [];
  const points = spec.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (spec.points.length === 0 && lines.length === 0) throw new ValueError('dendrite.scatterChart: no points or lines to draw');
  const lineRows = seriesRows('scatterChart', lines);
  // Groups and line names share one colour scale, so one legend names both.
  const domain = unique([...spec.points.map((p) => p.group), ...lines.map((s) => s.name)]);
  const color = { type: 'nominal' as const, scale: nominalScale(domain), legend: { title: null } };
  const x = { field: 'x', type: 'quantitative' as const, title: spec.xLabel ?? 'x', scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: spec.yLabel ?? 'y', scale: { zero: false } };
  return {
    ...top,
    layer: [
      {
        data: { values: points.map((p) => ({ x: p.x, y: p.y, group: p.group })) },
        mark: { type: 'point', filled: true, size: 30, opacity: 0.75 },
        encoding: { x, y, color: { ...color, field: 'group' } },
      },
      {
        data: { values: lineRows },
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: { x, y, color: { ...color, field: 'series' }, order: { field: 'i', type: 'quantitative' } },
      },
    ],
  };
}

/** The vega-lite spec of a heatmap: rows from top to bottom, each cell coloured and labelled. */
export function heatmapSpec(spec: HeatmapSpec): TopLevelSpec {
  const { rowLabels, colLabels, values } = spec;
  const top = frame('heatmap', { ...spec, width: spec.width ?? CELL * Math.max(1, colLabels.length), height: spec.height ?? CELL * Math.max(1, rowLabels.length) });
  if (rowLabels.length === 0 || colLabels.length === 0) throw new ValueError('dendrite.heatmap: needs at least one row and one column');
  if (unique(rowLabels).length !== rowLabels.length || unique(colLabels).length !== colLabels.length) {
    throw new ValueError('dendrite.heatmap: row and column labels must be distinct');
  }
  if (values.length !== rowLabels.length) {
    throw new ValueError(`dendrite.heatmap: ${rowLabels.length} row labels but ${values.length} rows of values`);
  }
  const rows: { row: string; col: string; value: number; text: string }[] = [];
  let max = -Infinity;
  let min = Infinity;
  values.forEach((line, r) => {
    if (line.length !== colLabels.length) {
      throw new ValueError(`dendrite.heatmap: row ${r} has ${line.length} values, expected ${colLabels.length} (one per column label)`);
    }
    line.forEach((value, c) => {
      if (Number.isFinite(value)) {
        max = Math.max(max, value);
        min = Math.min(min, value);
      }
      rows.push({ row: rowLabels[r]!, col: colLabels[c]!, value, text: formatValue(value) });
    });
  });
  // Text is white on the darker half of the colour scale, black on the lighter half.
  const threshold = max > -Infinity ? (min + max) / 2 : 0;
  const x = { field: 'col', type: 'nominal' as const, sort: [...colLabels], title: spec.xLabel ?? 'x', axis: { labelAngle: 0, orient: 'top' as const } };
  const y = { field: 'row', type: 'nominal' as const, sort: [...rowLabels], title: spec.yLabel ?? 'y' };
  return {
    ...top,
    data: { values: rows },
    encoding: { x, y },
    layer: [
      { mark: { type: 'rect' }, encoding: { color: { field: 'value', type: 'quantitative', scale: { scheme: 'blues' }, legend: { title: null } } } },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: `datum.value > ${threshold}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** The vega-lite spec of a bar chart; with groups, bars of one label stand side by side. */
export function barChartSpec(spec: BarChartSpec): TopLevelSpec {
  const top = frame('barChart', spec);
  const { bars } = spec;
  if (bars.length === 0) throw new ValueError('dendrite.barChart: no bars to draw');
  for (const b of bars) {
    if (!Number.isFinite(b.value)) throw new ValueError(`dendrite.barChart: bar '${b.label}' has value ${b.value}, expected a finite number`);
  }
  const labels = unique(bars.map((b) => b.label));
  const grouped = bars.some((b) => b.group !== undefined);
  const groups = unique(bars.map((b) => b.group ?? ''));
  const rows = bars.map((b) => ({ label: b.label, value: b.value, group: b.group ?? '', text: formatValue(b.value) }));
  const long = labels.some((l) => l.length > 6);
  const x = { field: 'label', type: 'nominal' as const, sort: labels, title: spec.xLabel ?? 'x', axis: { labelAngle: long ? -35 : 0 } };
  const y = { field: 'value', type: 'quantitative' as const, title: spec.yLabel ?? 'y' };
  const byGroup = grouped
    ? {
        xOffset: { field: 'group', type: 'nominal' as const, sort: groups },
        color: { field: 'group', type: 'nominal' as const, scale: nominalScale(groups), legend: { title: null } },
      }
    : {};
  return {
    ...top,
    data: { values: rows },
    encoding: { x, y, ...byGroup },
    layer: [
      { mark: { type: 'bar', ...(grouped ? {} : { color: '#4c78a8' }) } },
      {
        mark: { type: 'text', dy: -6, fontSize: 10, color: '#333' },
        encoding: { text: { field: 'text', type: 'nominal' }, ...(grouped ? { color: { value: '#333' } } : {}) },
      },
    ],
  };
}

/** Draws lines with a legend (one entry per series, in the given order) to an SVG file. */
export async function lineChart(spec: LineChartSpec): Promise<string> {
  return writeSvg(spec.file, lineChartSpec(spec));
}

/** Draws points coloured by group, with optional lines over them, to an SVG file. */
export async function scatterChart(spec: ScatterChartSpec): Promise<string> {
  return writeSvg(spec.file, scatterChartSpec(spec));
}

/** Draws a matrix as coloured, labelled cells (rows top to bottom, e.g. true labels) to an SVG file. */
export async function heatmap(spec: HeatmapSpec): Promise<string> {
  return writeSvg(spec.file, heatmapSpec(spec));
}

/** Draws bars with their values written above them, grouped side by side when `group` is given, to an SVG file. */
export async function barChart(spec: BarChartSpec): Promise<string> {
  return writeSvg(spec.file, barChartSpec(spec));
}
