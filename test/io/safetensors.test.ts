import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { Tensor } from '../../src/tensor.js';

const t = (data: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape);

/** A file laid out by hand: header text as given (no padding unless included), then the data. */
function file(header: string | object, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(fill: (v: DataView) => void, n: number): Uint8Array {
  const b = new Uint8Array(n);
  fill(new DataView(b.buffer));
  return b;
}

/** An independent reader: header parsed with DataView + JSON.parse, data read as LE float32. */
function readByHand(bytes: Uint8Array): { n: number; headerText: string; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: Record<string, string> }; values: (name: string) => number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const header = JSON.parse(headerText);
  const values = (name: string): number[] => {
    const [b, e] = header[name].data_offsets as [number, number];
    const out: number[] = [];
    for (let o = 8 + n + b; o < 8 + n + e; o += 4) out.push(view.getFloat32(o, true));
    return out;
  };
  return { n, headerText, header, values };
}

describe('encodeSafetensors', () => {
  const tensors = new Map<string, Tensor>([
    ['z.bias', t([0.5, -1.25], [2])],
    ['a.kernel', t([1, 2, 3, 4, 5, 6], [2, 3])],
    ['m.scalar', t([7], [])],
    ['e.empty', t([], [0, 4])],
  ]);

  test('lays the file out as the reference writer: LE length, padded header, sorted contiguous data', () => {
    const bytes = encodeSafetensors(tensors, { format: 'dendrite', note: 'hi' });
    const { n, headerText, header, values } = readByHand(bytes);
    expect(n % 8).toBe(0);
    expect(headerText.trimEnd().length).toBeGreaterThan(n - 8);
    expect(/^\{.*\} *$/s.test(headerText)).toBe(true);
    expect(header.__metadata__).toEqual({ format: 'dendrite', note: 'hi' });
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(names).toEqual(['a.kernel', 'e.empty', 'm.scalar', 'z.bias']);
    expect(header['a.kernel']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header['e.empty']).toEqual({ dtype: 'F32', shape: [0, 4], data_offsets: [24, 24] });
    expect(header['m.scalar']).toEqual({ dtype: 'F32', shape: [], data_offsets: [24, 28] });
    expect(header['z.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [28, 36] });
    expect(bytes.length).toBe(8 + n + 36);
    expect(values('a.kernel')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values('z.bias')).toEqual([0.5, -1.25]);
    expect(values('m.scalar')).toEqual([7]);
  });

  test('round trip keeps names, shapes, values and metadata', () => {
    const { tensors: back, metadata, dtypes } = decodeSafetensors(encodeSafetensors(tensors, { k: 'v' }));
    expect(metadata).toEqual({ k: 'v' });
    expect([...back.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, x] of tensors) {
      expect(back.get(name)!.shape).toEqual(x.shape);
      expect([...back.get(name)!.data]).toEqual([...x.data]);
      expect(dtypes.get(name)).toBe('F32');
    }
    // Records work too; no metadata gives {}.
    const rec = decodeSafetensors(encodeSafetensors({ w: t([Math.PI], [1]) }));
    expect(rec.metadata).toEqual({});
    expect(rec.tensors.get('w')!.data[0]).toBe(Math.fround(Math.PI));
  });

  test('rejects what cannot be written', () => {
    expect(() => encodeSafetensors({ w: [1, 2] as unknown as Tensor })).toThrow(ArgumentError);
    expect(() => encodeSafetensors({ __metadata__: t([1], [1]) })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ w: t([1], [1]) }, { n: 3 as unknown as string })).toThrow(ArgumentError);
  });
});

