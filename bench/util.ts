/** Timing helpers shared by the benchmarks: medians over repeated runs, JSON output. */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { nativeBackend } from '../src/backend/index.js';

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Seconds per call of fn: calls it in batches sized to take ~`batchMs`, `repeats` times, after a
 * warm-up, and returns the median batch time divided by the batch size.
 */
export function timeIt(fn: () => void, { repeats = 7, batchMs = 60, warmupMs = 100 } = {}): number {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  let calls = 1;
  const w0 = now();
  while (now() - w0 < warmupMs / 1000) {
    for (let i = 0; i < calls; i++) fn();
    calls *= 2;
  }
  // Size the batch so one batch takes about batchMs.
  const t0 = now();
  fn();
  const single = Math.max(now() - t0, 1e-9);
  const perBatch = Math.max(1, Math.round(batchMs / 1000 / single));
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const s = now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push((now() - s) / perBatch);
  }
  return median(samples);
}

/** A python3 that has the given modules, or undefined. Debian's interpreter is tried too. */
export function findPython(modules: string[]): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Prints one JSON document (the benchmark's result) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The value of a `--name=value` command-line option, or undefined. */
export function option(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

/**
 * Python source of `time_it(fn)`, the peer scripts' counterpart of timeIt: the same warm-up,
 * batch sizing and median over repeats.
 */
export const PY_TIME_IT = `
def time_it(fn, repeats=7, batch_s=0.06, warmup_s=0.1):
    calls, w0 = 1, time.perf_counter()
    while time.perf_counter() - w0 < warmup_s:
        for _ in range(calls): fn()
        calls *= 2
    t0 = time.perf_counter(); fn(); single = max(time.perf_counter() - t0, 1e-9)
    per = max(1, round(batch_s / single))
    samples = []
    for _ in range(repeats):
        s = time.perf_counter()
        for _ in range(per): fn()
        samples.append((time.perf_counter() - s) / per)
    samples.sort()
    return samples[len(samples) // 2]
`;

/** This process's environment with the BLAS and OpenMP pools of a Python peer set to `threads`. */
export function peerThreadEnv(threads: number): NodeJS.ProcessEnv {
  return { ...peerIsaEnv(), OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
}

/**
 * The environment for a peer process. When dendrite runs a lower path than the CPU's best
 * (`--isa=avx2` on an AVX-512 machine), the peers are held to the same instruction set:
 * OpenBLAS takes its Haswell (AVX2+FMA) kernels and oneDNN (PyTorch's convolutions) stops at AVX2,
 * so the ratio compares like with like.
 */
export function peerIsaEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const native = nativeBackend();
  if (native.isa() === 'avx2' && native.supportedIsas().includes('avx512')) {
    env.OPENBLAS_CORETYPE = 'Haswell';
    env.ONEDNN_MAX_CPU_ISA = 'AVX2';
    env.DNNL_MAX_CPU_ISA = 'AVX2';
  }
  return env;
}

/** What the figures were measured on: CPU model, the path dendrite ran, caches and GEMM blocking. */
export function machineInfo(): Record<string, unknown> {
  const native = nativeBackend();
  const isa = native.isa();
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    isa,
    best_isa: native.supportedIsas().at(-1),
    peer_isa: isa === 'avx2' && native.supportedIsas().includes('avx512') ? 'AVX2 (OpenBLAS Haswell kernels, oneDNN capped at AVX2)' : 'default',
    caches: native.cacheSizes(),
    gemm_blocking: native.gemmBlocking(),
  };
}

/**
 * Runs a Python peer script (`python -c script ...argv`) and parses the JSON it prints; on failure,
 * `{ error }` with the last line of its stderr (or `<what> run failed`).
 */
export function runPythonJson<T>(
  python: string, script: string, argv: string[], env: NodeJS.ProcessEnv, what: string,
): T | { error: string } {
  const r = spawnSync(python, ['-c', script, ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || `${what} run failed`).trim().split('\n').pop() ?? '' };
  return JSON.parse(r.stdout) as T;
}
