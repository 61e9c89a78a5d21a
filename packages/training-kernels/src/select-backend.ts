/**
 * Picks the fastest tfjs backend available for training in Node and makes it current.
 *
 * ```ts
 * import { selectBackend } from '@lowbit/training-kernels';
 * const choice = await selectBackend();            // logs e.g. "lowbit: backend wasm (SIMD, ...)"
 * console.log(choice.backend, choice.reason);
 * await selectBackend({ prefer: 'cpu', log: false });
 * ```
 *
 * Order: `tensorflow` (tfjs-node, native) when it can be imported; else `wasm` with SIMD and
 * our training kernels; else `cpu` with our kernels. `prefer` moves one backend to the front.
 * tfjs-node is only ever reached through a guarded dynamic import, so this package never
 * depends on it.
 *
 * wasm threads: `threads` (default: every logical core, at most 8) is the size of XNNPACK's
 * thread pool. Above 1, in Node, the threaded SIMD build is started with
 * `enableWasmThreadsInNode` (tfjs 4.22 does not start it there by itself) and its pool is not
 * capped at half the cores (`withWasmThreadPool`); the reason says how many threads run. If the
 * threaded build fails to start, the single-threaded SIMD build is tried next and the reason
 * says why. `threads: 1` selects the single-threaded build. The wasm backend initialises once
 * per process: the first selection's thread count stays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { registerTrainingKernels } from './register.js';
import { enableWasmThreadsInNode, isNodeRuntime, MAX_WASM_THREADS, withWasmThreadPool } from './wasm-threads.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface SelectBackendOptions {
  /** Try this backend first. */
  prefer?: BackendName;
  /** Print the choice with console.info. Default true. */
  log?: boolean;
  /**
   * wasm: XNNPACK threads, an integer 1..8, or `'auto'` (default) for every logical core (at
   * most 8). 1 selects the single-threaded SIMD build.
   */
  threads?: number | 'auto';
}

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason: string;
}

export interface BackendChoice {
  backend: BackendName;
  /** Why this one: what it is, and why the ones before it were skipped. */
  reason: string;
  /** Every backend tried, in order. */
  attempts: BackendAttempt[];
  /** Threads of the backend's thread pool (wasm: XNNPACK's; 1 for cpu; undefined for tensorflow). */
  threads?: number;
}

/** How each backend is loaded; replaceable in tests. Each resolves once the module is imported. */
export interface BackendLoaders {
  tensorflow: () => Promise<unknown>;
  wasm: () => Promise<unknown>;
  cpu: () => Promise<unknown>;
}

// A module name in a variable: TypeScript and bundlers do not try to resolve it, so the package
// has no static dependency on tfjs-node.
const TFJS_NODE = '@tensorflow/tfjs-node';

export const defaultLoaders: BackendLoaders = {
  tensorflow: () => import(/* @vite-ignore */ TFJS_NODE),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

function message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].slice(0, 160);
}

/** Whether the wasm backend is already initialised in this process (without initialising it). */
function wasmStarted(): boolean {
  const registry = (tf.engine() as unknown as { registry?: Record<string, unknown> }).registry;
  return registry?.wasm !== undefined;
}

interface WasmModule {
  setThreadsCount?: (threads: number) => void;
  getThreadsCount?: () => number;
}

async function initialise(name: BackendName): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    if (!ok || tf.getBackend() !== name) return 'failed to initialise';
    return null;
  } catch (e) {
    return `failed to initialise (${message(e)})`;
  }
}

/** The wasm backend: threaded build when asked for and it starts, else the single-threaded one. */
async function tryWasm(module: WasmModule, threads: number | 'auto'): Promise<BackendAttempt & { threads?: number }> {
  registerTrainingKernels({ backends: ['wasm'] });
  const node = isNodeRuntime();
  let threadedFailure = '';
  const started = wasmStarted();
  if (threads !== 1 && !started) {
    if (node) enableWasmThreadsInNode();
    if (node) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    try {
      module.setThreadsCount?.(threads === 'auto' ? -1 : threads);
    } catch {
      // an old tfjs-backend-wasm without it: its default pool size
    }
    const { result: failure, logicalCores } = await withWasmThreadPool(threads, () => initialise('wasm'));
    if (failure === null) return wasmAttempt(module, true, logicalCores);
    threadedFailure = `threaded build ${failure}; `;
    if (node) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else return { backend: 'wasm', ok: false, reason: failure };
  } else if (!started) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // threads: 1, the single-threaded build
  }
  const failure = await initialise('wasm');
  if (failure !== null) return { backend: 'wasm', ok: false, reason: `${threadedFailure}${failure}` };
  // already running (a second call): report the build it runs
  const threaded = started && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  const attempt = await wasmAttempt(module, threaded);
  return { ...attempt, reason: `${attempt.reason}${threadedFailure ? ` (${threadedFailure.slice(0, -2)})` : ''}` };
}

