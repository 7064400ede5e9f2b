/**
 * Pictures made of pixels (digits, reconstructions, recalled memories) as PNG through pngjs.
 * A grid is 8-bit greyscale; decoding accepts any PNG pngjs reads and reduces it to luma.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { ValueError } from '../errors.js';
import { checkFile, writeText } from './render.js';
import type { ImageGridSpec } from './types.js';

/** Pixels between tiles and around the grid. */
export const GRID_GAP = 2;
/** Grey level of the gap: visible against both black and white tiles. */
export const GRID_GAP_LEVEL = 128;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where tile `index` of a grid starts, in pixels of the PNG (top-left corner). */
export function gridTileOrigin(spec: Pick<ImageGridSpec, 'width' | 'height' | 'columns' | 'scale'>, index: number): { x: number; y: number } {
  const scale = spec.scale ?? 4;
  const col = index % spec.columns;
  const row = Math.floor(index / spec.columns);
  return { x: GRID_GAP + col * (spec.width * scale + GRID_GAP), y: GRID_GAP + row * (spec.height * scale + GRID_GAP) };
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(`dendrite.imageGridPng: '${name}' must be a positive integer, got ${v}`);
}

/**
 * Tiles grey images (row-major height×width, values clamped to [0, 1], NaN as 0) into one
 * greyscale PNG, each pixel magnified to scale×scale, with a 2-pixel grey gap between tiles and
 * around the grid. The last row may be partly empty. Resolves to the path written.
 */
export async function imageGridPng(spec: ImageGridSpec): Promise<string> {
  checkFile('imageGridPng', spec.file);
  const { images, width, height, columns } = spec;
  const scale = spec.scale ?? 4;
  positiveInt('width', width);
  positiveInt('height', height);
  positiveInt('columns', columns);
  positiveInt('scale', scale);
  if (images.length === 0) throw new ValueError('dendrite.imageGridPng: no images to draw');
  images.forEach((img, i) => {
    if (!(img instanceof Float32Array)) throw new ValueError(`dendrite.imageGridPng: image ${i} is not a Float32Array`);
    if (img.length !== width * height) {
      throw new ValueError(`dendrite.imageGridPng: image ${i} has ${img.length} values, expected ${height}×${width} = ${width * height}`);
    }
  });
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / columns);
  const outW = GRID_GAP + cols * (width * scale + GRID_GAP);
  const outH = GRID_GAP + rows * (height * scale + GRID_GAP);
  if (outW * outH > 2 ** 28) throw new ValueError(`dendrite.imageGridPng: a ${outW}×${outH} picture is too large`);
  const data = Buffer.alloc(outW * outH, GRID_GAP_LEVEL);
  images.forEach((img, i) => {
    const o = gridTileOrigin({ width, height, columns, scale }, i);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const v = img[r * width + c]!;
        const level = v > 0 ? Math.round(Math.min(v, 1) * 255) : 0; // NaN and negatives go to black
        for (let dy = 0; dy < scale; dy++) {
          const start = (o.y + r * scale + dy) * outW + o.x + c * scale;
          data.fill(level, start, start + scale);
        }
      }
    }
  });
  const bytes = PNG.sync.write({ width: outW, height: outH, data } as PNG, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  return writeText(spec.file, bytes);
}

/**
 * Decodes a PNG of any colour type (grey, RGB, palette, with or without alpha, 8 or 16 bits) to
 * grey values in [0, 1]: luma 0.299 R + 0.587 G + 0.114 B, transparent pixels composited over
 * white as a viewer shows them. A missing file or one that is not a PNG is a clear ValueError.
 */
export async function decodePngGray(file: string): Promise<{ width: number; height: number; gray: Float32Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (err as Error).message);
    throw new ValueError(`dendrite.decodePngGray: cannot read ${file} (${why})`);
  }
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new ValueError(`dendrite.decodePngGray: ${file} is not a PNG file (it does not start with the PNG signature)`);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (err) {
    throw new ValueError(`dendrite.decodePngGray: ${file} is a damaged PNG (${(err as Error).message})`);
  }
  const { width, height, data } = png;
  const gray = new Float32Array(width * height);
  for (let p = 0; p < gray.length; p++) {
    const r = data[4 * p]!;
    const g = data[4 * p + 1]!;
    const b = data[4 * p + 2]!;
    const a = data[4 * p + 3]! / 255;
    const luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    gray[p] = luma * a + (1 - a);
  }
  return { width, height, gray };
}
