/**
 * `LowbitShiftArithmetic` (`'shift'`): products of log-coded (power-of-two) kernels with log or
 * fixed-point inputs computed with shifts and adds, as the paper's accelerator does (Miyashita,
 * Lee, Murmann 2016): a log x int product is the integer shifted by the exponent, a log x log
 * product adds the exponents. Accumulation is exact (integer).
 *
 * - Training: the exact product of the fake-quantized operands (tfjs's fused path), so the
 *   straight-through gradients reach the float shadow weights as with `'exact'`.
 * - Inference (`predict`, `apply` without `training`): the integer codes of the input and kernel
 *   go through `shiftMatMul` / `shiftConv2d` / `shiftDepthwiseConv2d`. With base 2 and sums
 *   below 2^24 the result equals the exact product bit for bit; otherwise it is the exact sum
 *   rounded once to float32 (the stock product rounds every partial sum).
 * - `integerProduct` (the layer's `integerForward`): the same on the exported codes.
 * - `cost()`: `{ multiply: 'shift', name: 'shift' }` (hw-model: a barrel shifter for pow2 x int,
 *   an exponent adder for pow2 x pow2).
 * - `validate`: the kernel quantizer must give pow2 codes, the input quantizer pow2 or int codes.
 *
 * ```ts
 * const fc = quantDense({
 *   units: 10,
 *   kernelQuantizer: 'log2',
 *   inputQuantizer: { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false } },
 *   arithmetic: 'shift',
 * });
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { registerArithmetic, type ArithmeticCost } from '@lowbit/quant-core';
import { CodeArithmetic } from './code-arithmetic.js';
import type { ShiftCodes } from './shift-codes.js';
import { shiftProduct, type ProductLayout } from './shift-product.js';

export class LowbitShiftArithmetic extends CodeArithmetic {
  static className = 'LowbitShiftArithmetic';
  protected readonly kernelKinds = ['pow2'] as const;
  protected readonly inputKinds = ['pow2', 'int'] as const;
  protected readonly what = 'shift products';

  protected run(input: ShiftCodes, kernel: ShiftCodes, layout: ProductLayout): tf.Tensor {
    return shiftProduct(input, kernel, layout);
  }

  cost(): ArithmeticCost {
    return { multiply: 'shift', name: 'shift' };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
registerArithmetic(LowbitShiftArithmetic, ['shift']);
