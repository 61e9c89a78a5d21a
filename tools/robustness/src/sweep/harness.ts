/**
 * The bad-input sweep's machinery: bad values, one guarded call, and the classification of what
 * came back.
 *
 * Every bad call ends in one of:
 * - `typed`: a LowbitConfigError / LowbitDataError whose message names an argument (or a source);
 * - `accepted`: returned normally with finite values (an optional argument that ignores garbage);
 * - `nan-propagated`: returned NaN/Inf after a NaN input, for an export whose docs say NaN propagates;
 * - `untyped`: anything else thrown (a TypeError, a tfjs error, a bare LowbitError): a finding;
 * - `silent-nan`: NaN/Inf in the result without a NaN input (or from an export that does not
 *   document propagation): a finding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, QuantizedTensor } from '@lowbit/quant-core';

export type Outcome = 'typed' | 'accepted' | 'nan-propagated' | 'untyped' | 'silent-nan';

/** A bad value, made fresh for each call (a callee may dispose a tensor it is given). */
export interface BadValue {
  label: string;
  make: () => unknown;
  /** The value carries NaN (NaN out may be documented propagation). */
  nan?: boolean;
}

export const BAD_SCALARS: BadValue[] = [
  { label: 'undefined', make: () => undefined },
  { label: 'null', make: () => null },
  { label: 'NaN', make: () => NaN, nan: true },
  { label: '-1', make: () => -1 },
  { label: '1e9', make: () => 1e9 },
  { label: "''", make: () => '' },
  { label: "'nope'", make: () => 'nope' },
  { label: '{}', make: () => ({}) },
  { label: '[]', make: () => [] },
  { label: '{ bogusKey: 1 }', make: () => ({ bogusKey: 1 }) },
];

export const BAD_TENSORS: BadValue[] = [
  { label: 'scalar tensor', make: () => tf.scalar(0.5) },
  { label: 'rank-5 tensor', make: () => tf.fill([1, 1, 1, 1, 2], 0.5) },
  { label: 'int32 tensor', make: () => tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32') },
  { label: 'empty tensor', make: () => tf.zeros([0, 2]) },
  { label: 'NaN tensor', make: () => tf.tensor2d([NaN, 0.5, -0.5, 1], [2, 2]), nan: true },
];

export const BAD_VALUES: BadValue[] = [...BAD_SCALARS, ...BAD_TENSORS];

/** True when `e` is a typed lowbit error naming what was wrong. */
export function isTypedError(e: unknown): boolean {
  if (e instanceof LowbitConfigError) {
    return typeof e.argument === 'string' && e.argument.length > 0 && e.message.includes(e.argument);
  }
  if (e instanceof LowbitDataError) return typeof e.source === 'string' && e.source.length > 0;
  return false;
}

/** Whether a value carries NaN (a number, a typed array, an array, a tensor). */
export function carriesNaN(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (depth > 3 || value === null || typeof value !== 'object') return false;
  if (value instanceof tf.Tensor) {
    if (value.isDisposed || value.dtype === 'string') return false;
    return Array.from(value.dataSync() as ArrayLike<number>).some((v) => Number.isNaN(v));
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>).some(Number.isNaN);
  if (Array.isArray(value)) return value.some((v) => carriesNaN(v, depth + 1));
  if (isPlain(value)) return Object.values(value).some((v) => carriesNaN(v, depth + 1));
  return false;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A non-finite number inside a result (numbers, typed arrays, arrays, plain objects, tensors,
 * QuantizedTensors); returns its path or null. Class instances other than those are not entered
 * (layers, models). `bigint`s are finite.
 */
export function findNonFinite(value: unknown, path = '$', depth = 0, seen = new Set<object>()): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} = ${value}`;
  if (value === null || typeof value !== 'object' || depth > 6 || seen.has(value)) return null;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    if (value.isDisposed || value.dtype === 'string' || value.dtype === 'bool') return null;
    const data = value.dataSync() as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `${path}[${i}] = ${data[i]}`;
    return null;
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView || value instanceof BigInt64Array || value instanceof BigUint64Array) return null;
    const data = value as unknown as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `${path}[${i}] = ${data[i]}`;
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNonFinite(value[i], `${path}[${i}]`, depth + 1, seen);
      if (hit) return hit;
    }
    return null;
  }
  if (isPlain(value) || value instanceof QuantizedTensor) {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNonFinite(v, `${path}.${k}`, depth + 1, seen);
      if (hit) return hit;
    }
  }
  return null;
}

/** Every tensor reachable in a value (to dispose what a call returned). */
export function tensorsIn(value: unknown, out: tf.Tensor[] = [], depth = 0): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || depth > 4) return out;
  if (value instanceof tf.Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out, depth + 1);
  else if (isPlain(value)) for (const v of Object.values(value)) tensorsIn(v, out, depth + 1);
  return out;
}

export interface CallResult {
  outcome: Outcome;
  detail: string;
}

/**
 * Classifies the end of one bad call. `nanIn`: the arguments carried NaN; `nanPropagates`: the
 * export documents that NaN in gives NaN out.
 */
export function classify(
  threw: boolean,
  error: unknown,
  result: unknown,
  nanIn: boolean,
  nanPropagates: boolean,
): CallResult {
  if (threw) {
    if (isTypedError(error)) return { outcome: 'typed', detail: (error as Error).message };
    const e = error as { name?: string; message?: string } | null;
    return { outcome: 'untyped', detail: `${e?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 300)}` };
  }
  const hit = findNonFinite(result);
  if (hit === null) return { outcome: 'accepted', detail: '' };
  if (nanIn && nanPropagates) return { outcome: 'nan-propagated', detail: hit };
  return { outcome: 'silent-nan', detail: hit };
}

const ASYNC_LIMIT_MS = 10_000;

/**
 * Runs `fn` (which makes its own arguments), awaiting a promise result, then classifies it and
 * disposes the tensors the result holds. The cpu backend is restored if the call switched it.
 */
export async function guardedCall(fn: () => unknown, nanIn: boolean, nanPropagates: boolean): Promise<CallResult> {
  let threw = false;
  let error: unknown;
  let result: unknown;
  try {
    result = fn();
    if (isThenable(result)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ASYNC_LIMIT_MS} ms`)), ASYNC_LIMIT_MS);
      });
      try {
        result = await Promise.race([result, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (e) {
    threw = true;
    error = e;
  }
  let out: CallResult;
  try {
    out = classify(threw, error, result, nanIn, nanPropagates);
  } catch (e) {
    out = { outcome: 'untyped', detail: `reading the result failed: ${String(e)}` };
  }
  for (const t of tensorsIn(result)) if (!t.isDisposed) t.dispose();
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  return out;
}

function isThenable(value: unknown): value is Promise<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** True for a class (something meant for `new`). */
export function isClass(value: unknown): value is new (...args: unknown[]) => unknown {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}
