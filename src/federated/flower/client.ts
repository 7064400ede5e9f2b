/**
 * A Flower client in Node: joins a Flower (flwr 1.12) server over gRPC through the
 * bidirectional `flwr.proto.FlowerService/Join` stream that `flwr.server.start_server` serves,
 * and answers its GetParametersIns, FitIns, EvaluateIns and ReconnectIns with the replies a
 * Python `NumPyClient` would send. Tensors travel as .npy bytes (see npy.ts); configs and metrics
 * as Flower Scalars. Every incoming message is checked before the client sees it (tensor type,
 * count, shapes, finite values, well-formed config); a bad one is answered with a non-OK Status,
 * which the server counts as that client's failure for the round, and the client keeps serving.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ArgumentError, ShapeError, ValueError, describe, fmtShape } from '../../errors.js';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';

/** The flwr release whose transport.proto ships beside this file. */
export const FLOWER_PROTOCOL_VERSION = '1.12.0';

/** A Flower Scalar: double, sint64/uint64 (as a number), bool, string or bytes. */
export type FlowerScalar = number | string | boolean | Uint8Array;
/** A Flower Config or Metrics map. */
export type FlowerConfig = Record<string, FlowerScalar>;

/** One tensor of a model: values in C order and the shape (Flower's NDArray). */
export type NdArray = NpyArray;

export interface FitResult {
  /** The locally updated parameters, same count and shapes as received. */
  parameters: NdArray[];
  /** Examples trained on (FedAvg's weight for this client). */
  numExamples: number;
  metrics?: FlowerConfig;
}

export interface EvaluateResult {
  loss: number;
  numExamples: number;
  metrics?: FlowerConfig;
}

/** What a Node Flower client implements (the shape of Flower's NumPyClient). */
export interface FlowerClient {
  /**
   * The shapes of the model's tensors, in order. When given, every tensor list the server sends
   * is checked against them before fit/evaluate run, and the client's own replies too.
   */
  readonly parameterShapes?: readonly (readonly number[])[];
  /** Answers the server's GetPropertiesIns; without it, they get GET_PROPERTIES_NOT_IMPLEMENTED (as Flower's Client). */
  getProperties?(config: FlowerConfig): FlowerConfig | Promise<FlowerConfig>;
  getParameters(config: FlowerConfig): NdArray[] | Promise<NdArray[]>;
  fit(parameters: NdArray[], config: FlowerConfig): FitResult | Promise<FitResult>;
  evaluate(parameters: NdArray[], config: FlowerConfig): EvaluateResult | Promise<EvaluateResult>;
}

export interface StartFlowerClientOptions {
  /** host:port of the Flower server, e.g. '127.0.0.1:8080'. */
  serverAddress: string;
  client: FlowerClient;
  /** Plain-text gRPC (default true unless rootCertificates is given). */
  insecure?: boolean;
  /** PEM root certificates for TLS (the server's CA); implies insecure false. */
  rootCertificates?: Uint8Array | string;
  /** Largest gRPC message either way, bytes (default 536,870,912 as Flower's). */
  maxMessageLength?: number;
  /** How long to wait for the server to accept the connection, ms (default 30,000). */
  connectTimeoutMs?: number;
  /** Honour ReconnectIns with seconds > 0 by rejoining after that delay (default true). */
  reconnect?: boolean;
  /** Most joins in one run (default 10), so a server that keeps sending reconnects cannot loop forever. */
  maxJoins?: number;
  /** Cancels the stream; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** Where rejections and reconnects are reported (default: standard error). */
  log?: (line: string) => void;
}

export interface FlowerClientSummary {
  /** FitIns answered with updated parameters (one per training round the client took part in). */
  rounds: number;
  /** EvaluateIns answered with a loss. */
  evaluations: number;
  /** GetParametersIns answered. */
  parameterRequests: number;
  /** Messages answered with an error status (malformed or unsupported content, or the client threw). */
  rejected: number;
  /** Joins of the FlowerService stream (more than 1 after a ReconnectIns with a delay). */
  joins: number;
  /** The 'server_round' values seen in fit configs, when the server sends them. */
  serverRounds: number[];
}

