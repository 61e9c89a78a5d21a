/**
 * Lets the multithreaded build of `@tensorflow/tfjs-backend-wasm` start in Node.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
 * import { enableWasmThreadsInNode, withWasmThreadPool } from '@lowbit/training-kernels';
 * enableWasmThreadsInNode();                          // before the wasm backend initialises
 * tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true); // tfjs says false in Node
 * setThreadsCount(2);
 * await withWasmThreadPool(2, () => tf.setBackend('wasm')); // threaded SIMD build, 2 threads
 * // or all of it: await selectBackend({ threads: 2 })
 * ```
 *
 * Why it does not start by itself: tfjs 4.22 reports no thread support in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`), and when forced, the Emscripten
 * runtime creates each pthread with `new Worker(blobUrl)`: Node's `worker_threads.Worker` only
 * accepts file paths and file:/data: URLs, so it throws `ERR_WORKER_PATH`. The worker then
 * `importScripts` the module factory, which tfjs also hands over as a Blob, and Node's
 * worker-side `importScripts` reads files only.
 *
 * What this does, with web-standard globals only (no Node module is imported here, so the
 * package still bundles for the browser; the Node code runs inside the worker, as text):
 * - wraps `URL.createObjectURL` to remember the JavaScript Blobs it turns into URLs;
 * - puts an accessor on `globalThis.Worker`: the Emscripten runtime stores Node's `Worker` class
 *   there; reading it gives a subclass that, for one of those Blob URLs, starts the worker from
 *   a small bootstrap (`eval: true`) with the Blob as `workerData`. The bootstrap reads the
 *   Blob, runs the Emscripten worker script, and serves its `importScripts` of the factory Blob
 *   from memory. Messages that arrive meanwhile are queued and delivered in order.
 * Any other Worker construction goes to Node's class unchanged.
 */

import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';

/** The worker-side bootstrap, run by Node as a CommonJS script (`eval: true`). */
const BOOTSTRAP = `
'use strict';
const { workerData, parentPort } = require('worker_threads');
globalThis.require = require;
if (typeof globalThis.__filename === 'undefined') globalThis.__filename = __filename;
const MARK = 'lowbit-wasm-factory:';
const factories = new Map();
let deliver = null;
let chain = workerData.lowbitWorkerScript.text().then((source) => {
  const on = parentPort.on;
  parentPort.on = function (event, listener) {
    if (event === 'message' && deliver === null) { deliver = listener; return this; }
    return on.call(this, event, listener);
  };
  try { (0, eval)(source); } finally { parentPort.on = on; }
  const importScripts = globalThis.importScripts;
  globalThis.importScripts = (f) => {
    if (typeof f === 'string' && factories.has(f)) return (0, eval)(factories.get(f));
    return importScripts(f);
  };
});
// The factory tfjs hands over is its own bundle's copy: in the CommonJS bundle Node loads it
// refers to the bundle's module-scope names (require$$0 for fs, ...). The Emscripten file it was
// built from sits beside the bundle (wasm-out/), so that is what the worker runs when found.
function factoryFile() {
  const url = workerData.lowbitFactoryUrl;
  if (typeof url !== 'string') return undefined;
  try {
    const file = require('url').fileURLToPath(url);
    return require('fs').existsSync(file) ? file : undefined;
  } catch { return undefined; }
}
function shimBundleScope() {
  const g = globalThis;
  const names = { require$$0: 'fs', require$$1: 'path', require$$3: 'perf_hooks', require$$4: 'os' };
  for (const [name, mod] of Object.entries(names)) if (g[name] === undefined) g[name] = require(mod);
  if (g.commonjsGlobal === undefined) g.commonjsGlobal = g;
  if (g.__values === undefined) g.__values = (o) => o[Symbol.iterator]();
  if (g.__read === undefined) g.__read = (o, n) => (n === undefined ? [...o] : [...o].slice(0, n));
  if (g.__spreadArray === undefined) g.__spreadArray = (to, from) => to.concat(Array.from(from));
}
parentPort.on('message', (data) => {
  chain = chain.then(async () => {
    if (data && data.cmd === 'load' && data.urlOrBlob instanceof Blob) {
      const file = factoryFile();
      if (file !== undefined) data.urlOrBlob = file;
      else {
        shimBundleScope();
        const name = MARK + factories.size;
        factories.set(name, await data.urlOrBlob.text());
        data.urlOrBlob = name;
      }
    }
    deliver(data);
  }).catch((e) => { setTimeout(() => { throw e; }); });
});
`;

/** file: URL of the Emscripten factory beside the tfjs-backend-wasm bundle, when resolvable. */
function factoryUrl(): string | undefined {
  try {
    const main = import.meta.resolve('@tensorflow/tfjs-backend-wasm');
    return new URL('../wasm-out/tfjs-backend-wasm-threaded-simd.js', main).href;
  } catch {
    return undefined;
  }
}

type WorkerClass = new (url: string | URL, options?: Record<string, unknown>) => object;

interface InstalledState {
  blobs: Map<string, Blob>;
  nodeWorker: WorkerClass | undefined;
  patched: WorkerClass | undefined;
  started: number;
}

const STATE = Symbol.for('lowbit.training-kernels.wasmThreads');

type GlobalWithState = typeof globalThis & { [STATE]?: InstalledState; Worker?: unknown };

/** True in Node (tfjs's `IS_NODE` flag), false in a browser. */
export function isNodeRuntime(): boolean {
  return tf.env().getBool('IS_NODE');
}

