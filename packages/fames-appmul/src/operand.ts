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
import { LowbitConfigError, checkBoolean, checkInteger, checkKnownKeys } from '@lowbit/quant-core';

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
  if (typeof argument !== 'string' || argument.length === 0)
    throw new LowbitConfigError('argument', argument, 'expected the name of the operand (a non-empty string)');
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new LowbitConfigError(argument, spec, 'expected { bits, signed }');
  }
  checkKnownKeys(argument, spec, ['bits', 'signed']);
  const s = spec as Partial<OperandSpec>;
  const bits = checkInteger(`${argument}.bits`, s.bits, MIN_OPERAND_BITS, MAX_OPERAND_BITS);
  if (typeof s.signed !== 'boolean')
    throw new LowbitConfigError(`${argument}.signed`, s.signed, 'expected true or false');
  return { bits, signed: s.signed };
}

/** Smallest and largest code of the operand (any width of 1 to 31 bits, not only an AppMul operand's). */
export function codeRange(spec: OperandSpec): [number, number] {
  if (typeof spec !== 'object' || spec === null) throw new LowbitConfigError('spec', spec, 'expected { bits, signed }');
  checkKnownKeys('spec', spec, ['bits', 'signed']);
  const bits = checkInteger('spec.bits', spec.bits, 1, 31);
  const signed = checkBoolean('spec.signed', spec.signed);
  return signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** The bit pattern (table row/column) of a code: an integer of at most `bits` (1..31) bits, two's complement. */
export function codeToPattern(code: number, bits: number): number {
  const b = checkInteger('bits', bits, 1, 31);
  checkInteger('code', code, -(2 ** b), 2 ** b - 1);
  return code & ((1 << b) - 1);
}

/** The code a bit pattern stands for. */
export function patternToCode(pattern: number, spec: OperandSpec): number {
  const s = checkOperand('spec', spec);
  checkInteger('pattern', pattern, 0, 2 ** s.bits - 1);
  return s.signed && pattern >= 2 ** (s.bits - 1) ? pattern - 2 ** s.bits : pattern;
}

/** Every code of the operand in bit-pattern order (index i holds the code of pattern i). */
export function codesByPattern(spec: OperandSpec): Int32Array {
  const { bits, signed } = checkOperand('spec', spec);
  const n = 2 ** bits;
  const half = 2 ** (bits - 1);
  const out = new Int32Array(n);
  for (let p = 0; p < n; p++) out[p] = signed && p >= half ? p - n : p;
  return out;
}
