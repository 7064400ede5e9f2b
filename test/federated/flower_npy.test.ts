/**
 * .npy serialisation: byte-for-byte against numpy's np.save (when python3 has numpy), round
 * trips, numpy's other versions and float64, and hostile inputs that must fail with ValueError.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ValueError } from '../../src/errors.js';
import { decodeNpy, encodeNpy } from '../../src/federated/flower/npy.js';
import { Random } from '../../src/random.js';

const numpyProbe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', timeout: 30_000 });
const numpyVersion = numpyProbe.status === 0 ? numpyProbe.stdout.trim() : null;
if (numpyVersion === null) console.warn('flower npy: the comparisons with numpy are skipped: python3 cannot import numpy (pip install numpy)');
const withNumpy = numpyVersion !== null ? it : it.skip;

/** The values every comparison case holds: i·0.37 − 5, then a few special floats. */
function values(n: number): Float32Array {
  const out = new Float32Array(n);
  const special = [NaN, Infinity, -Infinity, -0, 1e-45, 3.4e38, -1.17549435e-38];
  for (let i = 0; i < n; i++) out[i] = i < special.length ? special[i]! : Math.fround(Math.fround(i * Math.fround(0.37)) - 5); // float32 arithmetic, as numpy
  return out;
}
const PY_VALUES = `
def values(n):
    special = [np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38, -1.17549435e-38]
    a = np.arange(n, dtype=np.float32) * np.float32(0.37) - np.float32(5)
    k = min(n, len(special))
    a[:k] = np.array(special[:k], dtype=np.float32)
    return a
`;

