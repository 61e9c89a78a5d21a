/**
 * `LowbitQuantDepthwiseConv2D` (`quantDepthwiseConv2d`): tfjs's DepthwiseConv2D with optional
 * kernel and input quantizers. Same arguments and defaults as `tf.layers.depthwiseConv2d`
 * (kernelSize, depthMultiplier, strides, padding, dataFormat, activation, useBias,
 * depthwiseInitializer/Regularizer/Constraint, bias*); with no quantizer it computes exactly what
 * `tf.layers.depthwiseConv2d` computes. The kernel weight keeps tfjs's name `depthwise_kernel`.
 *
 * One deliberate difference: tfjs 4.22 ignores `dilationRate` in this layer; we apply it (as
 * Keras does). With the default dilation of 1 the two agree.
 *
 * ```ts
 * const dw = quantDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, kernelQuantizer: 'wrpn' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DepthwiseConv2DLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional_depthwise.js';
import { LowbitConfigError } from '../errors.js';
import { checkInteger } from '../validate.js';
import { addChannelBias, fromNhwc, toNhwc } from './conv-utils.js';
import type { QuantizerArgs } from './quant-layer.js';
import { LowbitQuantConvLayer } from './quant-conv-layer.js';

export type QuantDepthwiseConv2DArgs = DepthwiseConv2DLayerArgs & QuantizerArgs;

export class LowbitQuantDepthwiseConv2D extends LowbitQuantConvLayer {
  static className = 'LowbitQuantDepthwiseConv2D';

  constructor(args: QuantDepthwiseConv2DArgs) {
    if (args !== null && typeof args === 'object' && args.depthMultiplier != null) {
      checkInteger('depthMultiplier', args.depthMultiplier, 1, Number.MAX_SAFE_INTEGER);
    }
    super(args, (rest) => tfl.layers.depthwiseConv2d(rest as unknown as DepthwiseConv2DLayerArgs));
  }

  get depthMultiplier(): number {
    return this.ref<number>('depthMultiplier');
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 4)
      throw new LowbitConfigError(`${this.name}.inputShape`, shape, 'expected a rank-4 input shape');
    const channelAxis = this.dataFormat === 'channelsFirst' ? 1 : 3;
    const inputDim = shape[channelAxis];
    if (inputDim == null || inputDim < 0)
      throw new LowbitConfigError(
        `${this.name}.inputShape`,
        shape,
        'the channel dimension of the input must be defined',
      );
    const kernelShape = [...this.kernelSize, inputDim, this.depthMultiplier];
    this.buildWeights(
      'depthwise_kernel',
      kernelShape,
      'depthwise',
      inputDim * this.depthMultiplier,
      shape,
      this.computeOutputShape(shape) as tfl.Shape,
    );
  }

  lowbitOperation(): 'depthwise-conv2d' {
    return 'depthwise-conv2d';
  }

  /** The depthwise convolution (no bias, no activation), in the layer's data format. */
  protected exactProduct(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    const y = tf.depthwiseConv2d(
      toNhwc(inputs, this.dataFormat),
      kernel as tf.Tensor4D,
      this.strides,
      this.padding === 'same' ? 'same' : 'valid',
      'NHWC',
      this.dilationRate,
    );
    return fromNhwc(y, this.dataFormat);
  }

  /** tfjs does not fuse this layer: product, then bias, then activation. */
  protected stockForward(inputs: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    let y = this.exactProduct(inputs, kernel);
    if (bias) y = this.addBias(y, bias);
    return this.activationFn.apply(y);
  }

  protected addBias(product: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return addChannelBias(product, bias, this.dataFormat);
  }

  /** tfjs 4.22 saves `depthwiseRegularizer` under `depthwiseConstraint`; we save the constraint. */
  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    const constraint = this.ref<tf.serialization.Serializable | null>('depthwiseConstraint');
    config.depthwiseConstraint = constraint
      ? { className: constraint.getClassName(), config: constraint.getConfig() }
      : null;
    return config;
  }
}
tf.serialization.registerClass(LowbitQuantDepthwiseConv2D);

/** Creates a {@link LowbitQuantDepthwiseConv2D}. */
export function quantDepthwiseConv2d(args: QuantDepthwiseConv2DArgs): LowbitQuantDepthwiseConv2D {
  return new LowbitQuantDepthwiseConv2D(args);
}
