/** The inputs of the chart and PNG functions. */

/** One line of a line chart. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** What every chart has: a title, the file it goes to, axis labels and its size in pixels. */
export interface ChartBase {
  readonly title: string;
  /** Output file (.svg). */
  readonly file: string;
  /** Title of the x axis (default "x"). */
  readonly xLabel?: string;
  /** Title of the y axis (default "y"). */
  readonly yLabel?: string;
  /** Width of the plotting area in pixels (default 480; heatmaps size their cells). */
  readonly width?: number;
  /** Height of the plotting area in pixels (default 300). */
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
