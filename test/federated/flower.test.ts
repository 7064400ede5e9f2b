/**
 * The Node Flower client against a real Flower server (flwr.server.start_server with FedAvg),
 * two dendrite clients each holding 2,000 different MNIST training images; and against a
 * hand-written FlowerService that sends malformed messages. Needs python3 with flwr: skipped with
 * a reason when it is missing, except in CI (CI=true), which installs it and fails without it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import { startFlowerClient, type FlowerClient, type FlowerClientSummary, type NdArray } from '../../src/federated/flower/client.js';
import { flowerModelClient } from '../../src/federated/flower/model_client.js';
import * as layers from '../../src/nn/layers/index.js';
import { sequential } from '../../src/nn/sequential.js';
import { adam } from '../../src/optim/index.js';
import { manualSeed } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const probe = spawnSync('python3', ['-c', 'import flwr, numpy; print(flwr.__version__)'], { encoding: 'utf8', timeout: 60_000 });
const flwrVersion = probe.status === 0 ? probe.stdout.trim() : null;
const inCi = process.env.CI === 'true';
if (flwrVersion === null && !inCi) {
  console.warn(`flower tests skipped: python3 cannot import flwr and numpy (pip install 'flwr==1.12.0' numpy): ${(probe.stderr ?? '').trim().split('\n').pop()}`);
}
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface PythonRun {
  /** Resolves with the parsed JSON lines the script printed, once it exits with status 0. */
  done: Promise<Array<Record<string, unknown>>>;
  stderr: () => string;
}