// Status codes of flwr.proto.Code; the protocol has no generic error code, so a rejected request
// is answered with the "not implemented" code of its kind and the reason in Status.message.
const STATUS_OK = 'OK';
const STATUS_FAILED = {
  get_parameters_res: 'GET_PARAMETERS_NOT_IMPLEMENTED',
  fit_res: 'FIT_NOT_IMPLEMENTED',
  evaluate_res: 'EVALUATE_NOT_IMPLEMENTED',
  get_properties_res: 'GET_PROPERTIES_NOT_IMPLEMENTED',
} as const;
const TENSOR_TYPE = 'numpy.ndarray';
const DEFAULT_MAX_MESSAGE = 536_870_912;

// ---- wire shapes (as @grpc/proto-loader decodes them with the options below) -------------------

interface WireParameters {
  tensors?: Uint8Array[];
  tensor_type?: string;
}
interface WireScalar {
  scalar?: string;
  double?: number;
  sint64?: number;
  uint64?: number;
  bool?: boolean;
  string?: string;
  bytes?: Uint8Array;
}
type WireConfig = Record<string, WireScalar>;
interface WireServerMessage {
  msg?: string;
  reconnect_ins?: { seconds?: number };
  get_properties_ins?: { config?: WireConfig };
  get_parameters_ins?: { config?: WireConfig };
  fit_ins?: { parameters?: WireParameters; config?: WireConfig };
  evaluate_ins?: { parameters?: WireParameters; config?: WireConfig };
}
interface WireStatus {
  code: string;
  message: string;
}
type WireClientMessage =
  | { disconnect_res: { reason: string } }
  | { get_properties_res: { status: WireStatus; properties: WireConfig } }
  | { get_parameters_res: { status: WireStatus; parameters: WireParameters } }
  | { fit_res: { status: WireStatus; parameters: WireParameters; num_examples: number; metrics: WireConfig } }
  | { evaluate_res: { status: WireStatus; loss: number; num_examples: number; metrics: WireConfig } };

type JoinCall = grpc.ClientDuplexStream<WireClientMessage, WireServerMessage>;
interface FlowerServiceClient extends grpc.Client {
  Join(options?: grpc.CallOptions): JoinCall;
}

// ---- proto loading ------------------------------------------------------------------------------

/**
 * The folder holding flwr/proto/transport.proto: beside this module when it runs from src/,
 * under the package root's src/federated/flower/proto when it runs from dist/.
 */
export function flowerProtoDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const rel = path.join('flwr', 'proto', 'transport.proto');
  const beside = path.join(here, 'proto');
  if (existsSync(path.join(beside, rel))) return beside;
  let dir = here;
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        const candidate = path.join(dir, 'src', 'federated', 'flower', 'proto');
        if (name === 'dendrite' && existsSync(path.join(candidate, rel))) return candidate;
      } catch {
        // not our package.json; keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ValueError(`dendrite.startFlowerClient: cannot find ${rel} beside ${here} or in the package's src/federated/flower/proto`);
}

let serviceCtor: grpc.ServiceClientConstructor | null = null;

