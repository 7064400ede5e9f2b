/**
 * Backend selection. The native backend is the default; when its binary is missing or cannot
 * load, dendrite warns once and runs on the reference backend, unless DENDRITE_BACKEND=native
 * asks for the native one explicitly, in which case the reason is thrown.
 */
import type { Backend } from './backend.js';
import { NativeBackend } from './native.js';
import { ReferenceBackend } from './reference/index.js';

export type BackendName = 'native' | 'reference';

let current: Backend | undefined;
let nativeInstance: NativeBackend | undefined;
let referenceInstance: ReferenceBackend | undefined;
let warned = false;

function reference(): ReferenceBackend {
  return (referenceInstance ??= new ReferenceBackend());
}

/** The native backend; throws an Error saying why and how to fix it when it cannot load. */
export function nativeBackend(): NativeBackend {
  return (nativeInstance ??= new NativeBackend());
}

/** Whether the native backend can be loaded (without warning). */
export function nativeAvailable(): boolean {
  try {
    nativeBackend();
    return true;
  } catch {
    return false;
  }
}

export function referenceBackend(): ReferenceBackend {
  return reference();
}

function initial(): Backend {
  const requested = process.env.DENDRITE_BACKEND;
  if (requested === 'reference') return reference();
  if (requested === 'native') return nativeBackend();
  if (requested !== undefined && requested !== '') {
    throw new RangeError(`dendrite: DENDRITE_BACKEND must be 'native' or 'reference', got '${requested}'`);
  }
  try {
    return nativeBackend();
  } catch (err) {
    if (!warned) {
      warned = true;
      process.emitWarning((err as Error).message, { code: 'DENDRITE_NO_NATIVE' });
    }
    return reference();
  }
}

/** The backend ops run on. */
export function getBackend(): Backend {
  return (current ??= initial());
}

/** Switches the backend for all later ops ('native' throws if its binary cannot load). */
export function setBackend(name: BackendName): void {
  if (name === 'native') current = nativeBackend();
  else if (name === 'reference') current = reference();
  else throw new RangeError(`dendrite.setBackend: expected 'native' or 'reference', got '${String(name)}'`);
}

/** Which backend runs, on which instruction-set path, with how many threads. */
export function backendInfo(): { backend: BackendName; isa: string; threads: number } {
  const b = getBackend();
  return { backend: b.name, isa: b.isa(), threads: b.threads() };
}

/** Sets the native thread pool's size (also DENDRITE_NUM_THREADS at start-up). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new RangeError(`dendrite.setNumThreads: n must be an integer in [1, 256], got ${n}`);
  }
  getBackend().setNumThreads(n);
}
