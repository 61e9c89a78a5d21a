/**
 * `LowbitLogDense` (`logDense`): a Dense layer with log-quantized (power-of-two) weights and/or
 * activations, trained with `model.fit` on float shadow weights (STE through the quantizers), and
 * an inference path that runs the bit-shift kernel on exported integer codes.
 *
 * It is `quantDense` from @lowbit/quant-core (same tfjs arguments, `kernelQuantizer`,
 * `inputQuantizer`, `lowbitPrecision()`, `exportQuantized()`) plus `inferenceArithmetic`.
 * hw-model costs a pow2 operand times an int operand as a shifter, pow2 x pow2 as an adder of
 * exponents (from `lowbitPrecision()`).
 *
 * ```ts
 * const layer = logDense({ units: 10, kernelQuantizer: 'log2', inputQuantizer: { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false } }, inferenceArithmetic: 'shift' });
 * model.predict(x); // runs shiftMatMul on the integer codes
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitQuantDense, type QuantDenseArgs } from '@lowbit/quant-core';
import { shiftMatMul } from '../ops/shift-matmul.js';
import { type InferenceArithmetic, type LogLayerArgs, splitLogLayerArgs } from './log-layer-args.js';
import { productScale, shiftOperandOf, shiftReady } from './shift-inference.js';

export type LogDenseArgs = QuantDenseArgs & LogLayerArgs;

export class LowbitLogDense extends LowbitQuantDense {
  static override className = 'LowbitLogDense';
  readonly inferenceArithmetic: InferenceArithmetic;

  constructor(args: LogDenseArgs) {
    const { log, rest } = splitLogLayerArgs(args);
    super(rest);
    this.inferenceArithmetic = log.inferenceArithmetic;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    if (this.inferenceArithmetic === 'shift' && kwargs?.training !== true) {
      return this.shiftForward(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs);
    }
    return super.call(inputs, kwargs);
  }

  /**
   * Inference on integers: the input and kernel quantizers export codes, `shiftMatMul` computes
   * the product with shifts and adds, then bias and activation as in the float path. Equals the
   * fake-quantized forward up to float32 rounding of the float path's sums (exact when they are).
   */
  shiftForward(x: tf.Tensor): tf.Tensor {
    const ready = shiftReady(this.name, this.inputQuantizer, this.kernelQuantizer, this.kernel);
    const lastDim = x.shape[x.rank - 1] as number;
    const x2 = tf.reshape(x, [-1, lastDim]);
    const input = shiftOperandOf(ready.inputQuantizer.quantize(x2), 'input');
    x2.dispose();
    const kernel = shiftOperandOf(ready.kernelQuantizer.quantize(ready.kernel.read()), 'kernel');
    const product = shiftMatMul(input.codes, kernel.codes, { aKind: input.kind, bKind: kernel.kind, scale: productScale(input, kernel) });
    tf.dispose([input.codes, kernel.codes]);
    const y = tf.tidy(() => {
      let out: tf.Tensor = tf.reshape(product, [...x.shape.slice(0, -1), this.units]);
      if (this.bias) out = this.addBias(out, this.bias.read());
      return this.activationFn.apply(out);
    });
    product.dispose();
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), inferenceArithmetic: this.inferenceArithmetic };
  }
}
tf.serialization.registerClass(LowbitLogDense);

/** Creates a {@link LowbitLogDense}. */
export function logDense(args: LogDenseArgs): LowbitLogDense {
  return new LowbitLogDense(args);
}
