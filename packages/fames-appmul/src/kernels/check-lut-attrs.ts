/**
 * Package-internal check of the LUT kernels' table attributes (not exported from the package):
 * run once per call at each loop's entry, never per element.
 *
 * ```ts
 * checkLutAttrs('attrs', attrs, GEOMETRY_KEYS); // LowbitConfigError naming e.g. attrs.table
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys } from '@lowbit/quant-core';
import type { LutAttrs } from './appmul-conv2d.js';

/** The keys of {@link LutAttrs}. */
export const LUT_KEYS = ['table', 'bitsA', 'bitsW', 'aMin', 'aMax', 'wMin', 'wMax'] as const;

/**
 * Checks `attrs` (an object with the {@link LUT_KEYS} and no key outside them and `extraKeys`):
 * operand widths of 1 to 12 bits, a table of `2^(bitsA + bitsW)` products, and code ranges that fit
 * their widths (`max - min < 2^bits`, so every code of a range has its own table row or column).
 */
export function checkLutAttrs(argument: string, attrs: unknown, extraKeys: readonly string[] = []): LutAttrs {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))
    throw new LowbitConfigError(argument, attrs, `expected an object with ${LUT_KEYS.join(', ')}`);
  checkKnownKeys(argument, attrs, [...LUT_KEYS, ...extraKeys]);
  const a = attrs as LutAttrs;
  const bitsA = checkInteger(`${argument}.bitsA`, a.bitsA, 1, 12);
  const bitsW = checkInteger(`${argument}.bitsW`, a.bitsW, 1, 12);
  if (!(a.table instanceof Int32Array) || a.table.length !== 2 ** (bitsA + bitsW))
    throw new LowbitConfigError(
      `${argument}.table`,
      a.table,
      `expected an Int32Array of 2^(${bitsA}+${bitsW}) products`,
    );
  for (const [side, bits] of [
    ['a', bitsA],
    ['w', bitsW],
  ] as const) {
    const min = checkInteger(`${argument}.${side}Min`, a[`${side}Min`], -(2 ** 12), 2 ** 12);
    checkInteger(`${argument}.${side}Max`, a[`${side}Max`], min, min + 2 ** bits - 1);
  }
  return a;
}
