/**
 * The DQA shift-error split of an (N+m)-bit code `q+` into an N-bit code and an m-bit error:
 *
 *   code = q+ >> m            arithmetic shift = floor(q+ / 2^m) (rounds toward -infinity)
 *   k    = q+ & (2^m - 1)     the low m bits of q+ in two's complement, always in [0, 2^m - 1]
 *   q+   = (code << m) | k    = code * 2^m + k, exactly, for negative q+ too
 *
 * Negative example, m = 3: q+ = -13 = ...11110011b -> code = floor(-13 / 8) = -2, k = 3, and
 * -2 * 8 + 3 = -13. Because the shift floors, `code` of an (N+m)-bit signed q+ is always a valid
 * N-bit signed code ([-2^(N-1), 2^(N-1) - 1]) and the dequantized value is
 * `delta_N * (code + k / 2^m) = delta_N * q+ / 2^m`.
 *
 * ```ts
 * splitShiftError(-13, 3); // { code: -2, error: 3 }
 * joinShiftError(-2, 3, 3); // -13
 * ```
 */

import { checkInteger } from '@lowbit/quant-core';

/** Splits `qPlus` (a 32-bit signed integer) into `code = qPlus >> m` and `error = qPlus & (2^m - 1)`. */
export function splitShiftError(qPlus: number, m: number): { code: number; error: number } {
  checkInteger('qPlus', qPlus, -(2 ** 31), 2 ** 31 - 1);
  checkInteger('m', m, 0, 30);
  return { code: qPlus >> m, error: qPlus & ((1 << m) - 1) };
}

/** Inverse of {@link splitShiftError}: `(code << m) | error`. */
export function joinShiftError(code: number, error: number, m: number): number {
  checkInteger('m', m, 0, 30);
  checkInteger('code', code, -(2 ** (31 - m)), 2 ** (31 - m) - 1);
  checkInteger('error', error, 0, 2 ** m - 1);
  return (code << m) | error;
}
