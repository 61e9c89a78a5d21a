/**
 * Small helpers shared by the quantized convolution layers: data-format transposes and the
 * channel-axis bias add, written as tfjs-layers does them so results match bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';

export type DataFormat = 'channelsFirst' | 'channelsLast';

/** NCHW -> NHWC when the layer works channels-first (tfjs kernels run NHWC). */
export function toNhwc(x: tf.Tensor, dataFormat: DataFormat): tf.Tensor4D {
  return (dataFormat === 'channelsFirst' ? tf.transpose(x, [0, 2, 3, 1]) : x) as tf.Tensor4D;
}

/** NHWC -> NCHW when the layer works channels-first. */
export function fromNhwc(y: tf.Tensor, dataFormat: DataFormat): tf.Tensor {
  return dataFormat === 'channelsFirst' ? tf.transpose(y, [0, 3, 1, 2]) : y;
}

/** Adds a per-channel bias to a rank-4 tensor in `dataFormat`. */
export function addChannelBias(y: tf.Tensor, bias: tf.Tensor, dataFormat: DataFormat): tf.Tensor {
  const c = bias.shape[0];
  return tf.add(y, tf.reshape(bias, dataFormat === 'channelsFirst' ? [1, c, 1, 1] : [1, 1, 1, c]));
}