function flowerService(): grpc.ServiceClientConstructor {
  if (serviceCtor !== null) return serviceCtor;
  const dir = flowerProtoDir();
  const def = protoLoader.loadSync(path.join('flwr', 'proto', 'transport.proto'), {
    includeDirs: [dir],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { flwr: { proto: { FlowerService: grpc.ServiceClientConstructor } } };
  serviceCtor = pkg.flwr.proto.FlowerService;
  return serviceCtor;
}

// ---- conversions and checks ---------------------------------------------------------------------

/** A Config from the wire; a Scalar without a value is a ValueError. */
function configFromWire(who: string, cfg: WireConfig | undefined): FlowerConfig {
  const out: FlowerConfig = {};
  if (cfg === undefined || cfg === null) return out;
  for (const [key, s] of Object.entries(cfg)) {
    const kind = s?.scalar;
    let v: FlowerScalar | undefined;
    if (kind === 'double') v = s.double;
    else if (kind === 'sint64') v = s.sint64;
    else if (kind === 'uint64') v = s.uint64;
    else if (kind === 'bool') v = s.bool;
    else if (kind === 'string') v = s.string;
    else if (kind === 'bytes') v = s.bytes === undefined ? undefined : new Uint8Array(s.bytes);
    if (v === undefined) throw new ValueError(`dendrite.${who}: config entry '${key}' has no value`);
    out[key] = v;
  }
  return out;
}

function scalarToWire(who: string, key: string, v: FlowerScalar): WireScalar {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new ValueError(`dendrite.${who}: metric '${key}' is NaN`);
    return { double: v };
  }
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'string') return { string: v };
  if (v instanceof Uint8Array) return { bytes: v };
  throw new ArgumentError(`dendrite.${who}: metric '${key}' must be a number, string, boolean or Uint8Array, got ${describe(v)}`);
}

function configToWire(who: string, cfg: FlowerConfig | undefined): WireConfig {
  const out: WireConfig = {};
  if (cfg === undefined) return out;
  if (cfg === null || typeof cfg !== 'object') throw new ArgumentError(`dendrite.${who}: metrics must be an object, got ${describe(cfg)}`);
  for (const [k, v] of Object.entries(cfg)) out[k] = scalarToWire(who, k, v);
  return out;
}

function checkTensors(who: string, arrays: readonly NdArray[], shapes: readonly (readonly number[])[] | undefined, source: string): void {
  if (shapes !== undefined && arrays.length !== shapes.length) {
    throw new ShapeError(`dendrite.${who}: ${source} ${arrays.length} tensors, the model has ${shapes.length}`);
  }
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i]!;
    if (a === null || typeof a !== 'object' || !(a.data instanceof Float32Array) || !Array.isArray(a.shape)) {
      throw new ArgumentError(`dendrite.${who}: tensor ${i} must be { data: Float32Array, shape: number[] }, got ${describe(a)}`);
    }
    const want = shapes?.[i];
    if (want !== undefined && (want.length !== a.shape.length || want.some((d, j) => d !== a.shape[j]))) {
      throw new ShapeError(`dendrite.${who}: ${source} tensor ${i} of shape ${fmtShape(a.shape)}, the model expects ${fmtShape(want)}`);
    }
    const d = a.data;
    for (let j = 0; j < d.length; j++) {
      if (!Number.isFinite(d[j]!)) throw new ValueError(`dendrite.${who}: ${source} tensor ${i} ${fmtShape(a.shape)} with a non-finite value (${d[j]}) at index ${j}`);
    }
  }
}

function parametersFromWire(who: string, p: WireParameters | undefined, shapes: readonly (readonly number[])[] | undefined): NdArray[] {
  if (p === undefined || p === null) throw new ValueError(`dendrite.${who}: the message carries no parameters`);
  const type = p.tensor_type ?? '';
  if (type !== TENSOR_TYPE) throw new ValueError(`dendrite.${who}: tensor_type '${type}' is not supported (only '${TENSOR_TYPE}')`);
  const tensors = p.tensors ?? [];
  if (shapes !== undefined && tensors.length !== shapes.length) {
    throw new ShapeError(`dendrite.${who}: the server sent ${tensors.length} tensors, the model has ${shapes.length}`);
  }
  const arrays = tensors.map((bytes, i) => {
    try {
      return decodeNpy(bytes);
    } catch (e) {
      throw new ValueError(`dendrite.${who}: tensor ${i}: ${(e as Error).message}`);
    }
  });
  checkTensors(who, arrays, shapes, 'the server sent');
  return arrays;
}

