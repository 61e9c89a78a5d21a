/**
 * The two quantizers the example compares, from @lowbit/quant-core: LogQuant (`LowbitLogQuantizer`,
 * base 2) and the paper's LinearQuant baseline (`LowbitLinearFsrQuantizer`, unsigned only), each
 * with a fixed full-scale exponent.
 */
import { LowbitLinearFsrQuantizer, LowbitLogQuantizer, type Quantizer } from '@lowbit/quant-core';

export type QuantKind = 'log' | 'linear';

export function makeQuantizer(o: { kind: QuantKind; bits: number; fsr: number; signed: boolean }): Quantizer {
  if (o.kind === 'log') return new LowbitLogQuantizer({ bits: o.bits, fsr: o.fsr, signed: o.signed, base: 2 });
  return new LowbitLinearFsrQuantizer({ bits: o.bits, fsr: o.fsr });
}
