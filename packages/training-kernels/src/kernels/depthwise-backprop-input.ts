/**
 * DepthwiseConv2dNativeBackpropInput, composed from tf ops: `dy` (ci * m channels) spread by the
 * strides and padded, one depthwise conv (multiplier 1, dilated) with the spatially flipped
 * filter laid out per output channel, then a sum over the m multiplier channels of each input
 * channel. The stock wasm backend has no depthwise backprop kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composedKernel } from './composed-kernel.js';
import { fullCorrelationGrad, geometry } from './patches.js';

export function depthwiseBackpropInputComposed(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs,
): tf.Tensor4D {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const g = geometry(info);
  const [fh, fw, ci, m] = filter.shape;
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, ci * m, 1]) as tf.Tensor4D;
  const dilation: [number, number] = [g.dilationHeight, g.dilationWidth];
  const perOutput = fullCorrelationGrad(dy, g, (padded) =>
    tf.depthwiseConv2d(padded, flipped, 1, 'valid', 'NHWC', dilation),
  );
  if (m === 1) return perOutput;
  const [b, h, w] = perOutput.shape;
  return tf.sum(tf.reshape(perOutput, [b, h, w, ci, m]), 4) as tf.Tensor4D;
}

const impl = ({ dy, filter }: Record<string, tf.Tensor>, attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs) =>
  depthwiseBackpropInputComposed(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs);

export const depthwiseBackpropInputCpuConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropInput, 'cpu', impl);
export const depthwiseBackpropInputWasmConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropInput, 'wasm', impl);
