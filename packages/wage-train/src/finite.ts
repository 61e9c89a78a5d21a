/**
 * Finite-value checks at the package's boundaries (training data, gradients, model outputs):
 * NaN or Infinity there would otherwise end as silently wrong weights or predictions. One read of
 * a flag per check, whatever the tensor sizes.
 *
 * ```ts
 * firstNonFinite([a, b]);           // -1 when both are finite, else the index of the first bad one
 * checkFiniteValues('x', x);        // throws LowbitDataError('x', ...) for NaN or Infinity
 * checkNoNaN('x', x);               // throws for NaN only (+-Infinity clips like any large value)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitDataError } from '@lowbit/quant-core';

/** Index of the first tensor holding NaN or Infinity, or -1. */
export function firstNonFinite(tensors: readonly tf.Tensor[]): number {
  if (tensors.length === 0) return -1;
  const flags = tf.tidy(() => tf.stack(tensors.map((t) => tf.cast(tf.any(tf.logicalNot(tf.isFinite(t))), 'int32'))));
  const values = flags.dataSync();
  flags.dispose();
  return Array.from(values).indexOf(1);
}

/** Throws a LowbitDataError naming `source` when `t` holds NaN or Infinity. */
export function checkFiniteValues(source: string, t: tf.Tensor, why = ''): void {
  if (firstNonFinite([t]) >= 0) throw new LowbitDataError(source, `contains NaN or Infinity${why}`);
}

/** Throws a LowbitDataError naming `source` when `t` holds NaN (Infinity is allowed). */
export function checkNoNaN(source: string, t: tf.Tensor, why = ''): void {
  const flag = tf.tidy(() => tf.any(tf.isNaN(t)));
  const hasNaN = flag.dataSync()[0] === 1;
  flag.dispose();
  if (hasNaN) throw new LowbitDataError(source, `contains NaN${why}`);
}