function parametersToWire(who: string, arrays: readonly NdArray[], shapes: readonly (readonly number[])[] | undefined): WireParameters {
  if (!Array.isArray(arrays)) throw new ArgumentError(`dendrite.${who}: the client must return an array of tensors, got ${describe(arrays)}`);
  checkTensors(who, arrays, shapes, 'the client returned');
  return { tensors: arrays.map((a) => encodeNpy(a.data, a.shape)), tensor_type: TENSOR_TYPE };
}

function count(who: string, what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ArgumentError(`dendrite.${who}: ${what} must be a non-negative integer, got ${describe(n)}`);
  }
  return n;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- the loop -----------------------------------------------------------------------------------

class AbortError extends Error {
  override name = 'AbortError';
}

/** The reply to one server message other than a ReconnectIns (which join() answers itself). */
async function answer(msg: WireServerMessage, client: FlowerClient, summary: FlowerClientSummary, log: (l: string) => void): Promise<WireClientMessage> {
  const shapes = client.parameterShapes;
  const kind = msg.msg;
  if (kind === 'get_parameters_ins') {
    try {
      const config = configFromWire('flower.getParameters', msg.get_parameters_ins?.config);
      const params = parametersToWire('flower.getParameters', await client.getParameters(config), shapes);
      summary.parameterRequests++;
      return { get_parameters_res: { status: { code: STATUS_OK, message: 'Success' }, parameters: params } };
    } catch (e) {
      summary.rejected++;
      log(`flower client: get_parameters failed: ${errorMessage(e)}`);
      return { get_parameters_res: { status: { code: STATUS_FAILED.get_parameters_res, message: errorMessage(e) }, parameters: { tensors: [], tensor_type: '' } } };
    }
  }
  if (kind === 'fit_ins') {
    try {
      const ins = msg.fit_ins ?? {};
      const config = configFromWire('flower.fit', ins.config);
      const params = parametersFromWire('flower.fit', ins.parameters, shapes);
      const res = await client.fit(params, config);
      if (res === null || typeof res !== 'object') throw new ArgumentError(`dendrite.flower.fit: the client must return { parameters, numExamples, metrics }, got ${describe(res)}`);
      const reply = {
        status: { code: STATUS_OK, message: 'Success' },
        parameters: parametersToWire('flower.fit', res.parameters, shapes),
        num_examples: count('flower.fit', 'numExamples', res.numExamples),
        metrics: configToWire('flower.fit', res.metrics),
      };
      summary.rounds++;
      const round = config.server_round;
      if (typeof round === 'number') summary.serverRounds.push(round);
      return { fit_res: reply };
    } catch (e) {
      summary.rejected++;
      log(`flower client: fit rejected: ${errorMessage(e)}`);
      return { fit_res: { status: { code: STATUS_FAILED.fit_res, message: errorMessage(e) }, parameters: { tensors: [], tensor_type: '' }, num_examples: 0, metrics: {} } };
    }
  }
  if (kind === 'evaluate_ins') {
    try {
      const ins = msg.evaluate_ins ?? {};
      const config = configFromWire('flower.evaluate', ins.config);
      const params = parametersFromWire('flower.evaluate', ins.parameters, shapes);
      const res = await client.evaluate(params, config);
      if (res === null || typeof res !== 'object') throw new ArgumentError(`dendrite.flower.evaluate: the client must return { loss, numExamples, metrics }, got ${describe(res)}`);
      if (typeof res.loss !== 'number' || Number.isNaN(res.loss)) throw new ValueError(`dendrite.flower.evaluate: loss must be a number, got ${describe(res.loss)}`);
      const reply = {
        status: { code: STATUS_OK, message: 'Success' },
        loss: res.loss,
        num_examples: count('flower.evaluate', 'numExamples', res.numExamples),
        metrics: configToWire('flower.evaluate', res.metrics),
      };
      summary.evaluations++;
      return { evaluate_res: reply };
    } catch (e) {
      summary.rejected++;
      log(`flower client: evaluate rejected: ${errorMessage(e)}`);
      return { evaluate_res: { status: { code: STATUS_FAILED.evaluate_res, message: errorMessage(e) }, loss: 0, num_examples: 0, metrics: {} } };
    }
  }
  if (kind === 'get_properties_ins') {
    try {
      if (typeof client.getProperties !== 'function') throw new ArgumentError('dendrite.flower.getProperties: this client does not implement getProperties');
      const config = configFromWire('flower.getProperties', msg.get_properties_ins?.config);
      const properties = configToWire('flower.getProperties', await client.getProperties(config));
      return { get_properties_res: { status: { code: STATUS_OK, message: 'Success' }, properties } };
    } catch (e) {
      summary.rejected++;
      log(`flower client: get_properties failed: ${errorMessage(e)}`);
      return { get_properties_res: { status: { code: STATUS_FAILED.get_properties_res, message: errorMessage(e) }, properties: {} } };
    }
  }
  // An empty or unknown message (a newer server's field): there is no reply kind for it, so it is
  // answered as an unavailable property request, which the server treats as a failed call.
  summary.rejected++;
  log(`flower client: rejected a server message of unknown kind '${String(kind)}'`);
  return { get_properties_res: { status: { code: STATUS_FAILED.get_properties_res, message: `unknown server message '${String(kind)}'` }, properties: {} } };
}

