/**
 * The one place a chart becomes a file: a vega-lite spec is compiled to vega, rendered by a
 * headless vega View (no canvas, no fonts, no network: the data is inline and the SVG names its
 * fonts only) and written to disk.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ValueError } from '../errors.js';

/** Compiles and renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vgSpec } = compile(spec, { logger: vega.logger(vega.Error) });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `text` to `file`, creating its folder; resolves to the path. */
export async function writeText(file: string, text: string | Uint8Array): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** Renders `spec` and writes it to `file`. */
export async function writeSvg(file: string, spec: TopLevelSpec): Promise<string> {
  return writeText(file, await renderSvg(spec));
}

/** Throws a ValueError naming `op` unless `file` is a non-empty string. */
export function checkFile(op: string, file: unknown): asserts file is string {
  if (typeof file !== 'string' || file.length === 0) {
    throw new ValueError(`dendrite.${op}: 'file' must be a non-empty path`);
  }
}