/** Runs a fixture script, killed after `timeoutMs`. */
function runPython(script: string, args: string[], timeoutMs: number): PythonRun {
  const child = spawn('python3', [path.join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)));
  const done = new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms; stderr tail:\n${err.slice(-3000)}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}; stderr tail:\n${err.slice(-3000)}`));
      const lines = out.split('\n').filter((l) => l.trim().startsWith('{'));
      resolve(lines.map((l) => JSON.parse(l) as Record<string, unknown>));
    });
  });
  return { done, stderr: () => err };
}

const describeFlower = flwrVersion !== null || inCi ? describe : describe.skip;

describeFlower('Flower interop (python flwr server)', () => {
  it('python3 has flwr 1.12.0 (the version whose transport.proto is shipped)', () => {
    expect(flwrVersion, `python3 cannot import flwr and numpy: ${probe.stderr}`).toBe('1.12.0');
  });

  it('the shipped transport.proto declares exactly the messages and fields of the installed flwr', async () => {
    const dump = spawnSync('python3', [path.join(fixtures, 'flower_proto_fields.py')], { encoding: 'utf8', timeout: 60_000 });
    expect(dump.status, dump.stderr).toBe(0);
    const fromPython = JSON.parse(dump.stdout) as Record<string, string[]>;
    const protobuf = (await import('protobufjs')).default;
    const { flowerProtoDir } = await import('../../src/federated/flower/client.js');
    const root = new protobuf.Root().loadSync(path.join(flowerProtoDir(), 'flwr', 'proto', 'transport.proto'), { keepCase: true });
    root.resolveAll();
    const fromProto: Record<string, string[]> = {};
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const obj of ns.nestedArray) {
        if (obj instanceof protobuf.Type) {
          fromProto[obj.fullName.slice(1)] = obj.fieldsArray
            .map((f) => {
              const t = f.resolvedType ? f.resolvedType.fullName.slice(1) : f.type;
              const label = f instanceof protobuf.MapField ? `map<${f.keyType},${t}>` : f.repeated ? `repeated ${t}` : t;
              return `${f.id} ${f.name} ${label}${f.partOf ? ` oneof ${f.partOf.name}` : ''}`;
            })
            .sort();
          walk(obj);
        } else if (obj instanceof protobuf.Enum) {
          fromProto[obj.fullName.slice(1)] = Object.entries(obj.values).map(([k, v]) => `${v} ${k}`).sort();
        } else if (obj instanceof protobuf.Service) {
          fromProto[obj.fullName.slice(1)] = obj.methodsArray.map((m) => `${m.name} ${m.requestStream ? 'stream ' : ''}${m.requestType} -> ${m.responseStream ? 'stream ' : ''}${m.responseType}`).sort();
        } else if (obj instanceof protobuf.Namespace) walk(obj);
      }
    };
    walk(root);
    expect(fromProto).toEqual(fromPython);
  });

  it('two dendrite clients join a FedAvg server for 3 rounds; the aggregated accuracy rises well above chance', async () => {
    manualSeed(8);
    const data = await loadMnist(undefined, { trainLimit: 4000, testLimit: 1000 });
    const port = await freePort();
    const server = runPython('flower_server.py', [String(port), '3'], 150_000);
    const px = 784;
    const part = (t: Tensor, labels: Int32Array, from: number, to: number): [Tensor, Int32Array] => [
      new Tensor(t.data.slice(from * px, to * px), [to - from, px]),
      labels.slice(from, to),
    ];
    const makeClient = (i: number): FlowerClient => {
      const [x, y] = part(data.train.images, data.train.labels, i * 2000, (i + 1) * 2000);
      const [xTest, yTest] = part(data.test.images, data.test.labels, i * 500, (i + 1) * 500);
      const model = sequential([
        layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
        layers.dense({ units: 10, activation: 'softmax' }),
      ]);
      model.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return flowerModelClient(model, { x, y, xTest, yTest });
    };
    const logs: string[] = [];
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), 140_000);
    let summaries: FlowerClientSummary[];
    try {
      const clients = [0, 1].map((i) =>
        startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client: makeClient(i), signal: abort.signal, connectTimeoutMs: 60_000, log: (l) => logs.push(l) }),
      );
      // A server failure should fail the test with the server's own error, not a client timeout.
      const [result] = await Promise.all([server.done, ...clients]);
      summaries = await Promise.all(clients);
      const lines = result as Array<Record<string, unknown>>;
      const summary = lines.find((l) => l.event === 'done') as {
        rounds: number;
        loss: Array<[number, number]>;
        accuracy: Array<[number, number]>;
        clients: string[];
        fit_results: number;
        fit_failures: number;
        evaluate_failures: number;
        num_examples: Record<string, number>;
      };
      expect(summary, `server printed: ${JSON.stringify(lines)}`).toBeDefined();
      console.log(`flower server (flwr ${flwrVersion}) aggregated accuracy per round: ${summary.accuracy.map(([r, a]) => `${r}: ${(a * 100).toFixed(1)}%`).join(', ')}; loss ${summary.loss.map(([r, l]) => `${r}: ${l.toFixed(3)}`).join(', ')}`);
      expect(summary.loss.map(([r]) => r)).toEqual([1, 2, 3]);
      expect(summary.accuracy.map(([r]) => r)).toEqual([1, 2, 3]);
      expect(summary.clients).toHaveLength(2);
      expect(summary.fit_results).toBe(6);
      expect(summary.fit_failures).toBe(0);
      expect(summary.evaluate_failures).toBe(0);
      expect(Object.values(summary.num_examples)).toEqual([2000, 2000]);
      const acc = summary.accuracy.map(([, a]) => a);
      const loss = summary.loss.map(([, l]) => l);
      expect(acc[0]).toBeGreaterThan(0.5); // chance is 0.1
      expect(acc[2]).toBeGreaterThan(acc[0]!);
      expect(acc[2]).toBeGreaterThan(0.8);
      expect(loss[2]).toBeLessThan(loss[0]!);
    } finally {
      clearTimeout(guard);
    }
    for (const s of summaries) {
      expect(s.rounds).toBe(3);
      expect(s.evaluations).toBe(3);
      expect(s.rejected).toBe(0);
      expect(s.joins).toBe(1);
      expect(s.serverRounds).toEqual([1, 2, 3]);
    }
    // FedAvg without initial parameters asks one client for them.
    expect(summaries[0]!.parameterRequests + summaries[1]!.parameterRequests).toBe(1);
    expect(logs).toEqual([]);
  }, 160_000);

  it('joins over TLS with the server CA as root certificate; a client trusting another CA is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dendrite-flower-tls-'));
    dirs.push(dir);
    for (const sub of ['good', 'other']) {
      mkdirSync(path.join(dir, sub));
      const r = spawnSync('python3', [path.join(fixtures, 'flower_certs.py'), path.join(dir, sub)], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
    }
    const port = await freePort();
    const server = runPython('flower_server.py', [String(port), '1', path.join(dir, 'good')], 60_000);
    const data = await loadMnist(undefined, { trainLimit: 400, testLimit: 200 });
    const makeClient = (i: number): FlowerClient => {
      const model = sequential([layers.dense({ units: 10, activation: 'softmax', inputShape: [784] })]);
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const x = new Tensor(data.train.images.data.slice(i * 200 * 784, (i + 1) * 200 * 784), [200, 784]);
      return flowerModelClient(model, { x, y: data.train.labels.slice(i * 200, (i + 1) * 200) });
    };
    const stranger = startFlowerClient({
      serverAddress: `127.0.0.1:${port}`,
      client: makeClient(0),
      rootCertificates: readFileSync(path.join(dir, 'other', 'ca.pem')),
      connectTimeoutMs: 3_000,
      log: () => {},
    });
    await expect(stranger).rejects.toThrow(/could not connect to a Flower server at 127\.0\.0\.1:\d+ within 3000 ms/);
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), 50_000);
    try {
      const ca = readFileSync(path.join(dir, 'good', 'ca.pem'));
      const clients = [0, 1].map((i) =>
        startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client: makeClient(i), rootCertificates: ca, signal: abort.signal, connectTimeoutMs: 30_000, log: () => {} }),
      );
      const [lines, ...summaries] = await Promise.all([server.done, ...clients]);
      const done = (lines as Array<Record<string, unknown>>).find((l) => l.event === 'done') as { tls: boolean; clients: string[]; fit_results: number; accuracy: Array<[number, number]> };
      expect(done).toMatchObject({ tls: true, fit_results: 2 });
      expect(done.clients).toHaveLength(2);
      expect(done.accuracy).toHaveLength(1);
      for (const s of summaries as FlowerClientSummary[]) expect(s).toMatchObject({ rounds: 1, evaluations: 1, rejected: 0 });
    } finally {
      clearTimeout(guard);
    }
  }, 70_000);

  it('malformed server messages get an error status and the client keeps serving', async () => {
    const port = await freePort();
    const server = runPython('flower_hostile_server.py', [String(port)], 60_000);
    const shapes = [[3, 2], [2]];
    const seen: string[] = [];
    const client: FlowerClient = {
      parameterShapes: shapes,
      getParameters: () => shapes.map((s) => ({ data: new Float32Array(s.reduce((a, b) => a * b, 1)).fill(0.5), shape: s })),
      getProperties: (config) => ({ asked: String(config.q), samples: 7, local: true }),
      fit: (params: NdArray[], config) => {
        if (config.explode === true) throw new Error('the local dataset is unavailable');
        seen.push(`fit ${params.map((p) => p.shape.join('x')).join(',')} ${JSON.stringify(Object.fromEntries(Object.entries(config).sort()))}`);
        return { parameters: params.map((p) => ({ data: p.data.map((v) => v + 1), shape: p.shape })), numExamples: 7, metrics: { note: 'ok', n: 2.5 } };
      },
      evaluate: (params: NdArray[]) => {
        seen.push(`evaluate ${params[0]!.data[0]}`);
        return { loss: 0.25, numExamples: 5, metrics: { accuracy: 0.75 } };
      },
    };
    const logs: string[] = [];
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), 50_000);
    try {
      const [lines, summary] = await Promise.all([
        server.done,
        startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client, signal: abort.signal, connectTimeoutMs: 30_000, log: (l) => logs.push(l) }),
      ]);
      const replies = (lines.find((l) => l.event === 'done') as { replies: Array<Record<string, unknown>> }).replies;
      const byCase = Object.fromEntries(replies.map((r) => [r.case as string, r]));
      expect(byCase.get_parameters).toMatchObject({ kind: 'get_parameters_res', code: 'OK', shapes: [[3, 2], [2]], values: [0.5, 0.5] });
      expect(byCase.get_properties).toMatchObject({ kind: 'get_properties_res', code: 'OK', properties: { asked: 'dataset', samples: 7, local: true } });
      expect(byCase.empty_message).toMatchObject({ kind: 'get_properties_res', code: 'GET_PROPERTIES_NOT_IMPLEMENTED' });
      expect(String(byCase.empty_message!.message)).toMatch(/unknown server message 'undefined'/);
      for (const bad of ['wrong_count', 'wrong_shape', 'nan', 'inf', 'pickle', 'float16', 'fortran', 'truncated', 'tensor_type', 'huge_shape', 'bad_magic']) {
        expect(byCase[bad], bad).toMatchObject({ kind: 'fit_res', code: 'FIT_NOT_IMPLEMENTED' });
      }
      expect(String(byCase.nan!.message)).toMatch(/non-finite/);
      expect(String(byCase.pickle!.message)).toMatch(/dtype '\|O' is not supported/);
      expect(String(byCase.wrong_count!.message)).toMatch(/3 tensors, the model has 2/);
      expect(byCase.good_fit).toMatchObject({ kind: 'fit_res', code: 'OK', num_examples: 7, shapes: [[3, 2], [2]], values: [2, 3], metrics: { note: 'ok', n: 2.5 } });
      expect(byCase.float64_fit).toMatchObject({ kind: 'fit_res', code: 'OK', values: [1.5, 1.5] });
      expect(byCase.client_throws).toMatchObject({ kind: 'fit_res', code: 'FIT_NOT_IMPLEMENTED', message: 'the local dataset is unavailable' });
      expect(byCase.evaluate).toMatchObject({ kind: 'evaluate_res', code: 'OK', loss: 0.25, num_examples: 5, metrics: { accuracy: 0.75 } });
      expect(byCase.bad_evaluate).toMatchObject({ kind: 'evaluate_res', code: 'EVALUATE_NOT_IMPLEMENTED' });
      expect(byCase.reconnect).toMatchObject({ kind: 'disconnect_res', reason: 'ACK' });
      expect(seen).toEqual([
        'fit 3x2,2 {"flag":true,"lr":0.5,"name":"x","server_round":1}',
        'fit 3x2,2 {}',
        'evaluate 1',
      ]);
      expect(summary).toMatchObject({ rounds: 2, evaluations: 1, parameterRequests: 1, rejected: 14, joins: 1, serverRounds: [1] });
      expect(logs).toHaveLength(14);
      expect(logs.join('\n')).toMatch(/fit rejected: dendrite\.flower\.fit: the server sent tensor 0 \[3, 2\] with a non-finite value \(NaN\) at index 3/);
    } finally {
      clearTimeout(guard);
    }
  }, 70_000);
});

describeFlower('Flower reconnect', () => {
  it('a ReconnectIns with a delay makes the client leave, wait and join again; one without ends the session', async () => {
    const port = await freePort();
    const server = runPython('flower_hostile_server.py', [String(port), 'reconnect'], 60_000);
    const client: FlowerClient = {
      parameterShapes: [[2]],
      getParameters: () => [{ data: new Float32Array([4, 5]), shape: [2] }],
      fit: () => {
        throw new Error('not used');
      },
      evaluate: () => ({ loss: 1.5, numExamples: 3 }),
    };
    const logs: string[] = [];
    const t0 = Date.now();
    const [lines, summary] = await Promise.all([
      server.done,
      startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client, connectTimeoutMs: 30_000, log: (l) => logs.push(l) }),
    ]);
    const replies = (lines.find((l) => l.event === 'done') as { replies: Array<Record<string, unknown>> }).replies;
    expect(replies.map((r) => [r.case, r.kind, r.code ?? r.reason])).toEqual([
      ['get_parameters', 'get_parameters_res', 'OK'],
      ['reconnect_later', 'disconnect_res', 'RECONNECT'],
      ['evaluate', 'evaluate_res', 'EVALUATE_NOT_IMPLEMENTED'], // the server sent 2 tensors of [3, 2]; the model has one [2]
      ['reconnect', 'disconnect_res', 'ACK'],
    ]);
    expect(String(replies[2]!.message)).toMatch(/2 tensors, the model has 1/);
    expect(summary).toMatchObject({ joins: 2, parameterRequests: 1, evaluations: 0, rejected: 1 });
    expect(logs).toContain('flower client: the server asked to reconnect in 1 s');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  }, 70_000);
});

describeFlower('Flower server failure', () => {
  it('a server that dies mid-session makes the client reject with the stream error, not hang', async () => {
    const port = await freePort();
    const child = spawn('python3', [path.join(fixtures, 'flower_hostile_server.py'), String(port), 'stall'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let joined = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      // Killed the moment it reports the client's join: a server crash in the middle of a session.
      if (!joined && d.includes('"joined"')) {
        joined = true;
        child.kill('SIGKILL');
      }
    });
    const client: FlowerClient = {
      getParameters: () => [{ data: new Float32Array([1, 2]), shape: [2] }],
      fit: (p) => ({ parameters: p, numExamples: 1 }),
      evaluate: () => ({ loss: 0, numExamples: 1 }),
    };
    const t0 = Date.now();
    await expect(startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client, connectTimeoutMs: 30_000, log: () => {} })).rejects.toThrow(
      /the Flower stream failed: (UNAVAILABLE|CANCELLED|INTERNAL)/,
    );
    expect(joined).toBe(true);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 40_000);
});

describe('startFlowerClient without a server', () => {
  it('rejects with a clear error when nothing listens, within the connect timeout', async () => {
    const port = await freePort();
    const client: FlowerClient = { getParameters: () => [], fit: () => ({ parameters: [], numExamples: 0 }), evaluate: () => ({ loss: 0, numExamples: 0 }) };
    const t0 = Date.now();
    await expect(startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client, connectTimeoutMs: 500 })).rejects.toThrow(/could not connect to a Flower server at 127\.0\.0\.1:\d+ within 500 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('an abort while waiting for the server rejects at once with an AbortError', async () => {
    const port = await freePort();
    const client: FlowerClient = { getParameters: () => [], fit: () => ({ parameters: [], numExamples: 0 }), evaluate: () => ({ loss: 0, numExamples: 0 }) };
    const abort = new AbortController();
    const t0 = Date.now();
    const run = startFlowerClient({ serverAddress: `127.0.0.1:${port}`, client, connectTimeoutMs: 30_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('rejects bad options', async () => {
    const client: FlowerClient = { getParameters: () => [], fit: () => ({ parameters: [], numExamples: 0 }), evaluate: () => ({ loss: 0, numExamples: 0 }) };
    await expect(startFlowerClient({ serverAddress: 'nowhere', client })).rejects.toThrow(/host:port/);
    await expect(startFlowerClient({ serverAddress: '127.0.0.1:1', client: {} as FlowerClient })).rejects.toThrow(/getParameters, fit and evaluate/);
    await expect(startFlowerClient({ serverAddress: '127.0.0.1:1', client, maxMessageLength: -1 })).rejects.toThrow(/maxMessageLength/);
  });
});
