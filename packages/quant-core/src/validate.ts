/**
 * Argument checks shared by every lowbit package. Each throws {@link LowbitConfigError}
 * naming the argument, the value given and what is allowed, and returns the checked value.
 *
 * ```ts
 * const bits = checkInteger('bits', config.bits, 1, 8);
 * ```
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { LowbitConfigError } from './errors.js';

/** An integer in [min, max] (bit widths, channel counts, seeds). */
export function checkInteger(argument: string, value: unknown, min: number, max: number): number {
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
  const { min, max, exclusiveMin = false, exclusiveMax = false } = opts;
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
  if (!allowed.includes(value as T)) {
    throw new LowbitConfigError(argument, value, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as T;
}

/** A boolean. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new LowbitConfigError(argument, value, 'expected true or false');
  return value;
}

/** A [lo, hi] pair of finite numbers with lo < hi. */
export function checkRange(argument: string, value: unknown): [number, number] {
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

/** A tensor whose rank is one of `ranks`. */
export function checkRank(argument: string, tensor: Tensor, ranks: readonly number[]): Tensor {
  if (!ranks.includes(tensor.rank)) {
    throw new LowbitConfigError(
      argument,
      tensor,
      `expected a tensor of rank ${ranks.join(' or ')}, got rank ${tensor.rank}`,
    );
  }
  return tensor;
}

/** Throws unless every key of `config` is in `known` (catches typos in option objects). */
export function checkKnownKeys(argument: string, config: object, known: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      throw new LowbitConfigError(`${argument}.${key}`, (config as Record<string, unknown>)[key], `unknown option; known options: ${known.join(', ')}`);
    }
  }
}
