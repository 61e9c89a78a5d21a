/**
 * Gate-count proxies of multiplier circuits in gate equivalents (GE, NAND2 = 1; typical
 * standard-cell ratios: AND2/OR2 1.33, XOR2 2.33, half adder 3.67, full adder 6, 2:1 mux 2.33).
 * They rank designs by size; the energy of a design is the exact multiplier's energy scaled by
 * the ratio of gate counts ({@link scaleEnergyByGates}). A proxy, always labelled
 * "gate-count proxy": it ignores wiring, switching activity and timing.
 *
 * ```ts
 * partialProductArrayGates(keepAll(4, 4)); // exact 4x4 array: 16 AND2 + 9 FA = 75.3 GE
 * ```
 */
import { LowbitConfigError, checkBoolean, checkInteger } from '@lowbit/quant-core';

export const GATES = { and: 1.33, xor: 2.33, fullAdder: 6, halfAdder: 3.67, mux2: 2.33 } as const;

/** Widest word the proxies describe (operands are at most 8 bits; products and shifters a few times that). */
const MAX_WORD_BITS = 64;

const wordBits = (argument: string, bits: unknown, min = 0) => checkInteger(argument, bits, min, MAX_WORD_BITS);

/** `kept[i][j]`: whether partial-product bit `a_i & w_j` (weight 2^(i+j)) is built. */
export type PartialProductMask = boolean[][];

/** Every partial-product bit of a `bitsA x bitsW` array kept (the exact multiplier). */
export function keepAll(bitsA: number, bitsW: number): PartialProductMask {
  // Checked before allocating: the mask is bitsA x bitsW booleans.
  wordBits('bitsA', bitsA, 1);
  wordBits('bitsW', bitsW, 1);
  return Array.from({ length: bitsA }, () => new Array<boolean>(bitsW).fill(true));
}

/**
 * An array multiplier reduced by carry-save adders: one AND per kept bit, and one full adder per
 * bit beyond the first in each column (each full adder removes one bit; the final carry-propagate
 * row is counted the same way). For the exact n x n array this gives n^2 ANDs and
 * (n - 1)^2 adders, close to the textbook n(n-2) full + n half adders.
 */
export function partialProductArrayGates(kept: PartialProductMask): number {
  if (!Array.isArray(kept) || kept.length === 0 || kept.length > MAX_WORD_BITS)
    throw new LowbitConfigError('kept', kept, `expected 1 to ${MAX_WORD_BITS} rows of booleans`);
  kept.forEach((row, i) => {
    if (!Array.isArray(row) || row.length === 0 || row.length > MAX_WORD_BITS || row.length !== kept[0]!.length)
      throw new LowbitConfigError(`kept[${i}]`, row, `expected a row of ${kept[0]?.length ?? 1} booleans like row 0`);
    row.forEach((k, j) => checkBoolean(`kept[${i}][${j}]`, k));
  });
  let bits = 0;
  const columns = new Set<number>();
  kept.forEach((row, i) =>
    row.forEach((k, j) => {
      if (k) {
        bits++;
        columns.add(i + j);
      }
    }),
  );
  return bits * GATES.and + Math.max(0, bits - columns.size) * GATES.fullAdder;
}

/** A leading-one detector over `bits` bits (priority chain) plus its binary encoder. */
export function leadingOneDetectorGates(bits: number): number {
  wordBits('bits', bits);
  return (2 * bits + bits * Math.ceil(Math.log2(Math.max(2, bits)))) * GATES.and;
}

/** A logarithmic barrel shifter of a `dataBits`-wide word by 0 .. `maxShift` places. */
export function barrelShifterGates(dataBits: number, maxShift: number): number {
  wordBits('dataBits', dataBits);
  checkInteger('maxShift', maxShift, 0, 2 * MAX_WORD_BITS);
  return dataBits * Math.ceil(Math.log2(Math.max(1, maxShift) + 1)) * GATES.mux2;
}

/** A ripple-carry adder of `bits` bits. */
export function adderGates(bits: number): number {
  wordBits('bits', bits);
  return bits * GATES.fullAdder;
}

/** Sign-magnitude wrapper: conditional negation of both operands and of the product, sign XOR. */
export function signMagnitudeWrapperGates(bitsA: number, signedA: boolean, bitsW: number, signedW: boolean): number {
  wordBits('bitsA', bitsA, 1);
  checkBoolean('signedA', signedA);
  wordBits('bitsW', bitsW, 1);
  checkBoolean('signedW', signedW);
  if (!signedA && !signedW) return 0;
  const negate = (bits: number) => bits * (GATES.xor + GATES.halfAdder);
  return (signedA ? negate(bitsA) : 0) + (signedW ? negate(bitsW) : 0) + negate(bitsA + bitsW) + GATES.xor;
}
