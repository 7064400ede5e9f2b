/**
 * Charts a person opens: SVG made with vega-lite (rendered headless by vega), and PNG for pictures
 * made of pixels (digits, reconstructions). Every function writes its file (creating the folder)
 * and resolves to the path written.
 */

/** One line of a line chart. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface ChartBase {
  readonly title: string;
  /** Output file (.svg). */
  readonly file: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly width?: number;
  readonly height?: number;
}

/** Lines with a legend (loss curves, activation functions, fitted lines). */
export interface LineChartSpec extends ChartBase {
  readonly series: readonly Series[];
}

/** Points coloured by group, optionally with lines drawn over them (data + fitted line, boundaries). */
export interface ScatterChartSpec extends ChartBase {
  readonly points: readonly { readonly x: number; readonly y: number; readonly group: string }[];
  readonly lines?: readonly Series[];
}

/** A matrix as coloured cells with their values (confusion matrix). */
export interface HeatmapSpec extends ChartBase {
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  /** values[r][c]. */
  readonly values: readonly (readonly number[])[];
}

/** Bars (throughput tables, capacity curves as categories). */
export interface BarChartSpec extends ChartBase {
  readonly bars: readonly { readonly label: string; readonly value: number; readonly group?: string }[];
}

/** Grey images (values in [0, 1], row-major height×width) tiled into one PNG. */
export interface ImageGridSpec {
  readonly file: string;
  readonly images: readonly Float32Array[];
  readonly width: number;
  readonly height: number;
  /** Images per row of the grid. */
  readonly columns: number;
  /** Pixel magnification (default 4). */
  readonly scale?: number;
  /** Optional caption rows are not drawn (PNG has no text); keep titles in the caller's output. */
}

export declare function lineChart(spec: LineChartSpec): Promise<string>;
export declare function scatterChart(spec: ScatterChartSpec): Promise<string>;
export declare function heatmap(spec: HeatmapSpec): Promise<string>;
export declare function barChart(spec: BarChartSpec): Promise<string>;
export declare function imageGridPng(spec: ImageGridSpec): Promise<string>;
/** Decodes a PNG (any colour type) to grey values in [0, 1]. */
export declare function decodePngGray(file: string): Promise<{ width: number; height: number; gray: Float32Array }>;
