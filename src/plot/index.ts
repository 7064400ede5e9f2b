/**
 * Charts a person opens: SVG made with vega-lite (rendered headless by vega), and PNG for pictures
 * made of pixels (digits, reconstructions). Every function writes its file (creating the folder)
 * and resolves to the path written.
 */
export type { BarChartSpec, ChartBase, HeatmapSpec, ImageGridSpec, LineChartSpec, ScatterChartSpec, Series } from './types.js';
export { barChart, heatmap, lineChart, scatterChart } from './charts.js';
export { decodePngGray, imageGridPng } from './png.js';
