#!/usr/bin/env node
// Builds the native addon with node-gyp, offline: Node's headers come from the running Node's
// own installation (the folder above bin/node holds include/node) when npm gives no nodedir.
//
//   node scripts/build-native.mjs              build (incrementally when build/ is configured)
//   node scripts/build-native.mjs --if-missing build only if no up-to-date binary is present
//                                              (a matching prebuilt one counts)
//   node scripts/build-native.mjs --prebuild   run prebuildify into prebuilds/<platform>-<arch>
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const binary = path.join(root, 'build', 'Release', 'dendrite.node');

function log(msg) {
  process.stderr.write(`dendrite: ${msg}\n`);
}

/** A Node installation folder holding the headers node-gyp needs, or undefined. */
export function findNodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && fs.existsSync(path.join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return undefined;
}

function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    // Installed as a dependency without dev dependencies: npm's own node-gyp.
    if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
    const bundled = path.resolve(
      path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules',
      'node-gyp', 'bin', 'node-gyp.js',
    );
    if (fs.existsSync(bundled)) return bundled;
    throw new Error('node-gyp was not found: install it (npm install -g node-gyp) and retry');
  }
}

function newestSourceTime() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    } else if (/\.(cc|h)$/.test(p) || p.endsWith('binding.gyp')) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  visit(path.join(root, 'native'));
  visit(path.join(root, 'binding.gyp'));
  return newest;
}

function hasPrebuild() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  try {
    return fs.readdirSync(dir).some((f) => f.endsWith('.node'));
  } catch {
    return false;
  }
}

function env() {
  const nodedir = findNodeDir();
  const e = { ...process.env };
  if (nodedir) e.npm_config_nodedir = nodedir;
  else log('no local Node headers found; node-gyp will try to download them');
  return { env: e, nodedir };
}

function run(cmd, argv, options) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    log(`${path.basename(argv[0] ?? cmd)} ${argv.slice(1).join(' ')} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

/** The source lists binding.gyp expands at configure time; a change needs a new configure. */
function sourceListing() {
  const { sources, GROUPS } = require('./native-sources.cjs');
  return GROUPS.map((g) => `${g}: ${sources(g).join(' ')}`).join('\n') + '\n';
}

function build() {
  const { env: e, nodedir } = env();
  const gyp = nodeGypScript();
  const stamp = path.join(root, 'build', 'dendrite-sources.txt');
  const listing = sourceListing();
  const configured = (fs.existsSync(path.join(root, 'build', 'Makefile')) ||
    fs.existsSync(path.join(root, 'build', 'binding.sln'))) &&
    fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === listing;
  const verb = configured ? 'build' : 'rebuild';
  const extra = nodedir ? [`--nodedir=${nodedir}`] : [];
  run(process.execPath, [gyp, verb, '--release', '--jobs=max', ...extra], { env: e });
  fs.writeFileSync(stamp, listing);
}

function prebuild() {
  // prebuildify spawns node-gyp itself: give it the same node-gyp and the offline headers
  // (node-gyp reads npm_config_nodedir from the environment).
  const { env: e } = env();
  const cli = require.resolve('prebuildify/bin.js', { paths: [root] });
  run(process.execPath, [cli, '--napi', '--strip', '--node-gyp', nodeGypScript()], { env: e });
}

try {
  if (args.has('--prebuild')) {
    prebuild();
  } else if (args.has('--if-missing')) {
    const fresh = fs.existsSync(binary) && fs.statSync(binary).mtimeMs >= newestSourceTime();
    const inRepo = fs.existsSync(path.join(root, '.git'));
    if (fresh) process.exit(0);
    if (!inRepo && hasPrebuild()) process.exit(0);  // installed package: the shipped binary
    build();
  } else {
    build();
  }
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
