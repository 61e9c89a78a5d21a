/**
 * Direct N-bit per-channel activation quantization, the DQA baseline and the path of every
 * ordinary (not important) channel:
 *
 *   delta_N = max|A| / 2^(N-1)                       (per channel, fixed after calibration)
 *   q       = clamp(round(A / delta_N), -2^(N-1), 2^(N-1) - 1)
 *   A_q     = delta_N * q
 *
 * `round` is half to even, as `tf.round`. All arithmetic is float32 (the step is a float32, the
 * division and the product are rounded to float32), so the JS reference functions here give
 * bit-for-bit the values the tfjs layer computes.
 *
 * ```ts
 * const step = directStep(2.0, 3);          // 0.5
 * directCode(0.74, step, 3);                // round(1.48) = 1
 * directCode(9, step, 3);                   // clamped to 3
 * ```
 */
import { LowbitConfigError, checkInteger, checkPositive, roundHalfEven } from '@lowbit/quant-core';

/** Smallest and largest signed code of `bits` bits: [-2^(bits-1), 2^(bits-1) - 1]. */
export function signedCodeRange(bits: number): [number, number] {
  checkInteger('bits', bits, 1, 32);
  const half = 2 ** (bits - 1);
  return [-half, half - 1];
}

/**
 * The calibrated step `delta_N = maxAbs / 2^(N-1)`, rounded to float32. A channel that was zero
 * on all calibration data (maxAbs = 0, e.g. a dead ReLU) gets `fallback` (documented choice: the
 * caller passes the layer's largest step, or 1 when the whole layer was zero), so its step is
 * never 0 and never NaN.
 */
export function directStep(maxAbs: number, bits: number, fallback = 1): number {
  checkInteger('bits', bits, 1, 16);
  if (typeof maxAbs !== 'number' || !Number.isFinite(maxAbs) || maxAbs < 0) {
    throw new LowbitConfigError('maxAbs', maxAbs, 'expected a finite number >= 0');
  }
  checkPositive('fallback', fallback);
  const step = Math.fround(maxAbs / 2 ** (bits - 1));
  // A tiny positive max can underflow to 0 in float32: fall back as for an all-zero channel.
  return step > 0 ? step : Math.fround(fallback);
}

/** `clamp(round(fround(value / step)), lo, hi)` for a `bits`-bit signed code. */
export function directCode(value: number, step: number, bits: number): number {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new LowbitConfigError('value', value, 'expected a number');
  checkPositive('step', step);
  const [lo, hi] = signedCodeRange(bits);
  const q = roundHalfEven(Math.fround(value / step));
  return q < lo ? lo : q > hi ? hi : q;
}
