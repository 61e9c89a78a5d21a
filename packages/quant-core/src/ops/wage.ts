/**
 * The arithmetic of WAGE (Wu, Li, Chen, Shi, ICLR 2018), shared by `LowbitWageQuantizer` and the
 * `@lowbit/wage-train` layers and update rule.
 *
 * - `wageSigma(k) = 2^(1-k)`: the grid step of a k-bit WAGE value.
 * - `wageClip(x, k) = clip(x, -1 + sigma, 1 - sigma)`.
 * - `wageQ(x, k) = sigma * round(x / sigma)` (half to even).
 * - `shiftPow2(x) = 2^round(log2 x)`, the nearest power of two; guard: `x = 0` gives 1 (so
 *   `e / shiftPow2(max|e|)` stays 0 for an all-zero tensor); negative or NaN numbers throw.
 * - `wageInitLimit(kW, fanIn) = max(1.5 sigma(kW), sqrt(3 / fanIn))` (W ~ U(-L, L)) and
 *   `wageAlpha(kW, fanIn) = max(shiftPow2(L / sqrt(3 / fanIn)), 1)`, the constant layer scale.
 * - `wageQuantizeError(e, kE) = Q(C(e / shiftPow2(max|e|), kE), kE)` (max over the whole tensor).
 * - `wageQuantizeGradient(g, kG, lr, rng) = sigma(kG) * sgn(n) * (floor|n| + Bernoulli(|n| - floor|n|))`
 *   with `n = lr * g / shiftPow2(max|g|)`: stochastic rounding of |n| with a seeded stream.
 * These are plain forward functions (no custom gradients): quantizers add the straight-through
 * estimators. Tensor arguments must be float32 tensors; NaN elements give NaN (numbers: NaN throws).
 *
 * ```ts
 * wageSigma(2);                               // 0.5
 * wageQ(wageClip(w, 2), 2);                   // ternary {-0.5, 0, 0.5}
 * shiftPow2(0.3);                             // 0.25
 * const dW = wageQuantizeGradient(g, 8, 8, new SeededRng(1));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { SeededRng } from '../random.js';
import { checkInteger, checkPositive, checkTensor } from '../validate.js';

/** `2^(1-k)` for an integer k in [1, 24]. */
export function wageSigma(k: number): number {
  return 2 ** (1 - checkInteger('k', k, 1, 24));
}

/** `clip(x, -1 + sigma(k), 1 - sigma(k))`. */
export function wageClip(x: tf.Tensor, k: number): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  const s = wageSigma(k);
  return tf.clipByValue(x, -1 + s, 1 - s);
}

/** `sigma(k) * round(x / sigma(k))` (half to even; exact: sigma is a power of two). */
export function wageQ(x: tf.Tensor, k: number): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  const s = wageSigma(k);
  // + 0 turns round(-0.4) = -0 into +0, matching fakeQuantAffine (and integer codes).
  return tf.tidy(() => tf.mul(tf.add(tf.round(tf.div(x, s)), 0), s));
}

/** `2^round(log2 x)`; 0 gives 1. Numbers: negative or NaN throw. Tensors: x <= 0 gives 1. */
export function shiftPow2(x: number): number;
export function shiftPow2(x: tf.Tensor): tf.Tensor;
export function shiftPow2(x: number | tf.Tensor): number | tf.Tensor {
  if (typeof x === 'number') {
    if (!(x >= 0) || x === Infinity) throw new LowbitConfigError('x', x, 'expected a finite number >= 0');
    return x === 0 ? 1 : 2 ** Math.round(Math.log2(x));
  }
  checkTensor('x', x, { dtype: 'float32' });
  return tf.tidy(() => {
    const positive = tf.greater(x, 0);
    const safe = tf.where(positive, x, tf.onesLike(x));
    const p = tf.pow(tf.scalar(2), tf.round(tf.div(tf.log(safe), Math.LN2)));
    return tf.where(positive, p, tf.onesLike(x));
  });
}

/** Uniform init limit `max(1.5 sigma(kW), sqrt(3 / fanIn))`. */
export function wageInitLimit(kW: number, fanIn: number): number {
  checkInteger('fanIn', fanIn, 1, Number.MAX_SAFE_INTEGER);
  return Math.max(1.5 * wageSigma(kW), Math.sqrt(3 / fanIn));
}

/** Constant layer scale `max(shiftPow2(L / L0), 1)`, `L0 = sqrt(3 / fanIn)`: a power of two >= 1. */
export function wageAlpha(kW: number, fanIn: number): number {
  return Math.max(shiftPow2(wageInitLimit(kW, fanIn) / Math.sqrt(3 / fanIn)), 1);
}

/** Error quantizer: `Q(C(e / shiftPow2(max|e|), kE), kE)`. */
export function wageQuantizeError(e: tf.Tensor, kE: number): tf.Tensor {
  checkTensor('e', e, { dtype: 'float32' });
  wageSigma(kE);
  return tf.tidy(() => {
    const m = shiftPow2(tf.max(tf.abs(e)));
    return wageQ(wageClip(tf.div(e, m), kE), kE);
  });
}

/** Gradient quantizer of the update: `sigma(kG) * sgn(n) * stochasticRound(|n|)`, `n = lr g / shiftPow2(max|g|)`. */
export function wageQuantizeGradient(g: tf.Tensor, kG: number, lr: number, rng: SeededRng): tf.Tensor {
  checkTensor('g', g, { dtype: 'float32' });
  checkPositive('lr', lr);
  if (!(rng instanceof SeededRng)) throw new LowbitConfigError('rng', rng, 'expected a SeededRng');
  const s = wageSigma(kG);
  return tf.tidy(() => {
    const n = tf.mul(tf.div(g, shiftPow2(tf.max(tf.abs(g)))), lr);
    const a = tf.abs(n);
    const rounded = tf.floor(tf.add(a, rng.uniformTensor(a.shape)));
    return tf.mul(tf.mul(tf.sign(n), rounded), s);
  });
}
