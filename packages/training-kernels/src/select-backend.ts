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
 * depends on it. Threaded wasm does not start in Node (its worker is a Blob URL), so the
 * multithreading flag is switched off before the wasm backend initialises, which selects the
 * SIMD single-threaded build.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { registerTrainingKernels } from './register.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface SelectBackendOptions {
  /** Try this backend first. */
  prefer?: BackendName;
  /** Print the choice with console.info. Default true. */
  log?: boolean;
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

async function tryBackend(name: BackendName, loaders: BackendLoaders): Promise<BackendAttempt> {
  try {
    await loaders[name]();
  } catch (e) {
    return { backend: name, ok: false, reason: `cannot import it (${message(e)})` };
  }
  if (name === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (name === 'wasm' || name === 'cpu') registerTrainingKernels({ backends: [name] });
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    if (ok) await tf.ready();
  } catch (e) {
    return { backend: name, ok: false, reason: `failed to initialise (${message(e)})` };
  }
  if (!ok || tf.getBackend() !== name) return { backend: name, ok: false, reason: 'failed to initialise' };
  if (name === 'tensorflow') return { backend: name, ok: true, reason: 'tfjs-node (native TensorFlow) is installed' };
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { backend: name, ok: true, reason: `wasm ${simd ? 'SIMD' : 'without SIMD'}, single-threaded, with lowbit training kernels` };
  }
  return { backend: name, ok: true, reason: 'cpu (pure JS) with lowbit training kernels' };
}

/** Makes the fastest available backend current (awaits setBackend + ready) and says which and why. */
export async function selectBackend(options: SelectBackendOptions = {}, loaders: BackendLoaders = defaultLoaders): Promise<BackendChoice> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new LowbitConfigError('selectBackend(options)', options, "expected an object like { prefer: 'wasm' }");
  }
  for (const k of Object.keys(options)) {
    if (k !== 'prefer' && k !== 'log') throw new LowbitConfigError(`selectBackend(options).${k}`, (options as Record<string, unknown>)[k], 'unknown option; known options: prefer, log');
  }
  const { prefer, log = true } = options;
  if (prefer !== undefined && !BACKEND_ORDER.includes(prefer)) {
    throw new LowbitConfigError('prefer', prefer, `expected one of ${BACKEND_ORDER.map((b) => `'${b}'`).join(', ')}`);
  }
  if (typeof log !== 'boolean') throw new LowbitConfigError('log', log, 'expected true or false');
  const order = prefer ? [prefer, ...BACKEND_ORDER.filter((b) => b !== prefer)] : [...BACKEND_ORDER];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name, loaders);
    attempts.push(attempt);
    if (attempt.ok) {
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
      const reason = skipped.length ? `${attempt.reason}; skipped ${skipped.join('; ')}` : attempt.reason;
      if (log) console.info(`lowbit: backend ${name} (${reason})`);
      return { backend: name, reason, attempts };
    }
  }
  throw new Error(`selectBackend: no tfjs backend could be started: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}
