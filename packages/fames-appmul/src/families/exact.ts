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
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { keepAll, partialProductArrayGates } from '../gate-count.js';

export function exactMultiplier(options: OperandOptions): AppMul {
  const gates = options?.a && options?.w ? partialProductArrayGates(keepAll(options.a.bits, options.w.bits)) : 0;
  return behaviouralAppMul(options, 'exact', 'exact', {}, (x, y) => x * y, gates);
}
