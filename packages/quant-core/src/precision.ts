/**
 * How a tensor is represented in hardware: what a quantizer produces and what `@lowbit/hw-model`
 * reads to choose a multiplier, an adder and memory sizes. Every quantizer reports one
 * ({@link OperandPrecision}); every lowbit layer reports its operands ({@link LayerPrecision}).
 *
 * ```ts
 * const p = wrpn({ bits: 4 }).precision(); // { kind: 'int', bits: 4, signed: true }
 * ```
 */
import type { ArithmeticCost } from './arithmetic.js';

/**
 * - `float`: IEEE float of `bits` (16 or 32).
 * - `int`: `bits`-bit integer codes times a scale.
 * - `pow2`: signed powers of two (log codes): `bits` bits hold sign and exponent.
 * - `binary`: +-1 (1 bit); multiply is an XOR / mux.
 * - `zero-one`: {0, 1} (1 bit); multiply is an AND.
 * - `ternary`: {-1, 0, +1} (2 bits).
 */
export type OperandKind = 'float' | 'int' | 'pow2' | 'binary' | 'zero-one' | 'ternary';

export interface OperandPrecision {
  kind: OperandKind;
  /** Storage bits per value. */
  bits: number;
  /** Whether negative values occur (sign bit included in `bits`). */
  signed: boolean;
}

/** What a lowbit layer multiplies: its weight and input operands, and its arithmetic's cost descriptor. */
export interface LayerPrecision {
  /** Weight (kernel) operand; absent for layers without weights. */
  weight?: OperandPrecision;
  /** Input (activation) operand. */
  input?: OperandPrecision;
  /** Output operand, where the layer quantizes its output (activation layers). */
  output?: OperandPrecision;
  /** Accumulator width in bits when the layer fixes it. */
  accumulatorBits?: number;
  /** How products are computed and accumulated (the layer's `arithmetic` part); absent: exact. */
  arithmetic?: ArithmeticCost;
}

/** A layer that reports its precision to `@lowbit/hw-model`. */
export interface PrecisionReporting {
  lowbitPrecision(): LayerPrecision;
}

export const FLOAT32: Readonly<OperandPrecision> = Object.freeze({ kind: 'float', bits: 32, signed: true });

/** True when `layer` implements {@link PrecisionReporting}. */
export function reportsPrecision(layer: unknown): layer is PrecisionReporting {
  return typeof (layer as Partial<PrecisionReporting> | null)?.lowbitPrecision === 'function';
}
