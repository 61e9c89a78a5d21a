/**
 * Energy of one multiply-accumulate, chosen from the kinds of its two operands and the layer's
 * arithmetic (`lowbitPrecision().arithmetic`, an `ArithmeticCost` from `@lowbit/quant-core`).
 *
 * With exact arithmetic (the default), the QKeras qtools rules (see the table in the README):
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
 *
 * Precedence when both operands are special: {0,1} first, then +-1, then ternary, then pow2.
 *
 * The arithmetic overrides the multiplier:
 * - `multiply: 'shift'`: a shifter whatever the operand kinds say: pow2 x pow2 is the exponent
 *   adder, pow2 x anything the barrel shifter of the other operand's bits, a power of two times a
 *   float the add to its exponent field; with no pow2 operand the weight is taken as the shift
 *   amount (shift arithmetics log-code the kernel) and the input is shifted;
 * - `multiply: 'approximate'`: the exact integer multiplier of the operand widths, from the table
 *   in use, times `energyRatio` (so one design costs differently under another table).
 *
 * The accumulate is one add at the accumulator width: float when either operand is float,
 * otherwise an integer adder of `accumulatorBits` (fixed by the layer) or of the derived width
 * `productBits + ceil(log2(fanIn))`, where `productBits = linearBits(w) + linearBits(a)`
 * ({@link linearBits}). That width always holds the worst-case sum of `fanIn` products (as a
 * signed accumulator when an operand is signed, unsigned otherwise; property-tested). With
 * `accumulate: 'log'` the accumulator is a log-domain register standing for that linear width
 * (see `log-accumulate-energy.ts`).
 *
 * ```ts
 * const int8 = { kind: 'int', bits: 8, signed: true } as const;
 * macEnergy(int8, int8, { fanIn: 784, accumulatorBits: 32 });
 * // { multiplier: 'int-multiplier', multiplyPj: 0.2, accumulator: { kind: 'int', bits: 32 },
 * //   accumulatePj: 0.1, totalPj: 0.3 }
 * ```
 */
import {
  LowbitConfigError,
  checkInteger,
  checkFinite,
  checkKnownKeys,
  type ArithmeticCost,
  type OperandPrecision,
} from '@lowbit/quant-core';
import { checkAccumulator } from './check-args.js';
import { energyTable, type EnergyTable } from './energy-table.js';
import {
  andEnergyPj,
  fpAddEnergyPj,
  fpExponentBits,
  fpMultiplyEnergyPj,
  intAddEnergyPj,
  intMultiplyEnergyPj,
  muxEnergyPj,
  shifterEnergyPj,
  xorEnergyPj,
} from './energy.js';
import { logAccumulateEnergyPj, logAccumulatorBits } from './log-accumulate-energy.js';

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
  /** `log`: a log-domain register (exponent in fixed point), for `accumulate: 'log'` arithmetics. */
  kind: 'int' | 'float' | 'log';
  bits: number;
  /** For `log`: the width of the linear sum it stands for (where the bias is added). */
  linearBits?: number;
}

export interface MacEnergy {
  multiplier: MultiplierKind;
  /** Energy of the multiplication, pJ. */
  multiplyPj: number;
  accumulator: AccumulatorSpec;
  /** Energy of the accumulate (one add at the accumulator width, or one log-domain add), pJ. */
  accumulatePj: number;
  totalPj: number;
}

export interface MacOptions {
  /** Products summed into one output (sets the derived accumulator width). */
  fanIn: number;
  /** Accumulator width fixed by the layer; derived when absent. */
  accumulatorBits?: number;
  /** The layer's arithmetic (`lowbitPrecision().arithmetic`); absent: exact. */
  arithmetic?: ArithmeticCost;
  table?: EnergyTable;
}

const KINDS = ['float', 'int', 'pow2', 'binary', 'zero-one', 'ternary'] as const;
const operandName = (p: OperandPrecision) => `${p.kind}${p.bits}`;
const MULTIPLY = ['exact', 'shift', 'approximate'] as const;
const ACCUMULATE = ['linear', 'log'] as const;

function checkName(argument: unknown): void {
  if (typeof argument !== 'string' || argument.length === 0) {
    throw new LowbitConfigError('argument', argument, 'expected the name of the checked argument (a non-empty string)');
  }
}

