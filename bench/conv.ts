/**
 * Convolution throughput (GFLOP/s = 2·pixels·K·outC / s per pass, medians) of dendrite's native
 * backend for the two convolutions of the benchmark CNN (conv 5×5 1→32 on 28×28 and conv 5×5
 * 32→64 on 14×14, 'same', batch 128), forward and backward, at 1 and 2 threads, next to PyTorch
 * measured in the same run when it is installed. The backward pass is what training runs: the
 * filter and bias gradients, plus the input gradient for the second conv only (the first layer's
 * input needs none).
 * Options: --threads=1,2, --batch=128, --no-torch. Pin the process (e.g. taskset -c 1) for
 * 1-thread figures: the PyTorch child inherits the affinity.
 */
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { nativeBackend } from '../src/backend/index.js';
import { Random } from '../src/random.js';
import {
  PY_TIME_IT, findPython, machineInfo, option, peerThreadEnv, printJson, round, runPythonJson, timeIt,
} from './util.js';

interface ConvShape {
  id: string;
  name: string;
  size: number;
  inC: number;
  outC: number;
  k: number;
  inputGrad: boolean;
}

const SHAPES: ConvShape[] = [
  { id: 'conv1', name: 'conv 5x5 1->32 on 28x28 same', size: 28, inC: 1, outC: 32, k: 5, inputGrad: false },
  { id: 'conv2', name: 'conv 5x5 32->64 on 14x14 same', size: 14, inC: 32, outC: 64, k: 5, inputGrad: true },
];

function geometry(s: ConvShape, batch: number): Conv2dGeometry {
  const pad = Math.floor((s.k - 1) / 2);
  return {
    batch, inH: s.size, inW: s.size, inC: s.inC, outC: s.outC, kH: s.k, kW: s.k, strideH: 1, strideW: 1,
    dilationH: 1, dilationW: 1, padTop: pad, padLeft: pad, outH: s.size, outW: s.size,
  };
}

// PyTorch's own layout (NCHW) and kernels; the backward is aten's convolution_backward with the
// same outputs as ours (input gradient only where we compute it).
const TORCH_SCRIPT = `
import json, sys, time
import torch
torch.set_num_threads(int(sys.argv[2]))
cfg = json.loads(sys.argv[1])
torch.manual_seed(1)
${PY_TIME_IT}out = []
with torch.no_grad():
    for s in cfg['shapes']:
        n, c, o, k, h = cfg['batch'], s['inC'], s['outC'], s['k'], s['size']
        p = (k - 1) // 2
        x = torch.rand(n, c, h, h)
        w = torch.rand(o, c, k, k)
        b = torch.rand(o)
        dy = torch.rand(n, o, h, h)
        fwd = time_it(lambda: torch.nn.functional.conv2d(x, w, b, padding=p))
        mask = [bool(s['inputGrad']), True, True]
        bwd = time_it(lambda: torch.ops.aten.convolution_backward(
            dy, x, w, [o], [1, 1], [p, p], [1, 1], False, [0, 0], 1, mask))
        out.append([fwd, bwd])
print(json.dumps({'seconds': out, 'torch': torch.__version__}))
`;

function torchSeconds(
  python: string, shapes: ConvShape[], batch: number, threads: number,
): { seconds: [number, number][]; version: string } | { error: string } {
  const env = peerThreadEnv(threads);
  // Without it OpenMP's spinning threads fight OpenBLAS's over two cores.
  if (threads > 1) env.OMP_WAIT_POLICY = 'PASSIVE';
  const r = runPythonJson<{ seconds: [number, number][]; torch: string }>(
    python, TORCH_SCRIPT, [JSON.stringify({ shapes, batch }), String(threads)], env, 'torch',
  );
  return 'error' in r ? r : { seconds: r.seconds, version: r.torch };
}

export async function main(args: string[]): Promise<void> {
  const native = nativeBackend();
  const threadCounts = (option(args, 'threads') ?? '1,2').split(',').map(Number);
  const batch = Number(option(args, 'batch') ?? 128);
  const python = args.includes('--no-torch') ? undefined : findPython(['torch']);
  const rng = new Random(42);
  const threadsBefore = native.threads();
  const results: Record<string, unknown>[] = [];
  let torchVersion: string | undefined;
  let note: string | undefined = python ? undefined : 'PyTorch not found (or --no-torch): dendrite figures only';

  for (const threads of threadCounts) {
    native.setNumThreads(threads);
    const ours = SHAPES.map((s) => {
      const g = geometry(s, batch);
      const x = new Float32Array(batch * s.size * s.size * s.inC).map(() => rng.uniform());
      const w = new Float32Array(s.k * s.k * s.inC * s.outC).map(() => rng.uniform() - 0.5);
      const bias = new Float32Array(s.outC).map(() => rng.uniform());
      const y = new Float32Array(batch * s.size * s.size * s.outC);
      const dy = new Float32Array(y.length).map(() => rng.uniform() - 0.5);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      const db = new Float32Array(s.outC);
      const fwd = timeIt(() => native.conv2d(g, x, w, bias, y));
      const bwdFilter = timeIt(() => native.conv2dBackwardFilter(g, x, dy, dw, db, 0));
      const bwdInput = s.inputGrad ? timeIt(() => native.conv2dBackwardInput(g, dy, w, dx)) : 0;
      return { fwd, bwdFilter, bwdInput };
    });
    let peer: [number, number][] | undefined;
    if (python) {
      const r = torchSeconds(python, SHAPES, batch, threads);
      if ('error' in r) note = `PyTorch run failed: ${r.error}`;
      else {
        peer = r.seconds;
        torchVersion = r.version;
      }
    }
    SHAPES.forEach((s, i) => {
      const pass = 2 * batch * s.size * s.size * s.k * s.k * s.inC * s.outC;
      const o = ours[i]!;
      const bwd = o.bwdFilter + o.bwdInput;
      const bwdFlops = pass * (s.inputGrad ? 2 : 1);
      const gf = (flops: number, sec: number) => round(flops / sec / 1e9, 1);
      const t = peer?.[i];
      results.push({
        id: s.id, shape: s.name, batch, threads,
        forward_gflops: gf(pass, o.fwd),
        backward_filter_gflops: gf(pass, o.bwdFilter),
        backward_input_gflops: s.inputGrad ? gf(pass, o.bwdInput) : null,
        backward_gflops: gf(bwdFlops, bwd),
        train_step_ms: round((o.fwd + bwd) * 1e3, 2),
        torch_forward_gflops: t ? gf(pass, t[0]) : null,
        torch_backward_gflops: t ? gf(bwdFlops, t[1]) : null,
        torch_train_step_ms: t ? round((t[0] + t[1]) * 1e3, 2) : null,
        ratio: t ? round((t[0] + t[1]) / (o.fwd + bwd), 2) : null,
      });
    });
  }
  native.setNumThreads(threadsBefore);

  printJson({
    benchmark: 'conv',
    machine: machineInfo(),
    unit: 'GFLOP/s (2·pixels·kH·kW·inC·outC per pass / median seconds); train step = forward + backward; ratio = PyTorch time / dendrite time',
    isa: native.isa(),
    peer: torchVersion ? `PyTorch ${torchVersion}` : null,
    note: note ?? null,
    results,
  });
}
