/**
 * Energy of one multiply-accumulate chosen from the kinds of its two operands, following the
 * QKeras qtools rules (see the table in the README):
 *
 * | operands                | hardware                       | energy                                  |
 * |-------------------------|--------------------------------|-----------------------------------------|
 * | int b_w x int b_a       | integer multiplier             | `intMultiply(sqrt(b_w b_a))`            |
 * | pow2 x int b            | barrel shifter                 | `shifter(b)`                            |
 * | pow2 x pow2             | exponent adder (+ sign XOR)    | `intAdd(max exponent bits) + xor(1)`    |
 * | +-1 x +-1               | XOR                            | `xor(1)`                                |
 * | +-1 x b bits            | conditional negate (mux)       | `mux(b)`                                |
 * | {0,1} x b bits          | AND                            | `and(b)`                                |
 * | ternary x b bits        | mux + negate                   | `mux(b) + xor(b)`                       |
 * | float x float           | FP multiplier                  | `fpMultiply(max bits)`                  |
 * | float x int             | FP multiplier                  | `fpMultiply(float bits)`                |
 * | float x pow2            | add to the exponent field      | `intAdd(exponent bits of the float)`    |
 * | approximate multiplier  | its own figure                 | `multiplier.energyPj`                   |
 *
 * Precedence when both operands are special: {0,1} first, then +-1, then ternary, then pow2.
 * The accumulate is an adder at the accumulator width: float when either operand is float,
 * otherwise an integer adder of `accumulatorBits` (fixed by the layer) or of the derived width
 * `productBits + ceil(log2(fanIn))`, where `productBits = linearBits(w) + linearBits(a)`
 * ({@link linearBits}). That width always holds the worst-case sum of `fanIn` products (as a
 * signed accumulator when an operand is signed, unsigned otherwise; property-tested).
 *
 * ```ts
 * macEnergy({ kind: 'int', bits: 8, signed: true }, { kind: 'int', bits: 8, signed: true }, { fanIn: 784, accumulatorBits: 32 });
 * // { multiplier: 'int-multiplier', multiplyPj: 0.2, accumulator: { kind: 'int', bits: 32 }, accumulatePj: 0.1, totalPj: 0.3 }
 * ```
 */
import { LowbitConfigError, checkInteger, checkFinite, type MultiplierPrecision, type OperandPrecision } from '@lowbit/quant-core';
import { energyTable, type EnergyTable } from './energy-table.js';
import {
  andEnergyPj, fpAddEnergyPj, fpExponentBits, fpMultiplyEnergyPj, intAddEnergyPj, intMultiplyEnergyPj, muxEnergyPj,
  shifterEnergyPj, xorEnergyPj,
} from './energy.js';

/** The circuit that performs the multiplication. */
export type MultiplierKind =
  | 'int-multiplier'
  | 'barrel-shifter'
  | 'exponent-adder'
  | 'xor'
  | 'mux'
  | 'and'
  | 'mux-negate'
  | 'fp-multiplier'
  | 'fp-exponent-adder'
  | 'approximate';

export interface AccumulatorSpec {
  kind: 'int' | 'float';
  bits: number;
}

export interface MacEnergy {
  multiplier: MultiplierKind;
  /** Energy of the multiplication, pJ. */
  multiplyPj: number;
  accumulator: AccumulatorSpec;
  /** Energy of the accumulate (one add at the accumulator width), pJ. */
  accumulatePj: number;
  totalPj: number;
}

export interface MacOptions {
  /** Products summed into one output (sets the derived accumulator width). */
  fanIn: number;
  /** Accumulator width fixed by the layer; derived when absent. */
  accumulatorBits?: number;
  /** Approximate multiplier replacing the exact one. */
  multiplier?: MultiplierPrecision;
  table?: EnergyTable;
}

const KINDS = ['float', 'int', 'pow2', 'binary', 'zero-one', 'ternary'] as const;

/** Validates an operand description (what quantizers and layers report). */
export function checkOperand(argument: string, p: unknown): OperandPrecision {
  if (typeof p !== 'object' || p === null) throw new LowbitConfigError(argument, p, 'expected {kind, bits, signed}');
  const o = p as OperandPrecision;
  if (!(KINDS as readonly string[]).includes(o.kind)) throw new LowbitConfigError(`${argument}.kind`, o.kind, `expected one of ${KINDS.join(', ')}`);
  checkInteger(`${argument}.bits`, o.bits, 1, 128);
  if (o.kind === 'binary' || o.kind === 'zero-one') checkInteger(`${argument}.bits`, o.bits, 1, 1);
  return o;
}

/**
 * Width of the fixed-point value an operand stands for, for sizing the accumulator: `bits` for
 * int, +-1, {0,1} and ternary; for pow2, a sign plus `2^(bits-1)` magnitude bits (the largest
 * shift of the (bits-1)-bit exponent range), capped at 64.
 */
export function linearBits(p: OperandPrecision): number {
  if (p.kind === 'pow2') return Math.min(64, 1 + 2 ** Math.max(0, p.bits - 1));
  return p.bits;
}

