/**
 * Conv2DBackpropInput (the input gradient of conv2d, also conv2dTranspose), composed from tf
 * ops: `dy` spread by the strides and zero-padded, then one forward conv2d with the filter flipped
 * in space and its in/out channels swapped (see `fullCorrelationGrad`). The forward conv2d is
 * the best-tuned kernel of every backend (XNNPACK on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { composedKernel, shapeToNhwc, toNhwc } from './composed-kernel.js';
import { fullCorrelationGrad, geometry } from './patches.js';

export function conv2dBackpropInputComposed(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const dys = toNhwc(dy, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    shapeToNhwc(inputShape, dataFormat),
    filter.shape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const g = geometry(info);
  // [fh, fw, ci, co] -> flipped in space, [fh, fw, co, ci]
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const dx = fullCorrelationGrad(dys, g, (padded) => tf.conv2d(padded, flipped, 1, 'valid'));
  return dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
}

const impl = ({ dy, filter }: Record<string, tf.Tensor>, attrs: tf.Conv2DBackpropInputAttrs) =>
  conv2dBackpropInputComposed(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs);

export const conv2dBackpropInputCpuConfig = composedKernel(tf.Conv2DBackpropInput, 'cpu', impl);
export const conv2dBackpropInputWasmConfig = composedKernel(tf.Conv2DBackpropInput, 'wasm', impl);
