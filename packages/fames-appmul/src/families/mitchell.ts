/**
 * Mitchell's logarithmic multiplier (Mitchell 1962): with `x = 2^k (1 + f)` (k the leading-one
 * position, f in [0, 1)), `log2 x ~ k + f`; the logs are added and the antilog taken the same way:
 * `x y ~ 2^(k1+k2) (1 + f1 + f2)` when `f1 + f2 < 1`, else `2^(k1+k2+1) (f1 + f2)`. Always
 * underestimates (at most about 11.1%). `fractionBits` truncates each f to that many bits (a
 * narrower adder); the product is floored to an integer.
 *
 * ```ts
 * const m = mitchellMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false } });
 * m.product(3, 3); // 8 (exact: 9)
 * ```
 */
import { checkInteger, checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { adderGates, barrelShifterGates, leadingOneDetectorGates } from '../gate-count.js';
import { checkOperand } from '../operand.js';

export interface MitchellOptions extends OperandOptions {
  /** Fraction bits kept per operand, 1 .. max(b_a, b_w) - 1; default max(b_a, b_w) - 1 (no truncation). */
  fractionBits?: number;
}

export function mitchellMultiplier(options: MitchellOptions): AppMul {
  checkObject('options', options, '{ a, w, fractionBits }');
  checkKnownKeys('options', options, ['a', 'w', 'fractionBits']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const widest = Math.max(a.bits, w.bits);
  const t = checkInteger('fractionBits', options.fractionBits ?? widest - 1, 1, widest - 1);
  const fraction = (x: number, k: number) => Math.floor(((x - 2 ** k) * 2 ** t) / 2 ** k); // f in units of 2^-t
  const core = (x: number, y: number) => {
    if (x === 0 || y === 0) return 0;
    const k1 = 31 - Math.clz32(x);
    const k2 = 31 - Math.clz32(y);
    const s = fraction(x, k1) + fraction(y, k2);
    const mantissa = s < 2 ** t ? 2 ** t + s : 2 * s; // units of 2^-t
    return Math.floor((mantissa * 2 ** (k1 + k2)) / 2 ** t);
  };
  // Two leading-one detectors, two normalising shifters (fractions), the log adder (fractions plus
  // characteristics) and the antilog shifter of the (t + 1)-bit mantissa.
  const gates =
    leadingOneDetectorGates(a.bits) +
    leadingOneDetectorGates(w.bits) +
    barrelShifterGates(a.bits - 1, a.bits - 1) +
    barrelShifterGates(w.bits - 1, w.bits - 1) +
    adderGates(t + Math.ceil(Math.log2(widest)) + 1) +
    barrelShifterGates(t + 1, a.bits + w.bits - 2);
  return behaviouralAppMul({ a, w }, 'mitchell', `mitchell_f${t}`, { fractionBits: t }, core, gates);
}
