/**
 * The exact multiplier: an array multiplier (sign-magnitude wrapped for signed operands), the
 * reference every approximate design's energy is scaled against.
 *
 * ```ts
 * const m = exactMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: true } });
 * m.product(200, -100); // -20000
 * m.energyPj;           // 0.2 pJ: the exact 8x8 multiplier (hw-model's integer multiplier)
 * ```
 */
import { checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { keepAll, partialProductArrayGates } from '../gate-count.js';
import { checkOperand } from '../operand.js';

export function exactMultiplier(options: OperandOptions): AppMul {
  checkObject('options', options, '{ a, w }');
  checkKnownKeys('options', options, ['a', 'w']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  return behaviouralAppMul(
    { a, w },
    'exact',
    'exact',
    {},
    (x, y) => x * y,
    partialProductArrayGates(keepAll(a.bits, w.bits)),
  );
}
