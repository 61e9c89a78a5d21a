/**
 * Package-internal checks of the `LowbitCodeFactors` kernel's attributes and shapes (not exported
 * from the package): run once per call at the kernel's entry, never per code.
 *
 * ```ts
 * const a = checkCodeFactorsAttrs('attrs', attrs); // LowbitConfigError naming e.g. attrs.factors
 * const outShape = codeFactorsShape([2, 3], a.rank, a.axis); // [2, 3 r] for the last axis
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys } from '@lowbit/quant-core';

/** A factor table by code offset and where its rows go (see the kernel's docs in `code-factors.ts`). */
export interface CodeFactorsAttrs {
  factors: Float32Array;
  min: number;
  max: number;
  rank: number;
  /** The dimension whose size is multiplied by `rank` (its entry `c` becomes `c r .. c r + r - 1`). Default -1, the last. */
  axis?: number;
}

/** Checks the attributes: known keys, a code range of at most 2^12 codes, a table filling it. */
export function checkCodeFactorsAttrs(argument: string, attrs: unknown): CodeFactorsAttrs {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))
    throw new LowbitConfigError(argument, attrs, 'expected an object with factors, min, max, rank (and axis)');
  checkKnownKeys(argument, attrs, ['factors', 'min', 'max', 'rank', 'axis']);
  const a = attrs as CodeFactorsAttrs;
  if (a.axis !== undefined) checkInteger(`${argument}.axis`, a.axis, -(2 ** 8), 2 ** 8);
  const min = checkInteger(`${argument}.min`, a.min, -(2 ** 12), 2 ** 12);
  const max = checkInteger(`${argument}.max`, a.max, min, min + 2 ** 12 - 1);
  const rank = checkInteger(`${argument}.rank`, a.rank, 1, 256);
  const rows = max - min + 1;
  if (!(a.factors instanceof Float32Array) || a.factors.length !== rows * rank)
    throw new LowbitConfigError(
      `${argument}.factors`,
      a.factors,
      `expected a Float32Array of ${rows} x ${rank} factors`,
    );
  return a;
}

/** The factored axis of `shape` (`axis` from -rank to rank - 1, default the last), checked. */
export function factorAxis(shape: readonly number[], axis: number | undefined): number {
  if (shape.length === 0) return 0;
  const a = checkInteger('attrs.axis', axis ?? -1, -shape.length, shape.length - 1);
  return a < 0 ? a + shape.length : a;
}

/** The output shape (of a checked shape and rank): `x`'s with dimension `axis` (default the last) times `rank` (a scalar is one code). */
export function codeFactorsShape(shape: readonly number[], rank: number, axis?: number): number[] {
  if (shape.length === 0) return [rank];
  const a = factorAxis(shape, axis);
  return shape.map((d, i) => (i === a ? d * rank : d));
}
