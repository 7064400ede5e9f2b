// Packaging, end to end and offline: `npm pack` (which runs prebuildify through node-gyp) and the
// cmake-js build both work with no nodedir setting and no way to download headers; the tarball
// ships the prebuilt linux binary and no build leftovers; installed into an empty project with
// no install scripts allowed, it runs a matmul on the native backend.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'dendrite-pack-'));
const copy = path.join(work, 'dendrite');

// No nodedir from any npm configuration, and any download attempt fails at once.
const offlineEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_userconfig: path.join(work, 'empty-npmrc'),
  npm_config_nodedir: undefined,
  NPM_CONFIG_NODEDIR: undefined,
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  DENDRITE_ADDON_PATH: undefined,
  DENDRITE_BACKEND: undefined,
};
for (const k of Object.keys(offlineEnv)) if (/^npm_config_nodedir$/i.test(k)) delete offlineEnv[k];

function run(cmd: string, args: string[], options: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${output.slice(-4000)}`);
  return output;
}

beforeAll(() => {
  writeFileSync(path.join(work, 'empty-npmrc'), '');
  mkdirSync(copy);
  for (const f of ['package.json', 'package-lock.json', 'binding.gyp', 'CMakeLists.txt', 'tsconfig.json', 'tsconfig.build.json', 'README.md']) {
    if (existsSync(path.join(root, f))) cpSync(path.join(root, f), path.join(copy, f));
  }
  for (const d of ['native', 'src', 'scripts', 'bin']) cpSync(path.join(root, d), path.join(copy, d), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('packaging', () => {
  let tarball = '';

  it('npm pack builds the prebuilt binary offline, without a nodedir setting', () => {
    run('npm', ['pack', '--pack-destination', work, '--foreground-scripts'], { cwd: copy, env: offlineEnv });
    const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    expect(packed).toHaveLength(1);
    tarball = path.join(work, packed[0]!);
  }, 900_000);

  it('ships the prebuilt linux-x64 binary, the compiled API and the sources, and no leftovers', () => {
    const files = run('tar', ['-tzf', tarball]).split('\n').map((l) => l.trim()).filter(Boolean);
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/binding.gyp');
    expect(files).toContain('package/bin/dendrite.mjs');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files.some((f) => /^package\/prebuilds\/linux-x64\/[^/]+\.node$/.test(f))).toBe(true);
    for (const f of files) {
      expect(f).not.toMatch(/^package\/(build|build-cmake|node_modules|test|bench|\.ci)\//);
      expect(f).not.toMatch(/\.(o|a|tsbuildinfo|tgz)$/);
    }
  }, 900_000);

  it('installs into an empty project with no scripts allowed and runs a matmul natively', () => {
    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    run('npm', ['install', tarball, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: app,
      env: { ...process.env, HTTPS_PROXY: undefined, HTTP_PROXY: undefined, https_proxy: undefined, http_proxy: undefined },
    });
    expect(existsSync(path.join(app, 'node_modules', 'dendrite', 'build'))).toBe(false);
    const script = `
      import { backendInfo, matmul, tensor } from 'dendrite';
      const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
      console.log(JSON.stringify({ info: backendInfo(), c: c.toArray() }));
    `;
    const out = run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      env: { ...process.env, DENDRITE_ADDON_PATH: undefined, DENDRITE_BACKEND: 'native' },
    });
    const result = JSON.parse(out.trim().split('\n').find((l) => l.startsWith('{'))!);
    expect(result.info.backend).toBe('native');
    expect(result.c).toEqual([[19, 22], [43, 50]]);
  }, 900_000);

  it('cmake-js builds the same addon offline, from the Node-API headers package', () => {
    run(process.execPath, [path.join(copy, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile', '--out', 'build-cmake'], {
      cwd: copy,
      env: offlineEnv,
    });
    const built = path.join(copy, 'build-cmake', 'Release', 'dendrite.node');
    expect(existsSync(built)).toBe(true);
    // prebuildify moved node-gyp's build into prebuilds/ during `npm pack`.
    const prebuilds = path.join(copy, 'prebuilds', `${process.platform}-${process.arch}`);
    const gypBuilt = path.join(prebuilds, readdirSync(prebuilds).find((f) => f.endsWith('.node'))!);
    const script = `
      const a = require(process.argv[1]), b = require(process.argv[2]);
      const c1 = new Float32Array(4), c2 = new Float32Array(4);
      const x = new Float32Array([1, 2, 3, 4]), y = new Float32Array([5, 6, 7, 8]);
      a.gemm(false, false, 2, 2, 2, 1, x, y, 0, c1);
      b.gemm(false, false, 2, 2, 2, 1, x, y, 0, c2);
      console.log(JSON.stringify({ a: Object.keys(a).sort(), b: Object.keys(b).sort(), c1: Array.from(c1), c2: Array.from(c2) }));
    `;
    const out = JSON.parse(run(process.execPath, ['-e', script, built, gypBuilt]).trim().split('\n').pop()!);
    expect(out.a).toEqual(out.b);
    expect(out.a).toContain('gemm');
    expect(out.c1).toEqual([19, 22, 43, 50]);
    expect(out.c2).toEqual(out.c1);
  }, 900_000);
});