describe('decodeSafetensors: files written by other tools', () => {
  test('unsorted keys, unpadded header, F16 / BF16 / F64 / I32 / U8 / BOOL data, metadata', () => {
    const f16 = bytesOf((v) => {
      // 1, −2.5, 65504 (largest), 2^−24 (smallest subnormal)
      [0x3c00, 0xc100, 0x7bff, 0x0001].forEach((h, i) => v.setUint16(2 * i, h, true));
    }, 8);
    const bf16 = bytesOf((v) => { v.setUint16(0, 0x3f80, true); v.setUint16(2, 0xc040, true); }, 4);
    const f64 = bytesOf((v) => { v.setFloat64(0, 0.1, true); v.setFloat64(8, -3, true); }, 16);
    const i32 = bytesOf((v) => { v.setInt32(0, -7, true); v.setInt32(4, 1 << 24, true); }, 8);
    const u8 = Uint8Array.of(0, 255);
    const bool = Uint8Array.of(1, 0, 1);
    // Data order differs from key order; offsets decide.
    const data = new Uint8Array([...f64, ...f16, ...bool, ...u8, ...i32, ...bf16]);
    const header = {
      'w.half': { dtype: 'F16', shape: [2, 2], data_offsets: [16, 24] },
      __metadata__: { format: 'pt', origin: 'by hand' },
      'b.double': { shape: [2], data_offsets: [0, 16], dtype: 'F64' },
      'a.bf16': { dtype: 'BF16', shape: [2], data_offsets: [37, 41] },
      mask: { dtype: 'BOOL', shape: [3], data_offsets: [24, 27] },
      bytes: { dtype: 'U8', shape: [2, 1], data_offsets: [27, 29] },
      ints: { dtype: 'I32', shape: [2], data_offsets: [29, 37] },
    };
    const text = JSON.stringify(header);
    expect(text.length % 8).not.toBe(0);
    const { tensors, metadata, dtypes } = decodeSafetensors(file(text, data));
    expect(metadata).toEqual({ format: 'pt', origin: 'by hand' });
    expect([...tensors.keys()]).toEqual(['b.double', 'w.half', 'mask', 'bytes', 'ints', 'a.bf16']);
    expect(tensors.get('w.half')!.shape).toEqual([2, 2]);
    expect([...tensors.get('w.half')!.data]).toEqual([1, -2.5, 65504, 2 ** -24]);
    expect([...tensors.get('a.bf16')!.data]).toEqual([1, -3]);
    expect([...tensors.get('b.double')!.data]).toEqual([Math.fround(0.1), -3]);
    expect([...tensors.get('ints')!.data]).toEqual([-7, 1 << 24]);
    expect([...tensors.get('bytes')!.data]).toEqual([0, 255]);
    expect([...tensors.get('mask')!.data]).toEqual([1, 0, 1]);
    expect(dtypes.get('w.half')).toBe('F16');
  });

  test('F16 infinities and NaN; an empty file of tensors', () => {
    const f16 = bytesOf((v) => { v.setUint16(0, 0x7c00, true); v.setUint16(2, 0xfc00, true); v.setUint16(4, 0x7e00, true); }, 6);
    const { tensors } = decodeSafetensors(file({ x: { dtype: 'F16', shape: [3], data_offsets: [0, 6] } }, f16));
    const x = [...tensors.get('x')!.data];
    expect(x[0]).toBe(Infinity);
    expect(x[1]).toBe(-Infinity);
    expect(Number.isNaN(x[2])).toBe(true);
    expect(decodeSafetensors(file('{}')).tensors.size).toBe(0);
    expect(decodeSafetensors(file('{"__metadata__":{}}      ')).tensors.size).toBe(0);
  });
});

