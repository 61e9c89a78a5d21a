/**
 * Bit-width arguments of WAGE (`k_W`, `k_A`, `k_G`, `k_E`) and the integer grid they define.
 *
 * A k-bit WAGE value is an integer code times `sigma(k) = 2^(1-k)`, with codes in
 * `[-(2^(k-1) - 1), 2^(k-1) - 1]` after the clip `C` (so `k = 2` is ternary {-1, 0, 1} x 0.5).
 * k = 1 would leave no level inside the clip and tfjs float32 keeps 24 bits, so widths run 2..16.
 *
 * ```ts
 * checkWageBits('bitsW', 2);   // 2
 * checkWageBits('bitsA', 17);  // throws LowbitConfigError naming bitsA, 17 and 2..16
 * ```
 */
import { checkInteger } from '@lowbit/quant-core';

export const MIN_WAGE_BITS = 2;
export const MAX_WAGE_BITS = 16;

/** A WAGE bit width: an integer from 2 to 16. */
export function checkWageBits(argument: string, value: unknown): number {
  return checkInteger(argument, value, MIN_WAGE_BITS, MAX_WAGE_BITS);
}

/** The largest code after `C(x, k)`: `2^(k-1) - 1`. */
export function maxWageCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}
