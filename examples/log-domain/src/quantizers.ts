/**
 * The quantizers compared, all from `@lowbit/quant-core`:
 *
 * - activations (after ReLU, unsigned): LogQuant (`LowbitLogQuantizer`, base 2) against the paper's
 *   LinearQuant (`LowbitLinearFsrQuantizer`), each with a full-scale exponent (FSR) that is fixed
 *   (post-training, chosen per method) or `'auto'` (round(log2 max) of every tensor, in training);
 * - weights (signed): LogQuant with FSR `'auto'` per tensor against a symmetric linear grid over
 *   max|w| per tensor (`LowbitUniformQuantizer`, 2^(b-1) - 1 levels a side), quant-core having no
 *   signed LinearQuant.
 *
 * ```ts
 * activationQuantizer('log', 3, 2);   // 0 and 2^-4 .. 2^2
 * weightQuantizer('linear', 5);
 * ```
 */
import {
  LowbitLinearFsrQuantizer,
  LowbitLogQuantizer,
  LowbitUniformQuantizer,
  type Quantizer,
} from '@lowbit/quant-core';

export type QuantKind = 'log' | 'linear';

export function activationQuantizer(kind: QuantKind, bits: number, fsr: number | 'auto'): Quantizer {
  return kind === 'log'
    ? new LowbitLogQuantizer({ bits, fsr, signed: false, base: 2 })
    : new LowbitLinearFsrQuantizer({ bits, fsr });
}

export function weightQuantizer(kind: QuantKind, bits: number): Quantizer {
  return kind === 'log'
    ? new LowbitLogQuantizer({ bits, fsr: 'auto', signed: true, base: 2 })
    : new LowbitUniformQuantizer({ bits, signed: true, symmetric: true, range: 'minmax' });
}
