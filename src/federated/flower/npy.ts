/**
 * NumPy's .npy format, the serialisation Flower uses for every tensor it sends: a Parameters
 * message carries `np.save(…, allow_pickle=False)` output per array, with tensor_type
 * "numpy.ndarray". Encoding writes exactly the bytes numpy writes for a C-ordered little-endian
 * float32 array (version 1.0 header, keys sorted, 21 spare characters for the first axis to grow,
 * padded with spaces and a newline to a 64-byte boundary). Decoding reads float32 or float64
 * arrays (converted to float32) from format versions 1.0, 2.0 and 3.0 and refuses everything else:
 * the header is parsed as a fixed dictionary literal, never evaluated, and object arrays
 * (pickles) are rejected before any of their bytes are looked at.
 */
import { ArgumentError, ValueError, describe, fmtShape } from '../../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_LEN = 8; // magic + major + minor
const ARRAY_ALIGN = 64;
/** numpy's spare room after the header, so the first axis can grow in place (format.py). */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** numpy refuses longer headers without allow_pickle (np.load's max_header_size). */
const MAX_HEADER_BYTES = 10_000;

/** A decoded array: float32 values in C order and the shape. */
export interface NpyArray {
  readonly data: Float32Array;
  readonly shape: number[];
}

function pyTuple(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * The .npy bytes of a float32 array of `shape` (C order), byte for byte what
 * `np.save(f, np.asarray(a, dtype='<f4'), allow_pickle=False)` writes.
 * ArgumentError for a non-Float32Array, ValueError when the shape is not a list of non-negative
 * integers whose product is `data.length`.
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  if (!(data instanceof Float32Array)) throw new ArgumentError(`dendrite.encodeNpy: data must be a Float32Array, got ${describe(data)}`);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ValueError(`dendrite.encodeNpy: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new ValueError(`dendrite.encodeNpy: shape ${fmtShape(shape)} holds ${count} values but data has ${data.length}`);
  }
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pyTuple(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Version 1.0 stores the header length in 2 bytes; a longer header needs 2.0 (4 bytes), as numpy picks.
  let lenBytes = 2;
  let hlen = header.length + 1;
  let padlen = ARRAY_ALIGN - ((MAGIC_LEN + lenBytes + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    lenBytes = 4;
    padlen = ARRAY_ALIGN - ((MAGIC_LEN + lenBytes + hlen) % ARRAY_ALIGN);
  }
  hlen += padlen;
  const headerTotal = MAGIC_LEN + lenBytes + hlen;
  const out = new Uint8Array(headerTotal + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = lenBytes === 2 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(MAGIC_LEN, hlen, true);
  else view.setUint32(MAGIC_LEN, hlen, true);
  let p = MAGIC_LEN + lenBytes;
  for (let i = 0; i < header.length; i++) out[p++] = header.charCodeAt(i); // ASCII only
  out.fill(0x20, p, headerTotal - 1);
  out[headerTotal - 1] = 0x0a;
  const body = new DataView(out.buffer, headerTotal);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** A tiny reader for the dictionary literal numpy writes; anything else is a ValueError. */
class HeaderParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    throw new ValueError(`dendrite.decodeNpy: malformed header (${what} at character ${this.pos}): ${JSON.stringify(this.text.slice(0, 200))}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private string(): string {
    const q = this.peek();
    if (q !== "'" && q !== '"') this.fail('expected a quoted string');
    this.pos++;
    const end = this.text.indexOf(q, this.pos);
    if (end < 0) this.fail('unterminated string');
    const s = this.text.slice(this.pos, end);
    if (s.includes('\\')) this.fail('escape in string');
    this.pos = end + 1;
    return s;
  }

  private word(): string {
    this.skipSpace();
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos));
    if (m === null) this.fail('expected True or False');
    this.pos += m[0].length;
    return m[0];
  }

  private integer(): number {
    this.skipSpace();
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (m === null) this.fail('expected a non-negative integer');
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) this.fail(`dimension ${m[0]} is too large`);
    return n;
  }

  private tuple(): number[] {
    this.expect('(');
    const dims: number[] = [];
    let trailingComma = false;
    while (this.peek() !== ')') {
      if (dims.length >= 64) this.fail('more than 64 dimensions');
      dims.push(this.integer());
      trailingComma = false;
      if (this.peek() === ',') {
        this.pos++;
        trailingComma = true;
      } else if (this.peek() !== ')') this.fail("expected ',' or ')'");
    }
    if (dims.length === 1 && !trailingComma) this.fail('a one-element tuple needs a trailing comma');
    this.pos++;
    return dims;
  }

  parse(): { descr: string; fortranOrder: boolean; shape: number[] } {
    this.expect('{');
    let descr: string | undefined;
    let fortranOrder: boolean | undefined;
    let shape: number[] | undefined;
    while (this.peek() !== '}') {
      const key = this.string();
      this.expect(':');
      if (key === 'descr' && descr === undefined) {
        if (this.peek() === '[') this.fail('structured dtypes are not supported');
        descr = this.string();
      } else if (key === 'fortran_order' && fortranOrder === undefined) {
        const w = this.word();
        if (w !== 'True' && w !== 'False') this.fail(`fortran_order must be True or False, got ${w}`);
        fortranOrder = w === 'True';
      } else if (key === 'shape' && shape === undefined) {
        shape = this.tuple();
      } else {
        this.fail(`unexpected or repeated key '${key}'`);
      }
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail("expected ',' or '}'");
    }
    this.pos++;
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('text after the dictionary');
    if (descr === undefined || fortranOrder === undefined || shape === undefined) {
      this.fail("the keys 'descr', 'fortran_order' and 'shape' are all required");
    }
    return { descr, fortranOrder, shape };
  }
}

