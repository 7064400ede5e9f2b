/**
 * Finding and loading the native addon. A matching prebuilt binary (prebuilds/<platform>-<arch>,
 * as shipped in the npm tarball) is preferred; a local build (build/Release) is used when there
 * is none or when it is newer (a developer's fresh build).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions the addon exports. Codes index the tables in backend.ts. */
export interface NativeAddon {
  isa(): string;
  supportedIsas(): string[];
  setIsa(name: string): void;
  numThreads(): number;
  setNumThreads(n: number): void;
  /** Data cache sizes in bytes, as the GEMM blocking sees them. */
  cacheSizes(): { l1d: number; l2: number; l3: number; detected: boolean };
  /** The active path's register tile (mr×nr) and cache blocking (kc, nc). */
  gemmBlocking(): { mr: number; nr: number; kc: number; nc: number; mc: number };

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;
  gemmBatched(
    batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, strideA: number, b: Float32Array, strideB: number,
    beta: number, c: Float32Array, strideC: number,
  ): void;
  gemmBiasAct(
    transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array,
    b: Float32Array, bias: Float32Array | null, act: number, actAlpha: number, c: Float32Array,
  ): void;

  activation(act: number, x: Float32Array, y: Float32Array, alpha: number): void;
  activationBackward(
    act: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
    alpha: number,
  ): void;
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean): void;
  softmaxBackward(
    y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, log: boolean,
  ): void;

  /** out[i] = a[i·aStrides] op b[i·bStrides] over `shape` (strides in elements, 0 = broadcast). */
  binary(
    op: number, a: Float32Array, b: Float32Array, out: Float32Array, shape: number[],
    aStrides: number[], bStrides: number[],
  ): void;
  unary(op: number, x: Float32Array, y: Float32Array, p0: number, p1: number): void;
  reduce(
    op: number, x: Float32Array, outer: number, len: number, inner: number, out: Float32Array,
    correction: number,
  ): void;
  argReduce(
    isMax: boolean, x: Float32Array, outer: number, len: number, inner: number, out: Int32Array,
  ): void;

  /**
   * out[idx] = x[idx·strides] over `shape` (rank ≤ 8, strides in elements, 0 = broadcast); out
   * dense, or addressed by outStrides when given.
   */
  copyStrided(
    x: Float32Array, out: Float32Array, shape: number[], strides: number[], outStrides?: number[],
  ): void;

  // ── conv/pool family (conv_binding.cc). `geom` is the Conv2dGeometry/Pool2dGeometry fields as
  // an array of integers in their declaration order.
  conv2d(
    geom: number[], x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    act?: number, actAlpha?: number,
  ): void;
  conv2dBackwardInput(geom: number[], dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  conv2dBackwardFilter(
    geom: number[], x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, beta: number,
  ): void;
  pool2d(isMax: boolean, geom: number[], x: Float32Array, y: Float32Array, argmax: Int32Array | null): void;
  pool2dBackward(isMax: boolean, geom: number[], dy: Float32Array, argmax: Int32Array | null, dx: Float32Array): void;

  // ── optimiser family (optim_binding.cc). `state` is slot-major: state[s][i]. `hyper` is a
  // Float64Array of 15: lr, beta1, beta2, eps, momentum, dampening, rho, weightDecay,
  // decoupled, nesterov, amsgrad, centered (0/1), step, gradScale, clipValue (may be Infinity).
  optimizerStep(
    rule: number, params: Float32Array[], grads: Float32Array[], state: Float32Array[][],
    hyper: Float64Array,
  ): void;
  sumOfSquares(arrays: Float32Array[]): number;

  // ── loss family (loss_binding.cc).
  softmaxCrossEntropy(
    logits: Float32Array, rows: number, cols: number, labels: Int32Array | null,
    target: Float32Array | null, loss: Float32Array, grad: Float32Array | null,
  ): void;
}

/** The package's root folder (this file is src/backend/addon.ts or dist/backend/addon.js). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const require = createRequire(import.meta.url);

interface NodeGypBuild {
  parseTuple(name: string): { name: string; platforms: string; architectures: string[] } | undefined;
  matchTuple(platform: string, arch: string): (t: unknown) => boolean;
  compareTuples(a: unknown, b: unknown): number;
  parseTags(file: string): { file: string } | undefined;
  matchTags(runtime: string, abi: string): (t: unknown) => boolean;
  compareTags(runtime: string): (a: unknown, b: unknown) => number;
}

/** The prebuilt binary for this platform, chosen with node-gyp-build's matching rules. */
function findPrebuilt(root: string): string | undefined {
  const dir = path.join(root, 'prebuilds');
  if (!fs.existsSync(dir)) return undefined;
  const ngb = require('node-gyp-build') as NodeGypBuild;
  const tuple = fs.readdirSync(dir)
    .map((n) => ngb.parseTuple(n))
    .filter((t) => t !== undefined && ngb.matchTuple(process.platform, process.arch)(t))
    .sort(ngb.compareTuples)[0];
  if (!tuple) return undefined;
  const folder = path.join(dir, tuple.name);
  const winner = fs.readdirSync(folder)
    .map((f) => ngb.parseTags(f))
    .filter((t) => t !== undefined && ngb.matchTags('node', process.versions.modules)(t))
    .sort(ngb.compareTags('node'))[0];
  return winner ? path.join(folder, winner.file) : undefined;
}

/** The binary to load, or undefined when there is none. DENDRITE_ADDON_PATH overrides. */
export function findAddonPath(root = packageRoot): string | undefined {
  const override = process.env.DENDRITE_ADDON_PATH;
  if (override) return path.resolve(override);
  const prebuilt = findPrebuilt(root);
  const local = path.join(root, 'build', 'Release', 'dendrite.node');
  const hasLocal = fs.existsSync(local);
  if (prebuilt && hasLocal && fs.statSync(local).mtimeMs > fs.statSync(prebuilt).mtimeMs) return local;
  return prebuilt ?? (hasLocal ? local : undefined);
}

/** Why no native backend is available, and what to do about it. */
export function missingAddonMessage(reason: string): string {
  return (
    `dendrite: the native backend is not available (${reason}), so dendrite runs on its ` +
    `pure-TypeScript reference backend, which is correct but 20-100× slower. ` +
    `To get the native one: allow dendrite's install script (list "dendrite" in "allowScripts" ` +
    `in your package.json) and run "npm rebuild dendrite", or build it yourself with ` +
    `"node node_modules/dendrite/scripts/build-native.mjs" (needs a C++ compiler and Python). ` +
    `Set DENDRITE_BACKEND=reference to silence this warning.`
  );
}

/** Loads the addon; throws an Error with missingAddonMessage when it cannot. */
export function loadAddon(root = packageRoot): NativeAddon {
  const file = findAddonPath(root);
  if (!file) {
    throw new Error(
      missingAddonMessage(`no prebuilt binary for ${process.platform}-${process.arch} and no local build`),
    );
  }
  try {
    return require(file) as NativeAddon;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(missingAddonMessage(`loading ${path.basename(file)} failed: ${why}`));
  }
}