/** The accumulator a layer needs: float when an operand is float, else fixed or derived. */
export function accumulatorFor(weight: OperandPrecision, input: OperandPrecision, fanIn: number, accumulatorBits?: number): AccumulatorSpec {
  checkInteger('fanIn', fanIn, 1, Number.MAX_SAFE_INTEGER);
  if (accumulatorBits !== undefined) checkInteger('accumulatorBits', accumulatorBits, 1, 128);
  if (weight.kind === 'float' || input.kind === 'float') {
    const floatBits = Math.max(weight.kind === 'float' ? weight.bits : 0, input.kind === 'float' ? input.bits : 0);
    return { kind: 'float', bits: accumulatorBits ?? floatBits };
  }
  return { kind: 'int', bits: accumulatorBits ?? Math.min(128, linearBits(weight) + linearBits(input) + Math.ceil(Math.log2(fanIn))) };
}

/** Which circuit multiplies `weight` by `input`, and its energy per multiplication. */
export function multiplyEnergy(
  weight: OperandPrecision,
  input: OperandPrecision,
  table: EnergyTable = energyTable,
  multiplier?: MultiplierPrecision,
): { multiplier: MultiplierKind; energyPj: number } {
  checkOperand('weight', weight);
  checkOperand('input', input);
  if (multiplier !== undefined) {
    if (typeof multiplier !== 'object' || multiplier === null) throw new LowbitConfigError('multiplier', multiplier, 'expected {name, energyPj}');
    return { multiplier: 'approximate', energyPj: checkFinite('multiplier.energyPj', multiplier.energyPj, { min: 0 }) };
  }
  const either = (k: OperandPrecision['kind']) => weight.kind === k || input.kind === k;
  const other = (k: OperandPrecision['kind']) => (weight.kind === k ? input : weight);
  if (either('float')) {
    const f = weight.kind === 'float' ? weight : input; // the float operand (the wider if both are)
    const o = f === weight ? input : weight;
    switch (o.kind) {
      case 'float':
        return { multiplier: 'fp-multiplier', energyPj: fpMultiplyEnergyPj(Math.max(f.bits, o.bits), table) };
      case 'int':
        return { multiplier: 'fp-multiplier', energyPj: fpMultiplyEnergyPj(f.bits, table) };
      case 'pow2':
        return { multiplier: 'fp-exponent-adder', energyPj: intAddEnergyPj(fpExponentBits(f.bits, table), table) };
      case 'binary':
        return { multiplier: 'xor', energyPj: xorEnergyPj(1, table) }; // flip the sign bit
      case 'zero-one':
        return { multiplier: 'and', energyPj: andEnergyPj(f.bits, table) };
      case 'ternary':
        return { multiplier: 'mux-negate', energyPj: andEnergyPj(f.bits, table) + xorEnergyPj(1, table) };
    }
  }
  if (either('zero-one')) return { multiplier: 'and', energyPj: andEnergyPj(other('zero-one').bits, table) };
  if (either('binary')) {
    const o = other('binary');
    return o.kind === 'binary'
      ? { multiplier: 'xor', energyPj: xorEnergyPj(1, table) }
      : { multiplier: 'mux', energyPj: muxEnergyPj(o.bits, table) };
  }
  if (either('ternary')) {
    const b = other('ternary').bits;
    return { multiplier: 'mux-negate', energyPj: muxEnergyPj(b, table) + xorEnergyPj(b, table) };
  }
  if (either('pow2')) {
    const o = other('pow2');
    if (o.kind === 'pow2') {
      const exponentBits = Math.max(1, Math.max(weight.bits, input.bits) - 1);
      return { multiplier: 'exponent-adder', energyPj: intAddEnergyPj(exponentBits, table) + xorEnergyPj(1, table) };
    }
    return { multiplier: 'barrel-shifter', energyPj: shifterEnergyPj(o.bits, table) };
  }
  return { multiplier: 'int-multiplier', energyPj: intMultiplyEnergyPj(weight.bits, input.bits, table) };
}

/** Energy of one addition on the given accumulator. */
export function accumulateEnergyPj(acc: AccumulatorSpec, table: EnergyTable = energyTable): number {
  return acc.kind === 'float' ? fpAddEnergyPj(acc.bits, table) : intAddEnergyPj(acc.bits, table);
}

/** One multiply-accumulate: multiplier chosen from the operand kinds, plus one accumulator add. */
export function macEnergy(weight: OperandPrecision, input: OperandPrecision, options: MacOptions): MacEnergy {
  if (typeof options !== 'object' || options === null) throw new LowbitConfigError('options', options, 'expected {fanIn, accumulatorBits?, multiplier?, table?}');
  const table = options.table ?? energyTable;
  const mul = multiplyEnergy(weight, input, table, options.multiplier);
  const accumulator = accumulatorFor(weight, input, options.fanIn, options.accumulatorBits);
  const accumulatePj = accumulateEnergyPj(accumulator, table);
  return { multiplier: mul.multiplier, multiplyPj: mul.energyPj, accumulator, accumulatePj, totalPj: mul.energyPj + accumulatePj };
}
