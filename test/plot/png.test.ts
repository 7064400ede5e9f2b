import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { decodePngGray, imageGridPng } from '../../src/plot/index.js';
import { GRID_GAP, GRID_GAP_LEVEL, gridTileOrigin } from '../../src/plot/png.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dendrite-png-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const level = (v: number): number => Math.round(Math.min(Math.max(v, 0), 1) * 255) / 255;

describe('imageGridPng → decodePngGray', () => {
  it('puts every pixel of every image at its place, magnified, with grey gaps', async () => {
    const width = 3;
    const height = 2;
    const scale = 2;
    const columns = 2;
    // Five images: two full rows and one partly empty; values include out-of-range and NaN.
    const images = Array.from({ length: 5 }, (_, k) =>
      Float32Array.from({ length: width * height }, (_, p) => (p === 5 && k === 4 ? Number.NaN : ((k * 7 + p * 3) % 11) / 10 - 0.05)),
    );
    images[0]![0] = 1.7;
    images[1]![1] = -3;
    const file = join(dir, 'a', 'grid.png');
    expect(await imageGridPng({ file, images, width, height, columns, scale })).toBe(file);
    const { width: W, height: H, gray } = await decodePngGray(file);
    expect(W).toBe(GRID_GAP + columns * (width * scale + GRID_GAP));
    expect(H).toBe(GRID_GAP + 3 * (height * scale + GRID_GAP));
    const at = (x: number, y: number): number => gray[y * W + x]!;
    images.forEach((img, k) => {
      const o = gridTileOrigin({ width, height, columns, scale }, k);
      for (let r = 0; r < height; r++) {
        for (let c = 0; c < width; c++) {
          const v = img[r * width + c]!;
          const want = Number.isNaN(v) ? 0 : level(v);
          for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) expect(at(o.x + c * scale + dx, o.y + r * scale + dy)).toBeCloseTo(want, 5);
        }
      }
    });
    expect(at(0, 0)).toBeCloseTo(GRID_GAP_LEVEL / 255, 5);
    expect(at(gridTileOrigin({ width, height, columns, scale }, 1).x - 1, 3)).toBeCloseTo(GRID_GAP_LEVEL / 255, 5);
    // The empty sixth place stays gap-grey.
    const empty = gridTileOrigin({ width, height, columns, scale }, 5);
    expect(at(empty.x, empty.y)).toBeCloseTo(GRID_GAP_LEVEL / 255, 5);
    // Written as 8-bit greyscale.
    const raw = await readFile(file);
    expect(raw[24]).toBe(8);
    expect(raw[25]).toBe(0);
  });

  it('rejects images of the wrong size and bad layout numbers', async () => {
    const file = join(dir, 'bad.png');
    const img = new Float32Array(4);
    await expect(imageGridPng({ file, images: [img, new Float32Array(3)], width: 2, height: 2, columns: 2 })).rejects.toThrow(/image 1 has 3 values/);
    await expect(imageGridPng({ file, images: [img], width: 2, height: 2, columns: 0 })).rejects.toThrow(ValueError);
    await expect(imageGridPng({ file, images: [img], width: 2, height: 2, columns: 1, scale: 1.5 })).rejects.toThrow(/scale/);
    await expect(imageGridPng({ file, images: [], width: 2, height: 2, columns: 1 })).rejects.toThrow(/no images/);
  });
});

/** A PNG file built chunk by chunk (for colour types pngjs does not write). */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function rawPng(width: number, height: number, bitDepth: number, colorType: number, rows: Buffer[], extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const idat = deflateSync(Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), r]))));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodePngGray', () => {
  it('reduces RGB, RGBA (over white), grey+alpha, palette and 16-bit PNGs to luma', async () => {
    const rgba = Buffer.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0]); // red, green, blue, transparent
    const png = { width: 2, height: 2, data: rgba } as PNG;
    const lumas = [0.299, 0.587, 0.114];

    await writeFile(join(dir, 'rgb.png'), PNG.sync.write(png, { colorType: 2 }));
    const rgb = await decodePngGray(join(dir, 'rgb.png'));
    expect([rgb.width, rgb.height]).toEqual([2, 2]);
    lumas.forEach((l, i) => expect(rgb.gray[i]).toBeCloseTo(l, 3));

    await writeFile(join(dir, 'rgba.png'), PNG.sync.write(png, { colorType: 6 }));
    const withAlpha = await decodePngGray(join(dir, 'rgba.png'));
    lumas.forEach((l, i) => expect(withAlpha.gray[i]).toBeCloseTo(l, 3));
    expect(withAlpha.gray[3]).toBeCloseTo(1, 5);

    // Grey 64 at half opacity over white: 64/255·0.5 + 0.5.
    await writeFile(join(dir, 'ga.png'), rawPng(1, 1, 8, 4, [Buffer.from([64, 128])]));
    expect((await decodePngGray(join(dir, 'ga.png'))).gray[0]).toBeCloseTo((64 / 255) * (128 / 255) + (1 - 128 / 255), 3);

    // Palette: index 0 = black, 1 = white, 2 = pure green; one row of three 8-bit indices.
    const plte = chunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255, 0, 255, 0]));
    await writeFile(join(dir, 'pal.png'), rawPng(3, 1, 8, 3, [Buffer.from([1, 0, 2])], [plte]));
    const pal = await decodePngGray(join(dir, 'pal.png'));
    expect(Array.from(pal.gray).map((v) => Number(v.toFixed(3)))).toEqual([1, 0, 0.587]);

    // 16-bit grey: 0x8000 is about one half.
    await writeFile(join(dir, 'g16.png'), rawPng(2, 1, 16, 0, [Buffer.from([0x80, 0x00, 0xff, 0xff])]));
    const g16 = await decodePngGray(join(dir, 'g16.png'));
    expect(g16.gray[0]).toBeCloseTo(0.5, 2);
    expect(g16.gray[1]).toBeCloseTo(1, 5);
  });

  it('says clearly when the file is missing, a directory, not a PNG, or damaged', async () => {
    await expect(decodePngGray(join(dir, 'nope.png'))).rejects.toThrow(/cannot read .*nope\.png \(no such file\)/);
    await mkdir(join(dir, 'folder.png'), { recursive: true });
    await expect(decodePngGray(join(dir, 'folder.png'))).rejects.toThrow(/it is a directory/);
    await writeFile(join(dir, 'text.png'), 'hello, not a picture');
    await expect(decodePngGray(join(dir, 'text.png'))).rejects.toThrow(/not a PNG file/);
    await writeFile(join(dir, 'empty.png'), '');
    await expect(decodePngGray(join(dir, 'empty.png'))).rejects.toThrow(ValueError);
    const good = rawPng(2, 2, 8, 0, [Buffer.from([1, 2]), Buffer.from([3, 4])]);
    await writeFile(join(dir, 'cut.png'), good.subarray(0, good.length - 20));
    await expect(decodePngGray(join(dir, 'cut.png'))).rejects.toThrow(/damaged PNG/);
  });
});
