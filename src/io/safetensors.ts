/**
 * safetensors: the tensor file format of PyTorch and Hugging Face. Layout: an 8-byte
 * little-endian u64 header length N; N bytes of UTF-8 JSON mapping each tensor name to
 * {dtype, shape, data_offsets: [begin, end]} (plus an optional "__metadata__" map of strings);
 * then the raw little-endian data, offsets counted from its first byte.
 *
 * Files are untrusted input: decoding checks every length, offset and shape before it reads or
 * allocates, so a corrupt or hostile file gives a ValueError, never an out-of-bounds read, a
 * hang or an allocation larger than the file justifies.
 */
import { ArgumentError, ValueError, describe } from '../errors.js';
import { MAX_ELEMENTS } from '../ops/checks.js';
import { Tensor } from '../tensor.js';

/** Largest header accepted by default (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** Element sizes in bytes of the dtypes the decoder reads. */
const DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, I16: 2, F16: 2, BF16: 2, U32: 4,
  I32: 4, F32: 4, U64: 8, I64: 8, F64: 8,
};

export interface DecodeOptions {
  /** Names the file in error messages (default 'safetensors data'). */
  source?: string;
  /** Header size limit in bytes (default MAX_HEADER_BYTES). */
  maxHeaderBytes?: number;
}

export interface DecodedSafetensors {
  /** Tensors in file order (by data offset), converted to float32. */
  tensors: Map<string, Tensor>;
  /** The "__metadata__" map ({} when absent). */
  metadata: Record<string, string>;
  /** Each tensor's dtype as stored in the file. */
  dtypes: Map<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Encodes float32 tensors as a safetensors file, laid out as the reference writer does: the
 * "__metadata__" entry first, tensors sorted by name with contiguous data, the header padded
 * with spaces to a multiple of 8 bytes (so the data, and every F32 tensor, stays aligned).
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>> | null,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, Tensor>);
  for (const [name, t] of entries) {
    if (typeof name !== 'string' || name === '') throw new ArgumentError(`dendrite.encodeSafetensors: tensor names must be non-empty strings, got ${describe(name)}`);
    if (name === METADATA_KEY) throw new ArgumentError(`dendrite.encodeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new ArgumentError(`dendrite.encodeSafetensors: '${name}' must be a Tensor, got ${describe(t)}`);
  }
  // Code-unit order, as the reference writer's byte-wise string sort for ASCII names.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new ArgumentError(`dendrite.encodeSafetensors: metadata must be an object of strings, got ${describe(metadata)}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ArgumentError(`dendrite.encodeSafetensors: metadata '${k}' must be a string, got ${describe(v)}`);
    }
    header[METADATA_KEY] = { ...metadata };
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.size * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of entries) {
    const src = t.data.subarray(0, t.size);
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), at);
    } else {
      for (let i = 0; i < src.length; i++) view.setFloat32(at + 4 * i, src[i]!, true);
    }
    at += src.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  size: number;
  begin: number;
  end: number;
}

