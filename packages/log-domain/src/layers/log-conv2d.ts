/**
 * `LowbitLogConv2D` (`logConv2d`): a Conv2D layer with log-quantized (power-of-two) weights and/or
 * activations; `quantConv2d` from @lowbit/quant-core (same tfjs arguments, `kernelQuantizer`,
 * `inputQuantizer`, `lowbitPrecision()`, `exportQuantized()`) plus `inferenceArithmetic`:
 * `'shift'` makes inference export integer codes and run `shiftConv2d` (dilation 1 only).
 *
 * ```ts
 * const conv = logConv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelQuantizer: 'log2', inputQuantizer: 'log2', inferenceArithmetic: 'shift' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitQuantConv2D, type QuantConv2DArgs } from '@lowbit/quant-core';
import { shiftConv2d } from '../ops/shift-conv2d.js';
import { type InferenceArithmetic, type LogLayerArgs, splitLogLayerArgs } from './log-layer-args.js';
import { productScale, shiftOperandOf, shiftReady } from './shift-inference.js';

export type LogConv2DArgs = QuantConv2DArgs & LogLayerArgs;

export class LowbitLogConv2D extends LowbitQuantConv2D {
  static override className = 'LowbitLogConv2D';
  readonly inferenceArithmetic: InferenceArithmetic;

  constructor(args: LogConv2DArgs) {
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

  /** Inference on integer codes with `shiftConv2d`, then bias and activation (see `LowbitLogDense.shiftForward`). */
  shiftForward(x: tf.Tensor): tf.Tensor {
    const ready = shiftReady(this.name, this.inputQuantizer, this.kernelQuantizer, this.kernel);
    if (this.dilationRate.some((d) => d !== 1)) throw new LowbitConfigError(`${this.name}.dilationRate`, this.dilationRate, 'shift inference supports dilation 1 only');
    if (x.rank !== 4) throw new LowbitConfigError(`${this.name}.inputs`, x, 'expected a rank-4 input (batch, rows, cols, channels)');
    const channelsFirst = this.dataFormat === 'channelsFirst';
    const nhwc = channelsFirst ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const input = shiftOperandOf(ready.inputQuantizer.quantize(nhwc), 'input');
    if (channelsFirst) nhwc.dispose();
    const kernel = shiftOperandOf(ready.kernelQuantizer.quantize(ready.kernel.read()), 'kernel');
    const product = shiftConv2d(input.codes, kernel.codes, {
      xKind: input.kind,
      filterKind: kernel.kind,
      strides: this.strides,
      pad: this.padding === 'same' ? 'same' : 'valid',
      scale: productScale(input, kernel),
    });
    tf.dispose([input.codes, kernel.codes]);
    const y = tf.tidy(() => {
      let out: tf.Tensor = channelsFirst ? tf.transpose(product, [0, 3, 1, 2]) : product;
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
tf.serialization.registerClass(LowbitLogConv2D);

/** Creates a {@link LowbitLogConv2D}. */
export function logConv2d(args: LogConv2DArgs): LowbitLogConv2D {
  return new LowbitLogConv2D(args);
}