async function wasmAttempt(
  module: WasmModule,
  threaded: boolean,
  logicalCores?: number,
): Promise<BackendAttempt & { threads?: number }> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  let threads: number;
  try {
    threads = Math.max(1, module.getThreadsCount?.() ?? 1);
  } catch {
    threads = 1;
  }
  const cores = logicalCores ? ` of ${logicalCores} logical cores` : '';
  const build = threaded ? `multithreaded, ${threads} thread${threads > 1 ? 's' : ''}${cores}` : 'single-threaded';
  return {
    backend: 'wasm',
    ok: true,
    threads,
    reason: `wasm ${simd ? 'SIMD' : 'without SIMD'}, ${build}, with lowbit training kernels`,
  };
}

async function tryBackend(
  name: BackendName,
  loaders: BackendLoaders,
  threads: number | 'auto',
): Promise<BackendAttempt & { threads?: number }> {
  let module: unknown;
  try {
    module = await loaders[name]();
  } catch (e) {
    return { backend: name, ok: false, reason: `cannot import it (${message(e)})` };
  }
  if (name === 'wasm') return tryWasm((module ?? {}) as WasmModule, threads);
  if (name === 'cpu') registerTrainingKernels({ backends: [name] });
  const failure = await initialise(name);
  if (failure !== null) return { backend: name, ok: false, reason: failure };
  if (name === 'tensorflow') return { backend: name, ok: true, reason: 'tfjs-node (native TensorFlow) is installed' };
  return { backend: name, ok: true, threads: 1, reason: 'cpu (pure JS) with lowbit training kernels' };
}

function checkLoaders(loaders: unknown): asserts loaders is BackendLoaders {
  const proto = loaders !== null && typeof loaders === 'object' ? Object.getPrototypeOf(loaders) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new LowbitConfigError(
      'selectBackend(loaders)',
      loaders,
      'expected { tensorflow, wasm, cpu } import functions',
    );
  }
  for (const [k, v] of Object.entries(loaders as Record<string, unknown>)) {
    if (!BACKEND_ORDER.includes(k as BackendName))
      throw new LowbitConfigError(`selectBackend(loaders).${k}`, v, 'unknown key; known keys: tensorflow, wasm, cpu');
  }
  for (const name of BACKEND_ORDER) {
    const loader = (loaders as Record<string, unknown>)[name];
    if (typeof loader !== 'function')
      throw new LowbitConfigError(
        `selectBackend(loaders).${name}`,
        loader,
        'expected a function importing the backend',
      );
  }
}

/** Makes the fastest available backend current (awaits setBackend + ready) and says which and why. */
export async function selectBackend(
  options: SelectBackendOptions = {},
  loaders: BackendLoaders = defaultLoaders,
): Promise<BackendChoice> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new LowbitConfigError('selectBackend(options)', options, "expected an object like { prefer: 'wasm' }");
  }
  for (const k of Object.keys(options)) {
    if (k !== 'prefer' && k !== 'log' && k !== 'threads') {
      const value = (options as Record<string, unknown>)[k];
      throw new LowbitConfigError(
        `selectBackend(options).${k}`,
        value,
        'unknown option; known options: prefer, log, threads',
      );
    }
  }
  const { prefer, log = true, threads = 'auto' } = options;
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new LowbitConfigError('threads', threads, `expected 'auto' or an integer 1..${MAX_WASM_THREADS}`);
  }
  if (prefer !== undefined && !BACKEND_ORDER.includes(prefer)) {
    throw new LowbitConfigError('prefer', prefer, `expected one of ${BACKEND_ORDER.map((b) => `'${b}'`).join(', ')}`);
  }
  if (typeof log !== 'boolean') throw new LowbitConfigError('log', log, 'expected true or false');
  checkLoaders(loaders);
  const order = prefer ? [prefer, ...BACKEND_ORDER.filter((b) => b !== prefer)] : [...BACKEND_ORDER];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const { threads: used, ...attempt } = await tryBackend(name, loaders, threads);
    attempts.push(attempt);
    if (attempt.ok) {
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
      const reason = skipped.length ? `${attempt.reason}; skipped ${skipped.join('; ')}` : attempt.reason;
      if (log) console.info(`lowbit: backend ${name} (${reason})`);
      return used === undefined
        ? { backend: name, reason, attempts }
        : { backend: name, reason, attempts, threads: used };
    }
  }
  throw new Error(
    `selectBackend: no tfjs backend could be started: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`,
  );
}
