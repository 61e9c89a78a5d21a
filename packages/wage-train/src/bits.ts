/**
 * Bit-width arguments of WAGE (`k_W`, `k_A`, `k_G`, `k_E`) and the integer grid they define.
 *
 * A k-bit WAGE value is an integer code times `sigma(k) = 2^(1-k)`, with codes in
 * `[-(2^(k-1) - 1), 2^(k-1) - 1]` after the clip `C` (so `k = 2` is ternary {-1, 0, 1} x 0.5).
 * k = 1 would leave no level inside the clip and tfjs float32 keeps 24 bits, so widths run 2..16.
 *
 * ```ts
 * checkWageBits('weightBits', 2);   // 2
 * checkWageBits('outputBits', 17);  // throws LowbitConfigError naming outputBits, 17 and 2..16
 * maxWageCode(8);                   // 127
 * ```
 */
import { checkInteger, LowbitConfigError } from '@lowbit/quant-core';

export const MIN_WAGE_BITS = 2;
export const MAX_WAGE_BITS = 16;

/** A WAGE bit width: an integer from 2 to 16. */
export function checkWageBits(argument: string, value: unknown): number {
  return checkInteger(argument, value, MIN_WAGE_BITS, MAX_WAGE_BITS);
}

/** The largest code after `C(x, k)`: `2^(k-1) - 1`; throws for a width outside 2..16 (as checkWageBits). */
export function maxWageCode(bits: number): number {
  return 2 ** (checkWageBits('bits', bits) - 1) - 1;
}

/** Option names of the previous release and what replaced them. */
export const RENAMED_WAGE_OPTIONS: Readonly<Record<string, string>> = {
  bitsW: 'weightBits',
  bitsA: 'outputBits',
  bitsE: 'errorBits',
  bitsG: 'gradientBits',
};

/** Throws for an option name of the previous release, naming the new one. */
export function rejectRenamed(where: string, args: object): void {
  for (const [old, now] of Object.entries(RENAMED_WAGE_OPTIONS)) {
    if (old in args) {
      throw new LowbitConfigError(`${where}.${old}`, (args as Record<string, unknown>)[old], `renamed: use ${now}`);
    }
  }
}