interface JoinOutcome {
  /** Seconds to wait before joining again, or null to stop. */
  reconnectAfter: number | null;
}

function join(stub: FlowerServiceClient, client: FlowerClient, summary: FlowerClientSummary, opts: { log: (l: string) => void; signal?: AbortSignal }): Promise<JoinOutcome> {
  return new Promise<JoinOutcome>((resolve, reject) => {
    const call = stub.Join();
    let settled = false;
    let ended = false; // the server sent its final status
    let disconnecting: number | null | undefined; // set once a ReconnectIns was answered
    let chain = Promise.resolve();
    let closeTimer: NodeJS.Timeout | undefined;

    const finish = (err: Error | null, outcome?: JoinOutcome): void => {
      if (settled) return;
      settled = true;
      if (closeTimer !== undefined) clearTimeout(closeTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err !== null) {
        call.cancel();
        reject(err);
      } else resolve(outcome!);
    };
    const onAbort = (): void => finish(new AbortError('dendrite.startFlowerClient: aborted'));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    call.on('data', (msg: WireServerMessage) => {
      // Handled one at a time in arrival order: the server waits for each reply anyway.
      chain = chain.then(async () => {
        if (settled || disconnecting !== undefined) return;
        if (msg.msg === 'reconnect_ins') {
          const seconds = Number(msg.reconnect_ins?.seconds ?? 0);
          const later = Number.isFinite(seconds) && seconds > 0 ? seconds : null;
          disconnecting = later;
          call.write({ disconnect_res: { reason: later === null ? 'ACK' : 'RECONNECT' } });
          call.end();
          // The server closes the stream after our reply; don't wait on it forever.
          closeTimer = setTimeout(() => {
            call.cancel();
            finish(null, { reconnectAfter: later });
          }, 5_000);
          return;
        }
        const reply = await answer(msg, client, summary, opts.log);
        if (!settled && !ended) call.write(reply);
      }).catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    });
    call.on('error', (e: grpc.ServiceError) => {
      // After our DisconnectRes the server may cancel or drop the stream: that is the normal end.
      if (disconnecting !== undefined) finish(null, { reconnectAfter: disconnecting });
      else finish(new Error(`dendrite.startFlowerClient: the Flower stream failed: ${grpc.status[e.code] ?? e.code} ${e.details ?? e.message}`));
    });
    call.on('status', (s: grpc.StatusObject) => {
      ended = true;
      if (s.code === grpc.status.OK || disconnecting !== undefined) {
        void chain.then(() => finish(null, { reconnectAfter: disconnecting ?? null }));
      }
    });
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('dendrite.startFlowerClient: aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new AbortError('dendrite.startFlowerClient: aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function waitForReady(stub: grpc.Client, ms: number, address: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('dendrite.startFlowerClient: aborted'));
    const onAbort = (): void => reject(new AbortError('dendrite.startFlowerClient: aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    stub.waitForReady(Date.now() + ms, (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(new Error(`dendrite.startFlowerClient: could not connect to a Flower server at ${address} within ${ms} ms (${err.message})`));
      else resolve();
    });
  });
}

/**
 * Joins the Flower server at `serverAddress` and serves `client` until the server ends the
 * session. Resolves with a summary when the server disconnects the client normally (a
 * ReconnectIns without a delay, or the stream closed with status OK); rejects when the
 * connection cannot be made or fails, or on `signal`.
 *
 * ```ts
 * const summary = await startFlowerClient({ serverAddress: '127.0.0.1:8080', client: flowerModelClient(model, { x, y }) });
 * ```
 */
export async function startFlowerClient(options: StartFlowerClientOptions): Promise<FlowerClientSummary> {
  if (options === null || typeof options !== 'object') throw new ArgumentError(`dendrite.startFlowerClient: expected options, got ${describe(options)}`);
  const { serverAddress, client } = options;
  if (typeof serverAddress !== 'string' || !/^.+:\d+$/.test(serverAddress)) {
    throw new ArgumentError(`dendrite.startFlowerClient: serverAddress must be 'host:port', got ${describe(serverAddress)}`);
  }
  if (client === null || typeof client !== 'object' || typeof client.getParameters !== 'function' || typeof client.fit !== 'function' || typeof client.evaluate !== 'function') {
    throw new ArgumentError('dendrite.startFlowerClient: client must implement getParameters, fit and evaluate');
  }
  const maxMessage = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE;
  if (!Number.isSafeInteger(maxMessage) || maxMessage <= 0 || maxMessage > 2 ** 31 - 1) {
    throw new ArgumentError(`dendrite.startFlowerClient: maxMessageLength must be a positive 32-bit integer, got ${describe(maxMessage)}`);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const maxJoins = options.maxJoins ?? 10;
  const log = options.log ?? ((l: string) => void process.stderr.write(`${l}\n`));
  const insecure = options.rootCertificates === undefined ? options.insecure !== false : false;
  if (!insecure && options.insecure === true) throw new ArgumentError('dendrite.startFlowerClient: insecure and rootCertificates exclude each other');
  const credentials = insecure
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(options.rootCertificates === undefined ? null : Buffer.from(options.rootCertificates));

  const Service = flowerService();
  const summary: FlowerClientSummary = { rounds: 0, evaluations: 0, parameterRequests: 0, rejected: 0, joins: 0, serverRounds: [] };
  for (;;) {
    const stub = new Service(serverAddress, credentials, {
      'grpc.max_send_message_length': maxMessage,
      'grpc.max_receive_message_length': maxMessage,
    }) as unknown as FlowerServiceClient;
    let delaySeconds: number;
    try {
      await waitForReady(stub, connectTimeoutMs, serverAddress, options.signal);
      summary.joins++;
      const outcome = await join(stub, client, summary, { log, ...(options.signal ? { signal: options.signal } : {}) });
      if (outcome.reconnectAfter === null || options.reconnect === false) return summary;
      if (summary.joins >= maxJoins) {
        log(`flower client: the server asked to reconnect but ${maxJoins} joins were made; stopping`);
        return summary;
      }
      delaySeconds = outcome.reconnectAfter;
      log(`flower client: the server asked to reconnect in ${delaySeconds} s`);
    } finally {
      stub.close();
    }
    await sleep(delaySeconds * 1000, options.signal);
  }
}
