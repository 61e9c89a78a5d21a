/**
 * `LowbitLogAccumulateArithmetic` (`'log-accumulate'`): log x log products whose running sums stay
 * in the log domain, the accumulation of Miyashita, Lee and Murmann (2016): two log values add
 * as `max(a, b) + lut(|a - b|)` on fixed-point exponents with `fracBits` fractional bits
 * (`log-accumulate.ts`), positive and negative terms in two registers subtracted once per output.
 * It is approximate: the error against exact accumulation grows with the fan-in (README table).
 *
 * - Training: the exact product of the fake-quantized operands (straight-through as `'exact'`).
 * - Inference and `integerProduct`: every output accumulated in the log domain from the integer
 *   codes (`logDomainMatMul`; conv2d and depthwise conv2d through patches of the codes).
 * - `cost()`: `{ multiply: 'shift', name: 'log-accumulate', accumulate: 'log' }`.
 * - `validate`: both quantizers must give pow2 codes (with base sqrt 2, `fracBits >= 1`, checked
 *   when the codes are seen).
 *
 * ```ts
 * quantDense({ units: 10, kernelQuantizer: 'log2', inputQuantizer: 'log2', arithmetic: 'log-accumulate' });
 * quantDense({ units: 10, kernelQuantizer: 'log2', inputQuantizer: 'log2',
 *   arithmetic: { className: 'LowbitLogAccumulateArithmetic', config: { fracBits: 5 } } });
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkConfig, checkInteger, registerArithmetic, type ArithmeticCost } from '@lowbit/quant-core';
import { CodeArithmetic } from './code-arithmetic.js';
import { logAccumulateProduct } from './log-accumulate-product.js';
import type { ShiftCodes } from './shift-codes.js';
import type { ProductLayout } from './shift-product.js';

export interface LogAccumulateConfig {
  /** Fractional bits of the accumulator's exponent, 0..8 (default 3: an eighth of an octave). */
  fracBits?: number;
}

/** Default table resolution: 36 entries, the figure hw-model costs a log-domain add at. */
export const DEFAULT_LOG_ACCUMULATE_FRAC_BITS = 3;

export class LowbitLogAccumulateArithmetic extends CodeArithmetic {
  static className = 'LowbitLogAccumulateArithmetic';
  protected readonly kernelKinds = ['pow2'] as const;
  protected readonly inputKinds = ['pow2'] as const;
  protected readonly what = 'log-domain accumulation';
  readonly fracBits: number;

  constructor(config: LogAccumulateConfig = {}) {
    super();
    const c = checkConfig<LogAccumulateConfig>(LowbitLogAccumulateArithmetic.className, config, ['fracBits']);
    this.fracBits = checkInteger('fracBits', c.fracBits ?? DEFAULT_LOG_ACCUMULATE_FRAC_BITS, 0, 8);
  }

  protected run(input: ShiftCodes, kernel: ShiftCodes, layout: ProductLayout): tf.Tensor {
    return logAccumulateProduct(input, kernel, layout, this.fracBits);
  }

  cost(): ArithmeticCost {
    return { multiply: 'shift', name: 'log-accumulate', accumulate: 'log' };
  }

  getConfig(): tf.serialization.ConfigDict {
    return { fracBits: this.fracBits };
  }
}
registerArithmetic(LowbitLogAccumulateArithmetic, ['log-accumulate']);
