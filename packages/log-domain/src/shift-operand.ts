/**
 * How the shift kernels read an int32 code tensor. Three kinds:
 *
 * - `int`: fixed-point codes; the code is the value in units of the operand's scale.
 * - `pow2`: log codes, base 2 (the `pow2` encoding of quant-core's `QuantizedTensor`): code 0 is
 *   the value 0, otherwise `sign(code) * 2^(|code| - 1)` units, the unit being the smallest
 *   magnitude `2^minExponent`.
 * - `pow2-sqrt2`: log codes, base sqrt 2: `sign(code) * 2^((|code| - 1) / 2)` units.
 *
 * Every product of two operands is then `sign * multiplier * 2^(T / 2)` units, with `T` the sum of
 * the two operands' exponent offsets counted in half-octaves: a left shift by `T >> 1`, and one
 * extra factor sqrt 2 when `T` is odd. The kernels keep two exact accumulators (even and odd `T`)
 * and multiply the odd one by sqrt 2 once at the end, as a base-sqrt-2 accelerator would.
 *
 * ```ts
 * const kind = shiftKindOf(logQuantizer.quantize(x)); // 'pow2'
 * ```
 */
import { checkOneOf, LowbitConfigError, QuantizedTensor } from '@lowbit/quant-core';

export type ShiftOperandKind = 'int' | 'pow2' | 'pow2-sqrt2';

export const SHIFT_OPERAND_KINDS: readonly ShiftOperandKind[] = ['int', 'pow2', 'pow2-sqrt2'];

/** sqrt 2 as the float32 value a tfjs tensor holds (the composed fallback multiplies by it). */
export const SQRT2_F32 = Math.fround(Math.SQRT2);

/**
 * Splits code `c` of `kind` into a signed integer multiplier and a half-octave exponent offset:
 * the value is `multiplier * 2^(halfSteps / 2)` units. Code 0 of a log operand gives multiplier 0.
 */
export function decodeShiftCode(c: number, kind: ShiftOperandKind): { multiplier: number; halfSteps: number } {
  if (!Number.isInteger(c)) throw new LowbitConfigError('c', c, 'expected an integer code');
  checkOneOf('kind', kind, SHIFT_OPERAND_KINDS);
  if (kind === 'int') return { multiplier: c, halfSteps: 0 };
  if (c === 0) return { multiplier: 0, halfSteps: 0 };
  const offset = Math.abs(c) - 1;
  return { multiplier: c < 0 ? -1 : 1, halfSteps: kind === 'pow2' ? 2 * offset : offset };
}

/** The shift-operand kind of a `QuantizedTensor` (linear codes must have zero point 0). */
export function shiftKindOf(q: QuantizedTensor): ShiftOperandKind {
  if (!(q instanceof QuantizedTensor)) throw new LowbitConfigError('q', q, 'expected a QuantizedTensor');
  if (q.encoding === 'pow2') return q.stepsPerOctave === 2 ? 'pow2-sqrt2' : 'pow2';
  if (q.zeroPoint.some((z) => z !== 0)) {
    throw new LowbitConfigError(
      'zeroPoint',
      Array.from(q.zeroPoint),
      'shift kernels need symmetric fixed-point codes (zero point 0)',
    );
  }
  return 'int';
}