/**
 * Decodes a safetensors file into float32 tensors. F32, F64, F16, BF16, F8_E4M3, F8_E5M2 and the
 * integer and BOOL dtypes are read; integers must be exactly representable in float32, F64 is
 * rounded to the nearest float32. Every structural problem is a ValueError naming the source and
 * the entry at fault.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): DecodedSafetensors {
  const src = options.source ?? 'safetensors data';
  const fail = (msg: string): never => {
    throw new ValueError(`dendrite.decodeSafetensors: ${src}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`dendrite.decodeSafetensors: bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  const cap = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(cap)) fail(`header length ${n64} is above the limit of ${cap} bytes`);
  const n = Number(n64);
  if (n > bytes.length - 8) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (text[0] !== '{') fail(`header does not start with '{'`);
  const header = parseJson(text, fail);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const list: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`'${METADATA_KEY}' must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`'${METADATA_KEY}' entry '${k}' is ${describe(v)}, not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    list.push(checkEntry(name, raw, dataLength, fail));
  }

  // Data must be covered exactly: in offset order, each tensor starts where the previous ended.
  const order = [...list].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of order) {
    if (e.begin < cursor) fail(`tensor '${e.name}' data [${e.begin}, ${e.end}] overlaps the previous tensor (which ends at ${cursor})`);
    if (e.begin > cursor) fail(`tensor '${e.name}' starts at ${e.begin}, leaving bytes [${cursor}, ${e.begin}] of the data unused`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`tensors cover ${cursor} bytes of data, but the file has ${dataLength} after the header`);

  const tensors = new Map<string, Tensor>();
  const dtypes = new Map<string, string>();
  for (const e of order) {
    const data = convert(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), fail);
    tensors.set(e.name, new Tensor(data, e.shape));
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, metadata, dtypes };
}

function checkEntry(name: string, raw: unknown, dataLength: number, fail: (m: string) => never): Entry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`tensor '${name}' is ${describe(raw)}, not an object`);
  const obj = raw as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const k of ['dtype', 'shape', 'data_offsets']) if (!keys.includes(k)) fail(`tensor '${name}' has no '${k}'`);
  const extra = keys.filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length > 0) fail(`tensor '${name}' has unexpected keys: ${extra.join(', ')}`);
  const dtype = obj.dtype;
  if (typeof dtype !== 'string') fail(`tensor '${name}' dtype is ${describe(dtype)}, not a string`);
  const itemSize = DTYPE_SIZES[dtype as string];
  if (itemSize === undefined || !Object.prototype.hasOwnProperty.call(DTYPE_SIZES, dtype as string)) {
    fail(`tensor '${name}' has unsupported dtype '${String(dtype)}' (readable: ${Object.keys(DTYPE_SIZES).join(', ')})`);
  }
  const shape = obj.shape;
  if (!Array.isArray(shape)) fail(`tensor '${name}' shape is ${describe(shape)}, not an array`);
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`tensor '${name}' shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`);
    }
  }
  let size = (shape as number[]).includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (size === 0) break;
    size *= d;
    // Checked against the data length at each step, so the product never loses precision.
    if (size * itemSize! > dataLength) fail(`tensor '${name}' shape ${JSON.stringify(shape)} needs more bytes than the file holds (${dataLength})`);
  }
  if (size > MAX_ELEMENTS) fail(`tensor '${name}' has ${size} elements, more than a tensor can hold`);
  const offs = obj.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2) fail(`tensor '${name}' data_offsets must be [begin, end], got ${JSON.stringify(offs)}`);
  const [begin, end] = offs as unknown[];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < 0) {
    fail(`tensor '${name}' data_offsets ${JSON.stringify(offs)} are not non-negative integers`);
  }
  const b = begin as number;
  const e = end as number;
  if (e < b) fail(`tensor '${name}' data_offsets [${b}, ${e}] end before they begin`);
  if (e > dataLength) fail(`tensor '${name}' data_offsets [${b}, ${e}] run past the data (${dataLength} bytes)`);
  if (e - b !== size * itemSize!) {
    fail(`tensor '${name}' of dtype ${String(dtype)} and shape ${JSON.stringify(shape)} needs ${size * itemSize!} bytes, but data_offsets [${b}, ${e}] hold ${e - b}`);
  }
  return { name, dtype: dtype as string, shape: [...(shape as number[])], size, begin: b, end: e };
}

function convert(e: Entry, raw: Uint8Array, fail: (m: string) => never): Float32Array {
  const out = new Float32Array(e.size);
  if (e.size === 0) return out;
  if (e.dtype === 'F32' && LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = e.size;
  const exact = (i: number, x: number): void => {
    if (Math.fround(x) !== x) fail(`tensor '${e.name}' (${e.dtype}) element ${i} = ${x} is not exactly representable as float32`);
    out[i] = x;
  };
  switch (e.dtype) {
    case 'F32': for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true); break;
    case 'F64': for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true); break;
    case 'F16': for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true)); break;
    case 'BF16': {
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16;
      break;
    }
    case 'F8_E4M3': for (let i = 0; i < n; i++) out[i] = e4m3ToFloat(raw[i]!); break;
    case 'F8_E5M2': for (let i = 0; i < n; i++) out[i] = halfToFloat(raw[i]! << 8); break;
    case 'BOOL':
      for (let i = 0; i < n; i++) {
        if (raw[i]! > 1) fail(`tensor '${e.name}' (BOOL) element ${i} is ${raw[i]}, not 0 or 1`);
        out[i] = raw[i]!;
      }
      break;
    case 'U8': for (let i = 0; i < n; i++) out[i] = raw[i]!; break;
    case 'I8': for (let i = 0; i < n; i++) out[i] = v.getInt8(i); break;
    case 'U16': for (let i = 0; i < n; i++) out[i] = v.getUint16(2 * i, true); break;
    case 'I16': for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i, true); break;
    case 'U32': for (let i = 0; i < n; i++) exact(i, v.getUint32(4 * i, true)); break;
    case 'I32': for (let i = 0; i < n; i++) exact(i, v.getInt32(4 * i, true)); break;
    case 'U64': for (let i = 0; i < n; i++) exactBig(i, v.getBigUint64(8 * i, true)); break;
    case 'I64': for (let i = 0; i < n; i++) exactBig(i, v.getBigInt64(8 * i, true)); break;
    default: fail(`tensor '${e.name}' has unsupported dtype '${e.dtype}'`);
  }
  return out;

  function exactBig(i: number, x: bigint): void {
    const f = Math.fround(Number(x));
    if (!Number.isFinite(f) || BigInt(f) !== x) fail(`tensor '${e.name}' (${e.dtype}) element ${i} = ${x} is not exactly representable as float32`);
    out[i] = f;
  }
}

/** IEEE binary16 bits → number (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** OCP FP8 E4M3 (finite-only: no infinities, S.1111.111 is NaN) → number. */
function e4m3ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const frac = b & 0x7;
  if (exp === 0xf && frac === 0x7) return NaN;
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

/**
 * A strict JSON parser for headers: unlike JSON.parse it rejects duplicate keys (a second entry
 * for one tensor name would otherwise silently win) and caps nesting depth, so its recursion stays
 * shallow. Linear time.
 */
function parseJson(text: string, fail: (m: string) => never): unknown {
  let i = 0;
  const MAX_DEPTH = 32;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const where = (): string => `at character ${i}`;
  const str = (): string => {
    // Caller checked the opening quote.
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail(`header JSON has an unterminated string ${where()}`);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail(`header JSON has a control character in a string ${where()}`);
      if (c === 0x5c) {
        out += text.slice(start, i);
        const d = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (d !== undefined && Object.prototype.hasOwnProperty.call(simple, d)) {
          out += simple[d];
          i += 2;
        } else if (d === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          fail(`header JSON has a bad escape ${where()}`);
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const num = (): number => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m === null || m[0].length === 0) fail(`header JSON has an unexpected character ${where()}`);
    i += m![0].length;
    return Number(m![0]);
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`header JSON nests deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`header JSON expects a key ${where()}`);
        const key = str();
        if (seen.has(key)) fail(`header JSON has the key '${key}' twice`);
        seen.add(key);
        ws();
        if (text[i] !== ':') fail(`header JSON expects ':' ${where()}`);
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail(`header JSON expects ',' or '}' ${where()}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail(`header JSON expects ',' or ']' ${where()}`);
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    return num();
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail(`header JSON has trailing characters ${where()}`);
  return result;
}
