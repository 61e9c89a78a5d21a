/**
 * DepthwiseConv2dNativeBackpropInput, composed from tf ops: `dy` (ci * m channels) spread by the
 * strides and padded, one depthwise conv (multiplier 1, dilated) with the spatially flipped
 * filter laid out per output channel, then a sum over the m multiplier channels of each input
 * channel. The stock wasm backend has no depthwise backprop kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { checkConvAttrs, checkShapeIs, checkTensor4D, convInfo } from '../check.js';
import { composedKernel } from './composed-kernel.js';
import { fullCorrelationGrad, geometry } from './patches.js';

/**
 * dx `attrs.inputShape` (NHWC) of a depthwise conv from `dy` and the filter [fh, fw, ci,
 * multiplier], float32. Bad tensors or attrs throw LowbitConfigError.
 *
 * ```ts
 * const dx = depthwiseBackpropInputComposed(dy, filter, { strides: 1, dilations: 1, pad: 'same', inputShape: [1, 8, 8, 4] });
 * ```
 */
export function depthwiseBackpropInputComposed(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs,
): tf.Tensor4D {
  const fn = 'depthwiseBackpropInputComposed';
  checkTensor4D(`${fn}(dy)`, dy);
  checkTensor4D(`${fn}(filter)`, filter);
  const a = checkConvAttrs(fn, attrs, 'inputShape', true) as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const [, , ci, m] = filter.shape;
  if (a.inputShape[3] !== ci) {
    throw new LowbitConfigError(
      `${fn}(filter)`,
      filter,
      `expected ${a.inputShape[3]} channels (attrs.inputShape[3]), got ${ci}`,
    );
  }
  const info = convInfo(fn, a as unknown as Record<string, unknown>, () =>
    tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape,
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      true,
    ),
  );
  checkShapeIs(`${fn}(dy)`, dy, [a.inputShape[0], info.outHeight, info.outWidth, ci * m]);
  return tf.tidy(() => depthwiseInputGrad(dy, filter, a));
}

function depthwiseInputGrad(
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
  depthwiseInputGrad(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs);

export const depthwiseBackpropInputCpuConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropInput, 'cpu', impl);
export const depthwiseBackpropInputWasmConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropInput, 'wasm', impl);