/**
 * Reads .npy bytes (format 1.0, 2.0 or 3.0) of a C-ordered little-endian float32 ('<f4') or
 * float64 ('<f8', converted to float32) array. ValueError for anything else: wrong magic, an
 * unknown version, a truncated or malformed header, another dtype (object arrays included: a
 * pickle is never loaded), Fortran order, or a shape that does not match the number of bytes.
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`dendrite.decodeNpy: expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < MAGIC_LEN || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ValueError(`dendrite.decodeNpy: not a .npy array (${bytes.length} bytes without the \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) {
    throw new ValueError(`dendrite.decodeNpy: unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < MAGIC_LEN + lenBytes) throw new ValueError(`dendrite.decodeNpy: truncated header length (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = lenBytes === 2 ? view.getUint16(MAGIC_LEN, true) : view.getUint32(MAGIC_LEN, true);
  if (hlen > MAX_HEADER_BYTES) throw new ValueError(`dendrite.decodeNpy: header of ${hlen} bytes is longer than the ${MAX_HEADER_BYTES} allowed`);
  const start = MAGIC_LEN + lenBytes;
  if (bytes.length < start + hlen) {
    throw new ValueError(`dendrite.decodeNpy: truncated header (${hlen} bytes declared, ${bytes.length - start} present)`);
  }
  const raw = bytes.subarray(start, start + hlen);
  // 1.0 and 2.0 headers are latin-1, 3.0 is UTF-8; a valid header is ASCII either way.
  const text = major === 3 ? new TextDecoder('utf-8', { fatal: false }).decode(raw) : String.fromCharCode(...raw);
  const { descr, fortranOrder, shape } = new HeaderParser(text).parse();
  if (descr !== '<f4' && descr !== '<f8') {
    throw new ValueError(`dendrite.decodeNpy: dtype '${descr}' is not supported (only little-endian float32 '<f4' and float64 '<f8')`);
  }
  if (fortranOrder) throw new ValueError('dendrite.decodeNpy: Fortran-ordered arrays are not supported (fortran_order must be False)');
  const itemSize = descr === '<f4' ? 4 : 8;
  const dataStart = start + hlen;
  const available = bytes.length - dataStart;
  // Multiplied with a stop once past any real size, so a huge shape fails here instead of
  // losing precision or allocating.
  let count = shape.includes(0) ? 0 : 1;
  let tooBig = false;
  for (const d of shape) {
    count *= d;
    if (count * itemSize > 2 ** 52) {
      tooBig = true;
      break;
    }
  }
  if (tooBig || count * itemSize !== available) {
    const need = tooBig ? `more than ${2 ** 52}` : String(count * itemSize);
    throw new ValueError(`dendrite.decodeNpy: shape ${fmtShape(shape)} of '${descr}' needs ${need} bytes of data, the array has ${available}`);
  }
  const out = new Float32Array(count);
  const body = new DataView(bytes.buffer, bytes.byteOffset + dataStart, available);
  if (itemSize === 4) for (let i = 0; i < count; i++) out[i] = body.getFloat32(i * 4, true);
  else for (let i = 0; i < count; i++) out[i] = body.getFloat64(i * 8, true);
  return { data: out, shape };
}
