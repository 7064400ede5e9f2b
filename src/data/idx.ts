/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic (two zero bytes, a type code, the
 * number of dimensions), one big-endian uint32 per dimension, then the data row-major. Files may
 * be gzip-compressed (Debian ships them so). Every header field is checked against the file's
 * length, so a truncated or foreign file gets a clear ValueError rather than garbage.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { ValueError } from '../errors.js';

/** An IDX array of unsigned bytes (the only type MNIST uses). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
/** Largest array accepted: more than any IDX dataset, small enough to never exhaust memory. */
const MAX_BYTES = 2 ** 31 - 1;

/** Parses IDX bytes (gzip-compressed or not); `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: MAX_BYTES + 64 });
    } catch (err) {
      throw new ValueError(`dendrite.parseIdx: ${source} looks gzip-compressed but does not decompress (${(err as Error).message})`);
    }
  }
  if (buf.length < 4) throw new ValueError(`dendrite.parseIdx: ${source} is ${buf.length} bytes long, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new ValueError(
      `dendrite.parseIdx: ${source} is not an IDX file (magic bytes ${hex(buf[0]!)} ${hex(buf[1]!)}, expected 00 00)`,
    );
  }
  const type = buf[2]!;
  const rank = buf[3]!;
  if (type !== UBYTE) {
    throw new ValueError(`dendrite.parseIdx: ${source} holds IDX type ${hex(type)}; only unsigned bytes (0x08) are supported`);
  }
  if (rank < 1) throw new ValueError(`dendrite.parseIdx: ${source} declares 0 dimensions`);
  const headerLen = 4 + 4 * rank;
  if (buf.length < headerLen) {
    throw new ValueError(`dendrite.parseIdx: ${source} is truncated inside its header (${buf.length} of ${headerLen} bytes)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
    if (size > MAX_BYTES) throw new ValueError(`dendrite.parseIdx: ${source} declares dimensions [${dims.join(', ')}...], too large`);
  }
  const have = buf.length - headerLen;
  if (have !== size) {
    throw new ValueError(
      `dendrite.parseIdx: ${source} declares dimensions [${dims.join(', ')}] = ${size} bytes of data but has ${have}` +
        (have < size ? ' (truncated?)' : ' (trailing bytes)'),
    );
  }
  return { dims, data: buf.subarray(headerLen) };
}

/** Reads and parses an IDX file. */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValueError(`dendrite.readIdx: cannot read ${file}${code ? ` (${code})` : ''}`);
  }
  return parseIdx(bytes, file);
}

/** Images: an IDX array of rank 3 [count, rows, cols]. */
export async function loadIdxImages(file: string): Promise<IdxArray> {
  const a = await readIdx(file);
  if (a.dims.length !== 3) throw new ValueError(`dendrite.loadIdxImages: ${file} has ${a.dims.length} dimensions, images need 3 [count, rows, cols]`);
  return a;
}

/** Labels: an IDX array of rank 1 [count]; returned as class indices. */
export async function loadIdxLabels(file: string): Promise<Int32Array> {
  const a = await readIdx(file);
  if (a.dims.length !== 1) throw new ValueError(`dendrite.loadIdxLabels: ${file} has ${a.dims.length} dimensions, labels need 1`);
  return Int32Array.from(a.data);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
