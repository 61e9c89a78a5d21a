/**
 * The WAGE error quantizer Q_E: identity in the forward pass; in the backward pass the error
 * (the gradient arriving from above) becomes `Q(C(e / Shift(max|e|), k_E), k_E)`, with the max
 * over the whole tensor (batch included). Dividing by a power of two keeps the direction and the
 * relative sizes of the error; only its k_E-bit pattern flows further down. An all-zero error
 * stays zero. The math is quant-core's `wageQuantizeError`; this file adds the op. NaN values
 * pass through the forward pass unchanged (it is the identity), as in tfjs.
 *
 * The layers use it through `LowbitWageActivationQuantizer` (`errorBits`): `wageActivation`
 * applies it after each ReLU, `wageErrorQuantizer` on the network output.
 *
 * ```ts
 * const y = errorQuantizerOp(x, 8); // y equals x; dL/dx = wageQuantizeError(dL/dy, 8)
 * // an error [0.3, -0.05, 0.001]: Shift(0.3) = 0.25 -> [0.9921875, -0.203125, 0.0078125]
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, unaryCustomGrad, wageQuantizeError } from '@lowbit/quant-core';
import { checkWageBits } from './bits.js';

/** Identity forward; backward `wageQuantizeError(dy, errorBits)` (quant-core). */
export function errorQuantizerOp(x: tf.Tensor, errorBits: number): tf.Tensor {
  checkFloatTensor('x', x);
  checkWageBits('errorBits', errorBits);
  return unaryCustomGrad((input) => ({ value: input, gradFunc: (dy) => wageQuantizeError(dy, errorBits) }))(x);
}
