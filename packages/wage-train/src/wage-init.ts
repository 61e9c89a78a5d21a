/**
 * WAGE initialisation. The math (`wageInitLimit`, `wageAlpha`) lives in @lowbit/quant-core:
 *
 * - Limit: `L = max(L_min, L_0)` with `L_min = 1.5 * sigma(k_W)` (the smallest range that still
 *   reaches the first nonzero k_W level after rounding) and `L_0 = sqrt(3 / fan_in)` (the uniform
 *   limit that keeps the variance of a layer's output equal to its input's, He/LeCun fan-in).
 * - Scale: `alpha = max(Shift(L_min / L_0), 1)`: when the k_W grid forces weights larger than
 *   `L_0`, the layer divides its output by the power of two closest to the ratio.
 *   This is how the authors' code computes it (the initializer records
 *   `2^round(log2(1.5 sigma / sqrt(3/fan_in)))`, floored at 1, per layer).
 * - {@link wageInitialKernel}: `W ~ U(-L, L)` from a {@link SeededRng}, snapped to the k_W grid
 *   (`C(Q(W))`), so the weights start as integers times `sigma(k_W)`. The WAGE layers write it
 *   into their kernel when they are built (a user-supplied `kernelInitializer` is snapped too).
 *
 * ```ts
 * wageInitLimit(2, 25);  // 0.75 (1.5 * 0.5 > sqrt(3/25) = 0.346)
 * wageAlpha(2, 25);      // 2    (Shift(0.75 / 0.346) = 2^round(1.12))
 * wageInitialKernel([5, 5, 1, 32], 2, 1); // values in {-0.5, 0, 0.5}
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, LowbitConfigError, roundHalfEven, SeededRng, wageClip, wageInitLimit, wageQ, wageSigma } from '@lowbit/quant-core';
import { checkWageBits, maxWageCode } from './bits.js';

/** Input connections of one output unit: `in` for a dense kernel [in, out], `kh*kw*cin` for conv. */
export function fanInOf(kernelShape: readonly number[]): number {
  if (!Array.isArray(kernelShape) || kernelShape.length < 2 || !kernelShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LowbitConfigError('kernelShape', kernelShape, 'expected a kernel shape of rank >= 2 with positive integer sizes');
  }
  return kernelShape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * The WAGE initial kernel: `U(-L, L)` (L from quant-core's `wageInitLimit`) snapped to the k_W
 * grid, `C(Q(W))`. Deterministic for (shape, bitsW, seed): the draws come from a {@link SeededRng}.
 */
export function wageInitialKernel(shape: readonly number[], bitsW: number, seed: number): tf.Tensor {
  checkWageBits('bitsW', bitsW);
  checkInteger('seed', seed, 0, 0xffffffff);
  const limit = wageInitLimit(bitsW, fanInOf(shape));
  const sigma = wageSigma(bitsW);
  const top = maxWageCode(bitsW);
  const u = new SeededRng(seed).uniform(shape.reduce((a, b) => a * b, 1));
  const values = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) {
    const code = roundHalfEven(((2 * u[i] - 1) * limit) / sigma);
    values[i] = Math.min(top, Math.max(-top, code)) * sigma;
  }
  return tf.tensor(values, [...shape], 'float32');
}

/** Snaps any kernel to the k_W grid: `C(Q(W, k_W), k_W)` (for user-supplied initializers). */
export function snapToWageGrid(w: tf.Tensor, bitsW: number): tf.Tensor {
  checkWageBits('bitsW', bitsW);
  return tf.tidy(() => wageClip(wageQ(w, bitsW), bitsW));
}
