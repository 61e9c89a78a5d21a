/**
 * Argument checks shared by every lowbit package. Each throws {@link LowbitConfigError}
 * naming the argument, the value given and what is allowed, and returns the checked value.
 * The checks themselves check their own arguments (a name that is not a non-empty string, bounds
 * that are not numbers, an `allowed` list that is not an array) and throw the same error type,
 * so a mistake in a caller never surfaces as a TypeError.
 *
 * ```ts
 * const bits = checkInteger('bits', config.bits, 1, 8);
 * const x = checkTensor('x', input, { dtype: 'float32', minRank: 1 });
 * ```
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { LowbitConfigError } from './errors.js';

/** The name a check reports: a non-empty string (a check called with anything else is a caller bug). */
function argumentName(argument: unknown): string {
  if (typeof argument !== 'string' || argument.length === 0) {
    throw new LowbitConfigError('argument', argument, 'expected the name of the checked argument (a non-empty string)');
  }
  return argument;
}

function bound(name: string, value: unknown, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new LowbitConfigError(name, value, `expected a number${optional ? ' or undefined' : ''}`);
  }
}

/** An integer in [min, max] (bit widths, channel counts, seeds). */
export function checkInteger(argument: string, value: unknown, min: number, max: number): number {
  argumentName(argument);
  bound('min', min, false);
  bound('max', max, false);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LowbitConfigError(argument, value, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** A finite number, optionally bounded (open or closed bounds). */
export function checkFinite(
  argument: string,
  value: unknown,
  opts: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean } = {},
): number {
  argumentName(argument);
  if (opts === null || typeof opts !== 'object') {
    throw new LowbitConfigError('opts', opts, 'expected { min?, max?, exclusiveMin?, exclusiveMax? }');
  }
  checkKnownKeys('opts', opts, ['min', 'max', 'exclusiveMin', 'exclusiveMax']);
  const { min, max, exclusiveMin = false, exclusiveMax = false } = opts;
  bound('opts.min', min, true);
  bound('opts.max', max, true);
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (min !== undefined && (exclusiveMin ? value <= min : value < min)) ||
    (max !== undefined && (exclusiveMax ? value >= max : value > max));
  if (bad) {
    const lo = min === undefined ? '' : `${exclusiveMin ? '>' : '>='} ${min}`;
    const hi = max === undefined ? '' : `${exclusiveMax ? '<' : '<='} ${max}`;
    const range = [lo, hi].filter(Boolean).join(' and ');
    throw new LowbitConfigError(argument, value, `expected a finite number${range ? ` ${range}` : ''}`);
  }
  return value as number;
}

/** A finite number > 0 (scales, step sizes, learning rates). */
export function checkPositive(argument: string, value: unknown): number {
  return checkFinite(argument, value, { min: 0, exclusiveMin: true });
}

/** One of a fixed set of values. */
export function checkOneOf<T>(argument: string, value: unknown, allowed: readonly T[]): T {
  argumentName(argument);
  if (!Array.isArray(allowed) || allowed.length === 0) {
    throw new LowbitConfigError('allowed', allowed, 'expected a non-empty array of the allowed values');
  }
  if (!allowed.includes(value as T)) {
    throw new LowbitConfigError(argument, value, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as T;
}

/** A boolean. */
export function checkBoolean(argument: string, value: unknown): boolean {
  argumentName(argument);
  if (typeof value !== 'boolean') throw new LowbitConfigError(argument, value, 'expected true or false');
  return value;
}

/** A [lo, hi] pair of finite numbers with lo < hi. */
export function checkRange(argument: string, value: unknown): [number, number] {
  argumentName(argument);
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !(value[0] < value[1])
  ) {
    throw new LowbitConfigError(argument, value, 'expected [lo, hi] with finite lo < hi');
  }
  return [value[0], value[1]];
}

/** True for a tf.Tensor of any tfjs copy (checked by shape, so a second bundled tfjs still passes). */
export function isTensorLike(value: unknown): value is Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dtype?: unknown }).dtype === 'string' &&
    typeof (value as { dataSync?: unknown }).dataSync === 'function'
  );
}

export interface TensorCheck {
  /** Allowed dtypes (default: any). */
  dtype?: Tensor['dtype'] | readonly Tensor['dtype'][];
  /** Exact rank, or the allowed ranks. */
  rank?: number | readonly number[];
  /** Smallest rank accepted. */
  minRank?: number;
  /** Reject tensors with no elements. */
  nonEmpty?: boolean;
}

/**
 * A live tf.Tensor, optionally of given dtypes, ranks and non-empty. The error names the
 * argument (`x`, `x.dtype`, `x.shape`) and what is allowed.
 */
