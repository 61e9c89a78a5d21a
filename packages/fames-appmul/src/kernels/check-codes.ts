/**
 * Package-internal (not exported from the package): the check that a tensor holds integer codes
 * in `[lo, hi]`, once per call before a LUT op: one read of its min and max (and, for a float
 * tensor, of its largest distance to an integer), never a check per element in the loops.
 *
 * ```ts
 * checkCodeTensor('appMulMatMul', 'a', a, 0, 255); // LowbitDataError: a codes span [0, 256], ...
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitDataError } from '@lowbit/quant-core';

/** Throws a LowbitDataError (`source`, naming `name`) unless every value of `x` is an integer in `[lo, hi]`. */
export function checkCodeTensor(source: string, name: string, x: tf.Tensor, lo: number, hi: number): void {
  if (x.size === 0) return;
  const summary = tf.tidy(() => {
    const parts = [tf.min(x), tf.max(x)];
    // NaN has no integer neighbour: its distance is NaN, caught below with the fractions.
    if (x.dtype !== 'int32') parts.push(tf.max(tf.abs(tf.sub(x, tf.round(x)))));
    return tf.stack(parts.map((t) => tf.cast(t, 'float32')));
  });
  const [min, max, fraction] = summary.dataSync();
  summary.dispose();
  if (fraction !== undefined && !(fraction === 0))
    throw new LowbitDataError(source, `${name} holds a code that is not an integer (NaN or a fraction)`);
  if (!(min >= lo && max <= hi))
    throw new LowbitDataError(source, `${name} codes span [${min}, ${max}], outside [${lo}, ${hi}]`);
}