/**
 * Installs the two wrappers (idempotent). Call before the wasm backend initialises; it does not
 * choose the build: set `WASM_HAS_MULTITHREAD_SUPPORT` and the thread count too, as
 * `selectBackend({ threads })` does. Returns false where there is nothing to do (not Node, or a
 * runtime with its own global `Worker`).
 */
export function enableWasmThreadsInNode(): boolean {
  const g = globalThis as GlobalWithState;
  if (g[STATE]) return true;
  if (!isNodeRuntime()) return false;
  const existing = Object.getOwnPropertyDescriptor(g, 'Worker');
  if (existing && !existing.configurable) return false;
  if (existing && 'value' in existing && existing.value !== undefined) return false;
  const state: InstalledState = { blobs: new Map(), nodeWorker: undefined, patched: undefined, started: 0 };
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob | MediaSource) => {
    const url = createObjectURL(obj);
    // tfjs makes its pthread worker script an 'application/javascript' Blob; at most a few are
    // pending at once (8 workers), so older entries are dropped beyond that
    if (obj instanceof Blob && obj.type === 'application/javascript') {
      state.blobs.set(url, obj);
      if (state.blobs.size > 4 * MAX_WASM_THREADS) state.blobs.delete(state.blobs.keys().next().value as string);
    }
    return url;
  };
  Object.defineProperty(g, 'Worker', {
    configurable: true,
    enumerable: false,
    get: () => state.patched,
    set: (nodeWorker: WorkerClass) => {
      if (nodeWorker === state.patched) return;
      state.nodeWorker = nodeWorker;
      state.patched = class extends nodeWorker {
        constructor(url: string | URL, options?: Record<string, unknown>) {
          const blob = typeof url === 'string' ? state.blobs.get(url) : undefined;
          if (blob === undefined) {
            super(url, options);
            return;
          }
          state.blobs.delete(url as string);
          const workerData = { lowbitWorkerScript: blob, lowbitFactoryUrl: factoryUrl() };
          super(BOOTSTRAP, { ...options, eval: true, workerData });
          state.started++;
          this.lowbitPthread = true;
        }

        // Emscripten refs a worker while it runs a pthread; XNNPACK's pool threads run for the
        // life of the process, so a ref'd worker would keep Node alive after the main script
        // ends. The pool only ever works while the main thread waits for it in a kernel, so our
        // workers stay unref'd: the process exits as it does with the single-threaded build.
        ref(): this {
          if (!this.lowbitPthread) (nodeWorker.prototype as { ref?: () => void }).ref?.call(this);
          return this;
        }

        private lowbitPthread = false;
      };
    },
  });
  g[STATE] = state;
  return true;
}

/** The most threads tfjs's wasm build runs (its pool of pre-started workers). */
export const MAX_WASM_THREADS = 8;

type Imports = Record<string, Record<string, unknown>>;

/**
 * Runs `start` (which initialises the wasm backend) with the Emscripten module told it has
 * `2 * threads` logical cores. tfjs 4.22 caps XNNPACK's thread pool at half the logical cores
 * (it assumes two hardware threads per core), so on a 2-core machine `setThreadsCount(2)` alone
 * gives 1 thread. The core count is an import of the wasm module
 * (`env.emscripten_num_logical_cores`); `WebAssembly.instantiate` is wrapped for the duration of
 * `start` only and changes that import of the tfjs module alone (recognised by its pthread
 * imports). Returns what `start` returns and the logical core count the runtime reported.
 */
export async function withWasmThreadPool<T>(
  threads: number | 'auto',
  start: () => Promise<T>,
): Promise<{ result: T; logicalCores?: number }> {
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new LowbitConfigError('threads', threads, `expected 'auto' or an integer 1..${MAX_WASM_THREADS}`);
  }
  if (typeof start !== 'function')
    throw new LowbitConfigError('start', start, 'expected a function that starts the backend');
  type Instantiate = (source: unknown, imports?: Imports) => Promise<unknown>;
  const wa = WebAssembly as unknown as Record<'instantiate' | 'instantiateStreaming', Instantiate | undefined>;
  const originals = { instantiate: wa.instantiate, instantiateStreaming: wa.instantiateStreaming };
  let logicalCores: number | undefined;
  const withCores = (imports?: Imports): Imports | undefined => {
    const env = imports?.env;
    const cores = env?.emscripten_num_logical_cores;
    if (!env || typeof cores !== 'function' || typeof env.__pthread_create_js !== 'function') return imports;
    logicalCores = Number((cores as () => number)());
    const wanted = threads === 'auto' ? logicalCores : threads;
    const reported = 2 * Math.min(MAX_WASM_THREADS, Math.max(1, Number.isFinite(wanted) ? wanted : 1));
    return { ...imports, env: { ...env, emscripten_num_logical_cores: () => reported } };
  };
  for (const key of ['instantiate', 'instantiateStreaming'] as const) {
    const original = originals[key];
    if (typeof original !== 'function') continue;
    wa[key] = function (this: unknown, source: unknown, imports?: Imports) {
      return original.call(this, source, withCores(imports));
    };
  }
  try {
    return { result: await start(), logicalCores };
  } finally {
    for (const key of ['instantiate', 'instantiateStreaming'] as const) if (originals[key]) wa[key] = originals[key];
  }
}

/** How many wasm pthread workers the wrapper has started in this process. */
export function wasmWorkersStarted(): number {
  return (globalThis as GlobalWithState)[STATE]?.started ?? 0;
}