/** Validates an operand description (what quantizers and layers report). */
export function checkOperand(argument: string, p: unknown): OperandPrecision {
  checkName(argument);
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new LowbitConfigError(argument, p, 'expected {kind, bits, signed}');
  }
  checkKnownKeys(argument, p, ['kind', 'bits', 'signed']);
  const o = p as OperandPrecision;
  if (!(KINDS as readonly string[]).includes(o.kind))
    throw new LowbitConfigError(`${argument}.kind`, o.kind, `expected one of ${KINDS.join(', ')}`);
  checkInteger(`${argument}.bits`, o.bits, 1, 128);
  if (o.kind === 'binary' || o.kind === 'zero-one') checkInteger(`${argument}.bits`, o.bits, 1, 1);
  if (typeof o.signed !== 'boolean')
    throw new LowbitConfigError(`${argument}.signed`, o.signed, 'expected true or false');
  return o;
}

/** Validates an arithmetic's cost descriptor (what `Arithmetic.cost()` and layers report). */
export function checkArithmeticCost(argument: string, a: unknown): ArithmeticCost {
  checkName(argument);
  if (typeof a !== 'object' || a === null || Array.isArray(a))
    throw new LowbitConfigError(argument, a, 'expected {multiply, name, energyRatio?, accumulate?}');
  checkKnownKeys(argument, a, ['multiply', 'name', 'energyRatio', 'accumulate']);
  const c = a as ArithmeticCost;
  if (!(MULTIPLY as readonly string[]).includes(c.multiply)) {
    throw new LowbitConfigError(`${argument}.multiply`, c.multiply, `expected one of ${MULTIPLY.join(', ')}`);
  }
  if (typeof c.name !== 'string' || c.name === '')
    throw new LowbitConfigError(`${argument}.name`, c.name, 'expected a non-empty string');
  if (c.multiply === 'approximate') checkFinite(`${argument}.energyRatio`, c.energyRatio, { min: 0 });
  else if (c.energyRatio !== undefined) {
    throw new LowbitConfigError(
      `${argument}.energyRatio`,
      c.energyRatio,
      `only an approximate multiply has an energy ratio (multiply is "${c.multiply}")`,
    );
  }
  if (c.accumulate !== undefined && !(ACCUMULATE as readonly string[]).includes(c.accumulate)) {
    throw new LowbitConfigError(`${argument}.accumulate`, c.accumulate, `expected one of ${ACCUMULATE.join(', ')}`);
  }
  return c;
}

/**
 * Width of the fixed-point value an operand stands for, for sizing the accumulator: `bits` for
 * int, +-1, {0,1} and ternary; for pow2, a sign plus `2^(bits-1)` magnitude bits (the largest
 * shift of the (bits-1)-bit exponent range), capped at 64.
 */
export function linearBits(p: OperandPrecision): number {
  checkOperand('p', p);
  if (p.kind === 'pow2') return Math.min(64, 1 + 2 ** Math.max(0, p.bits - 1));
  return p.bits;
}

/**
 * The accumulator a layer needs: float when an operand is float, else fixed or derived; with
 * `accumulate: 'log'`, the log-domain register standing for the derived linear width (or of
 * `accumulatorBits` when the layer fixes it).
 */
export function accumulatorFor(
  weight: OperandPrecision,
  input: OperandPrecision,
  fanIn: number,
  accumulatorBits?: number,
  accumulate: 'linear' | 'log' = 'linear',
): AccumulatorSpec {
  checkOperand('weight', weight);
  checkOperand('input', input);
  checkInteger('fanIn', fanIn, 1, Number.MAX_SAFE_INTEGER);
  if (accumulate !== 'linear' && accumulate !== 'log') {
    throw new LowbitConfigError('accumulate', accumulate, 'expected "linear" or "log"');
  }
  if (accumulatorBits !== undefined) checkInteger('accumulatorBits', accumulatorBits, 1, 128);
  const float = weight.kind === 'float' || input.kind === 'float';
  if (accumulate === 'log') {
    if (float) {
      throw new LowbitConfigError(
        'arithmetic.accumulate',
        'log',
        `log-domain accumulation needs quantized operands (weight ${operandName(weight)}, input ${operandName(input)})`,
      );
    }
    const linear = Math.min(128, linearBits(weight) + linearBits(input) + Math.ceil(Math.log2(fanIn)));
    return { kind: 'log', bits: accumulatorBits ?? logAccumulatorBits(linear), linearBits: linear };
  }
  if (float) {
    const floatBits = Math.max(weight.kind === 'float' ? weight.bits : 0, input.kind === 'float' ? input.bits : 0);
    return { kind: 'float', bits: accumulatorBits ?? floatBits };
  }
  return {
    kind: 'int',
    bits: accumulatorBits ?? Math.min(128, linearBits(weight) + linearBits(input) + Math.ceil(Math.log2(fanIn))),
  };
}

