/**
 * Shared by the families that build a subset of an array multiplier's partial-product bits
 * (exact, truncated, broken-array, operand LSB dropping): the product of two magnitudes from a
 * mask of kept bits `a_i & w_j` (weight 2^(i+j)).
 */
import type { PartialProductMask } from '../gate-count.js';

/** Builds `mask[i][j] = keep(i, j)` for `bitsA x bitsW` partial-product bits. */
export function maskOf(bitsA: number, bitsW: number, keep: (i: number, j: number) => boolean): PartialProductMask {
  return Array.from({ length: bitsA }, (_, i) => Array.from({ length: bitsW }, (_, j) => keep(i, j)));
}

/**
 * `sum over kept (i, j) of a_i w_j 2^(i+j)` for magnitudes `magA`, `magW`, as a function. Row i
 * contributes `(magW & rowMask_i) * 2^i`, where `rowMask_i` has bit j set when (i, j) is kept.
 */
export function partialProductCore(mask: PartialProductMask): (magA: number, magW: number) => number {
  const rowMasks = mask.map((row) => row.reduce((acc, keep, j) => (keep ? acc | (1 << j) : acc), 0));
  return (magA: number, magW: number) => {
    let sum = 0;
    for (let i = 0; i < rowMasks.length; i++) if ((magA >> i) & 1) sum += (magW & rowMasks[i]) << i;
    return sum;
  };
}
