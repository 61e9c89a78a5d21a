/**
 * Operand codes as quantizers produce them, and how they index a product table.
 *
 * A `b`-bit unsigned operand holds codes `0 .. 2^b - 1`; a signed one holds two's-complement codes
 * `-2^(b-1) .. 2^(b-1) - 1` (what `QuantizedTensor.codeRange()` gives for linear codes).
 * Tables are indexed by the operand's **bit pattern** (`code & (2^b - 1)`), i.e. the truth table of
 * a circuit whose inputs are the raw bits: for unsigned operands that is the code itself.
 *
 * ```ts
 * codeRange({ bits: 4, signed: true });      // [-8, 7]
 * codeToPattern(-1, 4);                      // 15
 * patternToCode(15, { bits: 4, signed: true }); // -1
 * ```
 */
import { LowbitConfigError, checkInteger } from '@lowbit/quant-core';

export interface OperandSpec {
  /** Bits per code, 2..8. */
  bits: number;
  /** Two's-complement signed codes (true) or unsigned codes (false). */
  signed: boolean;
}

export const MIN_OPERAND_BITS = 2;
export const MAX_OPERAND_BITS = 8;

/** Validates an operand spec; `argument` names it in errors (e.g. `'a'`, `'w'`). */
export function checkOperand(argument: string, spec: unknown): OperandSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new LowbitConfigError(argument, spec, 'expected { bits, signed }');
  }
  const s = spec as Partial<OperandSpec>;
  const bits = checkInteger(`${argument}.bits`, s.bits, MIN_OPERAND_BITS, MAX_OPERAND_BITS);
  if (typeof s.signed !== 'boolean')
    throw new LowbitConfigError(`${argument}.signed`, s.signed, 'expected true or false');
  return { bits, signed: s.signed };
}

/** Smallest and largest code of the operand. */
export function codeRange(spec: OperandSpec): [number, number] {
  return spec.signed ? [-(2 ** (spec.bits - 1)), 2 ** (spec.bits - 1) - 1] : [0, 2 ** spec.bits - 1];
}

/** The bit pattern (table row/column) of a code. */
export function codeToPattern(code: number, bits: number): number {
  return code & ((1 << bits) - 1);
}

/** The code a bit pattern stands for. */
export function patternToCode(pattern: number, spec: OperandSpec): number {
  return spec.signed && pattern >= 2 ** (spec.bits - 1) ? pattern - 2 ** spec.bits : pattern;
}

/** Every code of the operand in bit-pattern order (index i holds the code of pattern i). */
export function codesByPattern(spec: OperandSpec): Int32Array {
  const n = 2 ** spec.bits;
  const out = new Int32Array(n);
  for (let p = 0; p < n; p++) out[p] = patternToCode(p, spec);
  return out;
}
