/**
 * Operand LSB dropping: the `dropA` / `dropW` least significant bits of each magnitude are forced
 * to zero before an exact multiplication (a narrower exact multiplier, its product shifted back).
 *
 * ```ts
 * const m = operandTruncationMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: false }, dropA: 1, dropW: 0 });
 * m.product(5, 3); // 12 = 4 * 3
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { partialProductArrayGates } from '../gate-count.js';
import { checkOperand } from '../operand.js';
import { maskOf } from './partial-products.js';

export interface OperandTruncationOptions extends OperandOptions {
  /** Activation LSBs forced to zero: 0 .. b_a - 1. */
  dropA: number;
  /** Weight LSBs forced to zero: 0 .. b_w - 1. */
  dropW: number;
}

export function operandTruncationMultiplier(options: OperandTruncationOptions): AppMul {
  checkObject('options', options, '{ a, w, dropA, dropW }');
  checkKnownKeys('options', options, ['a', 'w', 'dropA', 'dropW']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const dropA = checkInteger('dropA', options.dropA, 0, a.bits - 1);
  const dropW = checkInteger('dropW', options.dropW, 0, w.bits - 1);
  if (dropA === 0 && dropW === 0)
    throw new LowbitConfigError('dropA, dropW', [dropA, dropW], 'drop at least one bit (0, 0 is the exact multiplier)');
  const maskA = ~((1 << dropA) - 1);
  const maskW = ~((1 << dropW) - 1);
  const gates = partialProductArrayGates(maskOf(a.bits, w.bits, (i, j) => i >= dropA && j >= dropW));
  return behaviouralAppMul(
    { a, w },
    'operand-truncation',
    `lsb${dropA}x${dropW}`,
    { dropA, dropW },
    (x, y) => (x & maskA) * (y & maskW),
    gates,
  );
}