function python(script: string, input: string): string {
  const r = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function header(text: string, version: [number, number] = [1, 0]): Uint8Array {
  const lenBytes = version[0] === 1 ? 2 : 4;
  const body = Buffer.from(text, 'latin1');
  const out = new Uint8Array(8 + lenBytes + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, body.length, true);
  else view.setUint32(8, body.length, true);
  out.set(body, 8 + lenBytes);
  return out;
}

function withData(h: Uint8Array, bytes: number): Uint8Array {
  const out = new Uint8Array(h.length + bytes);
  out.set(h);
  return out;
}

describe('encodeNpy / decodeNpy', () => {
  // Empty arrays with one growing dimension walk the header through many lengths mod 64; the last
  // two land where numpy pads a full 64 bytes.
  const shapes: number[][] = [[], [0], [1], [7], [32], [784, 32], [32, 10], [10], [3, 0, 2], [2, 3, 4, 5], [1, 1, 1, 1, 1, 1, 1, 1]];
  for (let j = 0; j <= 15; j++) shapes.push([0, 10 ** j], [0, 1, 10 ** j], [0, 1, 1, 10 ** j], [0, 1, 1, 1, 10 ** j]);
  shapes.push([70000, 0], [123456789012, 0], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1e14], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1e11]);

  withNumpy(`writes exactly what np.save writes (numpy ${numpyVersion ?? 'missing'}), for ${shapes.length} shapes`, () => {
    const out = python(
      `import sys, json, io\nimport numpy as np\n${PY_VALUES}\nfor s in json.load(sys.stdin):\n    n = int(np.prod(s)) if s else 1\n    b = io.BytesIO(); np.save(b, values(n).reshape(s), allow_pickle=False)\n    print(b.getvalue().hex())\n`,
      JSON.stringify(shapes),
    );
    const expected = out.trim().split('\n');
    expect(expected).toHaveLength(shapes.length);
    let fullPad = 0;
    shapes.forEach((s, i) => {
      const n = s.reduce((a, b) => a * b, 1);
      const mine = encodeNpy(values(n), s);
      expect(hex(mine), `shape [${s.join(', ')}]`).toBe(expected[i]);
      // numpy adds 64 spaces, not 0, when the header text already ends on the boundary.
      const tuple = s.length === 0 ? '()' : s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
      const text = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`.length + (s.length > 0 ? 21 - String(s[0]).length : 0);
      if ((10 + text + 1) % 64 === 0) fullPad++;
    });
    expect(fullPad).toBeGreaterThan(0);
  });

  withNumpy('reads what numpy writes: float32 and float64, format versions 1.0, 2.0 and 3.0', () => {
    const cases = [
      ['<f4', [1, 0]],
      ['<f8', [1, 0]],
      ['<f4', [2, 0]],
      ['<f8', [3, 0]],
    ] as const;
    const out = python(
      `import sys, json, io\nimport numpy as np\n${PY_VALUES}\nfor dt, v in json.load(sys.stdin):\n    a = values(24).astype(dt).reshape(2, 3, 4)\n    b = io.BytesIO(); np.lib.format.write_array(b, a, version=tuple(v), allow_pickle=False)\n    print(b.getvalue().hex())\n`,
      JSON.stringify(cases),
    );
    const lines = out.trim().split('\n');
    const want = values(24);
    lines.forEach((line, i) => {
      const got = decodeNpy(new Uint8Array(Buffer.from(line, 'hex')));
      expect(got.shape, String(cases[i])).toEqual([2, 3, 4]);
      expect(Array.from(got.data), String(cases[i])).toEqual(Array.from(want));
    });
  });

  withNumpy('numpy reads what encodeNpy writes, values and shape intact', () => {
    const a = values(60);
    const out = python(
      `import sys, io, json\nimport numpy as np\nb = np.load(io.BytesIO(bytes.fromhex(sys.stdin.read())), allow_pickle=False)\nprint(json.dumps({"shape": list(b.shape), "dtype": str(b.dtype), "c": bool(b.flags.c_contiguous), "hex": b.tobytes().hex()}))\n`,
      hex(encodeNpy(a, [3, 4, 5])),
    );
    const r = JSON.parse(out) as { shape: number[]; dtype: string; c: boolean; hex: string };
    expect(r).toMatchObject({ shape: [3, 4, 5], dtype: 'float32', c: true });
    expect(r.hex).toBe(hex(new Uint8Array(a.buffer)));
  });

  it('round-trips random shapes and values bit for bit', () => {
    const rng = new Random(5);
    for (let k = 0; k < 50; k++) {
      const nd = Math.floor(rng.uniform() * 5);
      const shape = Array.from({ length: nd }, () => Math.floor(rng.uniform() * 6));
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n).map(() => (rng.uniform() - 0.5) * 1e6);
      const back = decodeNpy(encodeNpy(data, shape));
      expect(back.shape).toEqual(shape);
      expect(hex(new Uint8Array(back.data.buffer))).toBe(hex(new Uint8Array(data.buffer)));
    }
  });

  it('reads a .npy that starts at an offset inside a larger buffer', () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3]), [3]);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(Array.from(decodeNpy(big.subarray(3)).data)).toEqual([1, 2, 3]);
  });

  it('encodeNpy rejects data that does not match the shape', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(ValueError);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/\[2, 3\] holds 6 values but data has 5/);
    expect(() => encodeNpy(new Float32Array(1), [-1])).toThrow(ValueError);
    expect(() => encodeNpy(new Float32Array(1), [1.5])).toThrow(ValueError);
    expect(() => encodeNpy([1, 2] as unknown as Float32Array, [2])).toThrow(ArgumentError);
  });

  describe('rejects hostile input with ValueError', () => {
    const good = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const bad = (bytes: Uint8Array, pattern: RegExp): void => {
      expect(() => decodeNpy(bytes)).toThrow(ValueError);
      expect(() => decodeNpy(bytes)).toThrow(pattern);
    };

    it('every truncation of a valid array', () => {
      for (let n = 0; n < good.length; n++) expect(() => decodeNpy(good.subarray(0, n)), `first ${n} bytes`).toThrow(ValueError);
      expect(() => decodeNpy(good)).not.toThrow();
    });

    it('wrong magic, unknown versions, a header longer than allowed', () => {
      const wrong = good.slice();
      wrong[1] = 0x4f;
      bad(wrong, /without the \\x93NUMPY magic/);
      bad(new Uint8Array(0), /not a \.npy array/);
      for (const v of [[0, 0], [4, 0], [1, 1], [2, 5]] as const) {
        const b = good.slice();
        b[6] = v[0];
        b[7] = v[1];
        bad(b, /unsupported \.npy format version/);
      }
      const long = header(`{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }${' '.repeat(20_000)}\n`, [2, 0]);
      bad(long, /header of \d+ bytes is longer than the 10000 allowed/);
    });

    it('byte counts that do not match the shape, and shapes far too large', () => {
      const h = (shape: string, descr = '<f4'): Uint8Array => header(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }\n`);
      bad(withData(h('(2, 3)'), 23), /needs 24 bytes of data, the array has 23/);
      bad(withData(h('(2, 3)'), 25), /needs 24 bytes of data, the array has 25/);
      bad(withData(h('(2, 3)', '<f8'), 24), /needs 48 bytes/);
      bad(withData(h('(1099511627776, 1099511627776)'), 16), /needs more than 4503599627370496 bytes of data, the array has 16/);
      bad(withData(h('(99999999999999999999999,)'), 4), /too large/);
      bad(withData(h('()'), 0), /needs 4 bytes/);
      expect(decodeNpy(withData(h('(1099511627776, 0)'), 0)).data.length).toBe(0);
    });

    it('dtypes other than <f4 and <f8, object arrays and pickles, Fortran order', () => {
      const h = (d: string, fortran = 'False', shape = '(2,)'): Uint8Array => withData(header(`{'descr': ${d}, 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`), 8);
      bad(h("'|O'"), /dtype '\|O' is not supported/);
      bad(h("'>f4'"), /dtype '>f4'/);
      bad(h("'<i4'"), /dtype '<i4'/);
      bad(h("'<f2'"), /dtype '<f2'/);
      bad(h("[('a', '<f4')]"), /structured dtypes are not supported/);
      bad(h("'<f4'", 'True'), /Fortran-ordered/);
      bad(h("'<f4'", 'Maybe'), /fortran_order must be True or False/);
    });

    it('headers that are not the dictionary numpy writes are never evaluated', () => {
      const h = (text: string): Uint8Array => withData(header(`${text}\n`), 8);
      bad(h("{'descr': '<f4', 'fortran_order': False}"), /are all required/);
      bad(h("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}"), /unexpected or repeated key 'extra'/);
      bad(h("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"), /repeated key 'descr'/);
      bad(h("{'descr': __import__('os').system('echo owned'), 'fortran_order': False, 'shape': (2,)}"), /expected a quoted string/);
      bad(h("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}"), /trailing comma/);
      bad(h("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"), /non-negative integer/);
      bad(h("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}"), /expected ',' or '\)'/);
      bad(h("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing"), /text after the dictionary/);
      bad(h("['descr', '<f4']"), /expected '\{'/);
      bad(h("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}"), /escape in string/);
      bad(h(`{'descr': '<f4', 'fortran_order': False, 'shape': (${Array(65).fill(1).join(', ')})}`), /more than 64 dimensions/);
    });
  });
});