export function checkTensor(argument: string, value: unknown, check: TensorCheck = {}): Tensor {
  argumentName(argument);
  if (!isTensorLike(value)) throw new LowbitConfigError(argument, value, 'expected a tf.Tensor');
  if ((value as { isDisposed?: boolean }).isDisposed === true) {
    throw new LowbitConfigError(argument, value, 'the tensor is disposed');
  }
  const { dtype, rank, minRank, nonEmpty = false } = check;
  if (dtype !== undefined) {
    const allowed = typeof dtype === 'string' ? [dtype] : dtype;
    if (!allowed.includes(value.dtype)) {
      throw new LowbitConfigError(`${argument}.dtype`, value.dtype, `expected a ${allowed.join(' or ')} tensor`);
    }
  }
  if (rank !== undefined) {
    const ranks = typeof rank === 'number' ? [rank] : rank;
    if (!ranks.includes(value.rank)) {
      throw new LowbitConfigError(
        `${argument}.shape`,
        value.shape,
        `expected rank ${ranks.join(' or ')}, got rank ${value.rank}`,
      );
    }
  }
  if (minRank !== undefined && value.rank < minRank) {
    throw new LowbitConfigError(
      `${argument}.shape`,
      value.shape,
      `expected rank >= ${minRank}, got rank ${value.rank}`,
    );
  }
  if (nonEmpty && value.size === 0) {
    throw new LowbitConfigError(`${argument}.shape`, value.shape, 'expected a non-empty tensor');
  }
  return value;
}

/** A tensor whose rank is one of `ranks`. */
export function checkRank(argument: string, tensor: Tensor, ranks: readonly number[]): Tensor {
  argumentName(argument);
  if (!Array.isArray(ranks) || ranks.length === 0 || !ranks.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new LowbitConfigError('ranks', ranks, 'expected a non-empty array of ranks (integers >= 0)');
  }
  if (!isTensorLike(tensor)) throw new LowbitConfigError(argument, tensor, 'expected a tf.Tensor');
  if (!ranks.includes(tensor.rank)) {
    throw new LowbitConfigError(
      argument,
      tensor,
      `expected a tensor of rank ${ranks.join(' or ')}, got rank ${tensor.rank}`,
    );
  }
  return tensor;
}

/** A plain object (an options or config argument), not null, an array or a tensor. */
export function checkObject<T extends object = Record<string, unknown>>(
  argument: string,
  value: unknown,
  expected = 'an object',
): T {
  argumentName(argument);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isTensorLike(value)) {
    throw new LowbitConfigError(argument, value, `expected ${expected}`);
  }
  return value as T;
}

/** A function (a callback argument). */
export function checkFunction<F extends (...args: never[]) => unknown>(argument: string, value: unknown): F {
  argumentName(argument);
  if (typeof value !== 'function') throw new LowbitConfigError(argument, value, 'expected a function');
  return value as F;
}

/**
 * An array (or typed array) of finite numbers, at least `minLength` long (default 0). Returns it
 * as given.
 */
export function checkNumbers(argument: string, value: unknown, minLength = 0): ArrayLike<number> {
  argumentName(argument);
  const arrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!arrayLike) throw new LowbitConfigError(argument, value, 'expected an array of finite numbers');
  const v = value as ArrayLike<unknown>;
  if (v.length < minLength) {
    throw new LowbitConfigError(`${argument}.length`, v.length, `expected at least ${minLength} values`);
  }
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (typeof e !== 'number' || !Number.isFinite(e)) {
      throw new LowbitConfigError(`${argument}[${i}]`, e, 'expected a finite number');
    }
  }
  return v as ArrayLike<number>;
}

/** A tensor shape: an array of integers >= 0 (at most `maxSize` elements in total, default 2^31 - 1). */
export function checkShape(argument: string, value: unknown, maxSize = 2 ** 31 - 1): number[] {
  argumentName(argument);
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LowbitConfigError(argument, value, 'expected a shape: an array of integers >= 0');
  }
  const size = value.reduce((a: number, b: number) => a * b, 1);
  if (size > maxSize) throw new LowbitConfigError(argument, value, `expected at most ${maxSize} elements, got ${size}`);
  return value as number[];
}

/**
 * Throws when `config` still uses an option under the name the previous release gave it;
 * `renamed` maps each old name to the new one, which the error names.
 *
 * ```ts
 * checkRenamedOptions('wrpnActivation', args, { bits: 'outputBits' });
 * // { bits: 4 } -> LowbitConfigError: wrpnActivation.bits = 4 is invalid: the option is called outputBits
 * ```
 */
export function checkRenamedOptions(argument: string, config: object, renamed: Readonly<Record<string, string>>): void {
  argumentName(argument);
  checkObject(argument, config);
  checkObject('renamed', renamed, 'an object mapping old option names to new ones');
  for (const [old, name] of Object.entries(renamed)) {
    if (old in config) {
      throw new LowbitConfigError(
        `${argument}.${old}`,
        (config as Record<string, unknown>)[old],
        `the option is called ${name}`,
      );
    }
  }
}

/** Throws unless every key of `config` is in `known` (catches typos in option objects). */
export function checkKnownKeys(argument: string, config: object, known: readonly string[]): void {
  argumentName(argument);
  if (!Array.isArray(known)) throw new LowbitConfigError('known', known, 'expected an array of the known option names');
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new LowbitConfigError(argument, config, `expected an object with options among ${known.join(', ')}`);
  }
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      throw new LowbitConfigError(
        `${argument}.${key}`,
        (config as Record<string, unknown>)[key],
        `unknown option; known options: ${known.join(', ')}`,
      );
    }
  }
}