describe('decodeSafetensors: corrupt and hostile files', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const entry = (o: object) => ({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...o } });
  const bad: Array<[string, () => Uint8Array, RegExp]> = [
    ['shorter than 8 bytes', () => Uint8Array.of(1, 0, 0), /shorter than the 8-byte header length/],
    ['header length past the end', () => file('{}', new Uint8Array(0), 3n), /runs past the end of the file/],
    ['header length above the cap', () => file('{}', new Uint8Array(0), 1n << 40n), /above the limit/],
    ['header length near 2^64', () => file('{}', new Uint8Array(0), (1n << 64n) - 1n), /above the limit/],
    ['invalid UTF-8', () => { const b = file('{"w":1}'); b[10] = 0xff; return b; }, /not valid UTF-8/],
    ['invalid JSON', () => file('{"w": {"dtype": '), /header JSON/],
    ['not starting with {', () => file('[1, 2]'), /does not start with '\{'/],
    ['trailing characters', () => file('{} x'), /trailing characters/],
    ['entry not an object', () => file({ w: 5 }), /tensor 'w' is 5, not an object/],
    ['missing data_offsets', () => file({ w: { dtype: 'F32', shape: [2] } }, f32(2)), /tensor 'w' has no 'data_offsets'/],
    ['extra key', () => file(entry({ offsets: [0, 8] }), f32(2)), /unexpected keys: offsets/],
    ['unknown dtype', () => file(entry({ dtype: 'Q4' }), f32(2)), /unsupported dtype 'Q4'/],
    ['dtype not a string', () => file(entry({ dtype: 4 }), f32(2)), /dtype is 4, not a string/],
    ['fractional dimension', () => file(entry({ shape: [1.5] }), f32(2)), /not a non-negative integer/],
    ['negative dimension', () => file(entry({ shape: [-2] }), f32(2)), /not a non-negative integer/],
    ['string dimension', () => file(entry({ shape: ['2'] }), f32(2)), /not a non-negative integer/],
    ['shape not an array', () => file(entry({ shape: 2 }), f32(2)), /shape is 2, not an array/],
    ['shape product overflow', () => file(entry({ shape: [2 ** 40, 2 ** 40, 2 ** 40] }), f32(2)), /needs more bytes than the file holds/],
    ['huge dimension', () => file(entry({ shape: [1e300] }), f32(2)), /not a non-negative integer/],
    ['offsets not integers', () => file(entry({ data_offsets: [0, 8.5] }), f32(2)), /are not non-negative integers/],
    ['negative offset', () => file(entry({ data_offsets: [-8, 0] }), f32(2)), /are not non-negative integers/],
    ['offsets reversed', () => file(entry({ shape: [0], data_offsets: [8, 0] }), f32(2)), /end before they begin/],
    ['offsets past the data', () => file(entry({ data_offsets: [0, 16] }), f32(2)), /run past the data/],
    ['three offsets', () => file(entry({ data_offsets: [0, 4, 8] }), f32(2)), /must be \[begin, end\]/],
    ['byte length ≠ shape × dtype size', () => file(entry({ shape: [3] }), f32(4)), /needs 12 bytes, but data_offsets \[0, 8\] hold 8/],
    ['overlapping tensors', () => file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)), /overlaps the previous tensor/],
    ['a hole in the data', () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)), /leaving bytes \[4, 8\] of the data unused/],
    ['trailing data', () => file(entry({}), f32(3)), /tensors cover 8 bytes of data, but the file has 12/],
    ['duplicate names', () => file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(2)), /has the key 'w' twice/],
    ['metadata value not a string', () => file({ __metadata__: { a: 1 } }), /'__metadata__' entry 'a' is 1, not a string/],
    ['metadata not an object', () => file({ __metadata__: 'x' }), /'__metadata__' must be an object/],
    ['deep nesting', () => file(`{"w":${'['.repeat(100000)}`), /nests deeper than/],
    ['I32 not exact in float32', () => file({ w: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, bytesOf((v) => v.setInt32(0, (1 << 24) + 1, true), 4)), /not exactly representable as float32/],
    ['I64 beyond float', () => file({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, bytesOf((v) => v.setBigInt64(0, (1n << 62n) + 1n, true), 8)), /not exactly representable/],
    ['BOOL not 0 or 1', () => file({ w: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, Uint8Array.of(2)), /not 0 or 1/],
  ];
  test.for(bad)('%s', ([, make, message]) => {
    const bytes = make();
    let err: unknown;
    try {
      decodeSafetensors(bytes, { source: 'bad.safetensors' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toMatch(/^dendrite\.decodeSafetensors: bad\.safetensors: /);
    expect((err as Error).message).toMatch(message);
  });

  test('a smaller header cap is honoured; a non-Uint8Array is an ArgumentError', () => {
    const b = encodeSafetensors({ w: t([1], [1]) });
    expect(() => decodeSafetensors(b, { maxHeaderBytes: 16 })).toThrow(/above the limit of 16 bytes/);
    expect(() => decodeSafetensors([1, 2] as unknown as Uint8Array)).toThrow(ArgumentError);
  });

  test('a subarray of a larger buffer (as fs.readFile returns) decodes', () => {
    const inner = encodeSafetensors({ w: t([1, 2, 3], [3]) });
    const outer = new Uint8Array(inner.length + 13);
    outer.set(inner, 5);
    const { tensors } = decodeSafetensors(outer.subarray(5, 5 + inner.length));
    expect([...tensors.get('w')!.data]).toEqual([1, 2, 3]);
  });
});

// Interchange with the reference implementation, where Python has it (skipped otherwise).
const python = spawnSync('python3', ['-c', 'import safetensors.numpy, numpy'], { encoding: 'utf8' });
describe.skipIf(python.status !== 0)('interchange with the Python safetensors package', () => {
  test('Python reads our file and writes one we read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dendrite-st-'));
    try {
      const ours = path.join(dir, 'ours.safetensors');
      const theirs = path.join(dir, 'theirs.safetensors');
      writeFileSync(ours, encodeSafetensors({ b: t([1, 2, 3, 4, 5, 6], [2, 3]), a: t([-0.5], [1]) }, { who: 'dendrite' }));
      const script = [
        'import sys, numpy as np',
        'from safetensors.numpy import load_file, save_file',
        'from safetensors import safe_open',
        'd = load_file(sys.argv[1])',
        'assert d["b"].shape == (2, 3) and d["b"].dtype == np.float32, d["b"]',
        'assert d["b"].tolist() == [[1, 2, 3], [4, 5, 6]] and d["a"].tolist() == [-0.5]',
        'with safe_open(sys.argv[1], "np") as f: assert f.metadata() == {"who": "dendrite"}',
        'save_file({"x": np.arange(6, dtype=np.float16).reshape(3, 2), "y": np.array([0.25, 8], dtype=np.float64)}, sys.argv[2], metadata={"by": "python"})',
      ].join('\n');
      const run = spawnSync('python3', ['-c', script, ours, theirs], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(theirs)));
      expect(metadata).toEqual({ by: 'python' });
      expect(tensors.get('x')!.shape).toEqual([3, 2]);
      expect([...tensors.get('x')!.data]).toEqual([0, 1, 2, 3, 4, 5]);
      expect([...tensors.get('y')!.data]).toEqual([0.25, 8]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
