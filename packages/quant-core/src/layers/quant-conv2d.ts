/**
 * `LowbitQuantConv2D` (`quantConv2d`): tfjs's Conv2D with optional kernel and input quantizers.
 * Same arguments and defaults as `tf.layers.conv2d` (filters, kernelSize, strides, padding,
 * dataFormat `channelsLast`, dilationRate, activation, useBias, initializers, regularizers,
 * constraints); with no quantizer it computes exactly what `tf.layers.conv2d` computes.
 *
 * ```ts
 * const conv = quantConv2d({ filters: 32, kernelSize: 5, activation: 'relu', kernelQuantizer: 'wrpn' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional.js';
import { LowbitConfigError } from '../errors.js';
import { checkInteger } from '../validate.js';
import { addChannelBias, fromNhwc, toNhwc } from './conv-utils.js';
import { fusedActivationOf } from './layer-utils.js';
import type { QuantizerArgs } from './quant-layer.js';
import { LowbitQuantConvLayer } from './quant-conv-layer.js';

export type QuantConv2DArgs = ConvLayerArgs & QuantizerArgs;

export class LowbitQuantConv2D extends LowbitQuantConvLayer {
  static className = 'LowbitQuantConv2D';

  constructor(args: QuantConv2DArgs) {
    if (args !== null && typeof args === 'object') checkInteger('filters', args.filters, 1, Number.MAX_SAFE_INTEGER);
    super(args, (rest) => tfl.layers.conv2d(rest as unknown as ConvLayerArgs));
  }

  get filters(): number {
    return this.ref<number>('filters');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channelAxis = this.dataFormat === 'channelsFirst' ? 1 : shape.length - 1;
    const inputDim = shape[channelAxis];
    if (inputDim == null)
      throw new LowbitConfigError(
        `${this.name}.inputShape`,
        shape,
        'the channel dimension of the input must be defined',
      );
    this.buildWeights(
      'kernel',
      [...this.kernelSize, inputDim, this.filters],
      'kernel',
      this.filters,
      shape,
      this.computeOutputShape(shape) as tfl.Shape,
    );
    this.inputSpec = [{ ndim: 4, axes: { [channelAxis]: inputDim } }];
  }

  lowbitOperation(): 'conv2d' {
    return 'conv2d';
  }

  /** The convolution (no bias, no activation), in the layer's data format. */
  protected exactProduct(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    return this.convolve(inputs, kernel, null, 'linear');
  }

  protected stockForward(inputs: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    // As tfjs-layers: the bias is always fused; the activation only when tfjs has a fused kernel.
    const fused = fusedActivationOf(this.activationFn);
    const y = this.convolve(inputs, kernel, bias, fused ?? 'linear');
    return fused !== null ? y : this.activationFn.apply(y);
  }

  protected addBias(product: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return addChannelBias(product, bias, this.dataFormat);
  }

  private convolve(
    inputs: tf.Tensor,
    kernel: tf.Tensor,
    bias: tf.Tensor | null,
    activation: 'linear' | 'relu' | 'elu',
  ): tf.Tensor {
    const y = tf.fused.conv2d({
      x: toNhwc(inputs, this.dataFormat),
      filter: kernel as tf.Tensor4D,
      strides: this.strides,
      pad: this.padding === 'same' ? 'same' : 'valid',
      dilations: this.dilationRate,
      dataFormat: 'NHWC',
      bias: bias ?? undefined,
      activation,
    });
    return fromNhwc(y, this.dataFormat);
  }
}
tf.serialization.registerClass(LowbitQuantConv2D);

/** Creates a {@link LowbitQuantConv2D}. */
export function quantConv2d(args: QuantConv2DArgs): LowbitQuantConv2D {
  return new LowbitQuantConv2D(args);
}