/** The multiplier the operand kinds call for (exact arithmetic). */
function exactMultiply(
  weight: OperandPrecision,
  input: OperandPrecision,
  table: EnergyTable,
): { multiplier: MultiplierKind; energyPj: number } {
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
  if (either('pow2')) return shiftMultiply(weight, input, table);
  return { multiplier: 'int-multiplier', energyPj: intMultiplyEnergyPj(weight.bits, input.bits, table) };
}

/** Shift arithmetic: exponent adder (pow2 x pow2), else a shift of the operand that is not the power of two. */
function shiftMultiply(
  weight: OperandPrecision,
  input: OperandPrecision,
  table: EnergyTable,
): { multiplier: MultiplierKind; energyPj: number } {
  if (weight.kind === 'pow2' && input.kind === 'pow2') {
    const exponentBits = Math.max(1, Math.max(weight.bits, input.bits) - 1);
    return { multiplier: 'exponent-adder', energyPj: intAddEnergyPj(exponentBits, table) + xorEnergyPj(1, table) };
  }
  // The shifted operand: the one that is not pow2; with no pow2 operand, the input (the kernel is the log code).
  const shifted = weight.kind === 'pow2' ? input : input.kind === 'pow2' ? weight : input;
  if (shifted.kind === 'float') {
    return { multiplier: 'fp-exponent-adder', energyPj: intAddEnergyPj(fpExponentBits(shifted.bits, table), table) };
  }
  return { multiplier: 'barrel-shifter', energyPj: shifterEnergyPj(shifted.bits, table) };
}

/** Which circuit multiplies `weight` by `input` under `arithmetic` (default exact), and its energy per product. */
export function multiplyEnergy(
  weight: OperandPrecision,
  input: OperandPrecision,
  table: EnergyTable = energyTable,
  arithmetic?: ArithmeticCost,
): { multiplier: MultiplierKind; energyPj: number } {
  checkOperand('weight', weight);
  checkOperand('input', input);
  const a = arithmetic === undefined ? undefined : checkArithmeticCost('arithmetic', arithmetic);
  switch (a?.multiply ?? 'exact') {
    case 'exact':
      return exactMultiply(weight, input, table);
    case 'shift':
      return shiftMultiply(weight, input, table);
    case 'approximate': {
      if (weight.kind === 'float' || input.kind === 'float') {
        throw new LowbitConfigError(
          'arithmetic',
          a!.name,
          `an approximate multiplier needs integer operands (weight ${operandName(weight)}, input ${operandName(
            input,
          )})`,
        );
      }
      return {
        multiplier: 'approximate',
        energyPj: intMultiplyEnergyPj(weight.bits, input.bits, table) * a!.energyRatio!,
      };
    }
  }
}

/** Energy of one addition on the given accumulator (one log-domain add for a `log` accumulator). */
export function accumulateEnergyPj(acc: AccumulatorSpec, table: EnergyTable = energyTable): number {
  checkAccumulator('acc', acc);
  if (acc.kind === 'log') return logAccumulateEnergyPj(acc.bits, table);
  return acc.kind === 'float' ? fpAddEnergyPj(acc.bits, table) : intAddEnergyPj(acc.bits, table);
}

/** One multiply-accumulate: multiplier chosen from the operand kinds and the arithmetic, plus one accumulate. */
export function macEnergy(weight: OperandPrecision, input: OperandPrecision, options: MacOptions): MacEnergy {
  if (typeof options !== 'object' || options === null) {
    throw new LowbitConfigError('options', options, 'expected {fanIn, accumulatorBits?, arithmetic?, table?}');
  }
  checkKnownKeys('options', options, ['fanIn', 'accumulatorBits', 'arithmetic', 'table']);
  const table = options.table ?? energyTable;
  const mul = multiplyEnergy(weight, input, table, options.arithmetic);
  const accumulator = accumulatorFor(
    weight,
    input,
    options.fanIn,
    options.accumulatorBits,
    options.arithmetic?.accumulate,
  );
  const accumulatePj = accumulateEnergyPj(accumulator, table);
  return {
    multiplier: mul.multiplier,
    multiplyPj: mul.energyPj,
    accumulator,
    accumulatePj,
    totalPj: mul.energyPj + accumulatePj,
  };
}
