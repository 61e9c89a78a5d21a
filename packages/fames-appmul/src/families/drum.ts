/**
 * DRUM, the dynamic-range unbiased multiplier (Hashemi, Bahar, Reda 2015): each magnitude keeps
 * only the `k` bits starting at its leading one, the lowest kept bit forced to 1 (which makes the
 * error unbiased), multiplies those `k x k` and shifts back. Magnitudes below 2^k are exact.
 *
 * ```ts
 * const m = drumMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false }, k: 4 });
 * m.product(255, 1); // 240: 1111_1111 keeps 1111 (lowest kept bit set), shifted back by 4
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import {
  GATES,
  barrelShifterGates,
  keepAll,
  leadingOneDetectorGates,
  partialProductArrayGates,
} from '../gate-count.js';
import { checkOperand } from '../operand.js';

export interface DrumOptions extends OperandOptions {
  /** Bits kept per operand, 2 .. max(b_a, b_w) - 1. */
  k: number;
}

/** The DRUM approximation of one magnitude: `k` bits from the leading one, lowest kept bit set. */
export function drumSegment(x: number, k: number): number {
  checkInteger('k', k, 1, 30);
  checkInteger('x', x, 0, 2 ** 31 - 1);
  return segment(x, k);
}

function segment(x: number, k: number): number {
  if (x < 2 ** k) return x;
  const shift = 31 - Math.clz32(x) - k + 1;
  return ((x >> shift) | 1) << shift;
}

export function drumMultiplier(options: DrumOptions): AppMul {
  checkObject('options', options, '{ a, w, k }');
  checkKnownKeys('options', options, ['a', 'w', 'k']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const widest = Math.max(a.bits, w.bits);
  if (widest < 3)
    throw new LowbitConfigError(
      'a.bits, w.bits',
      [a.bits, w.bits],
      'DRUM needs an operand of at least 3 bits (k < bits)',
    );
  const k = checkInteger('k', options.k, 2, widest - 1);
  const kA = Math.min(k, a.bits);
  const kW = Math.min(k, w.bits);
  // Two leading-one detectors, k-bit segment selection (a (b-k+1)-input mux per kept bit), the
  // k x k exact array and the output shifter of the 2k-bit product.
  const gates =
    leadingOneDetectorGates(a.bits) +
    leadingOneDetectorGates(w.bits) +
    kA * (a.bits - kA) * GATES.mux2 +
    kW * (w.bits - kW) * GATES.mux2 +
    partialProductArrayGates(keepAll(kA, kW)) +
    barrelShifterGates(kA + kW, a.bits - kA + (w.bits - kW));
  return behaviouralAppMul({ a, w }, 'drum', `drum${k}`, { k }, (x, y) => segment(x, k) * segment(y, k), gates);
}
