/**
 * Conv2DBackpropInput (the input gradient of conv2d, also conv2dTranspose), composed from tf
 * ops: `dy` spread by the strides and zero-padded, then one forward conv2d with the filter flipped
 * in space and its in/out channels swapped (see `fullCorrelationGrad`). The forward conv2d is
 * the best-tuned kernel of every backend (XNNPACK on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { checkConvAttrs, checkShapeIs, checkTensor4D, convInfo } from '../check.js';
import { composedKernel, shapeToNhwc, toNhwc } from './composed-kernel.js';
import { fullCorrelationGrad, geometry } from './patches.js';

/**
 * dx `attrs.inputShape` (in `attrs.dataFormat`, default NHWC) from `dy` and the conv filter
 * [fh, fw, ci, co], float32. Bad tensors or attrs throw LowbitConfigError.
 *
 * ```ts
 * const dx = conv2dBackpropInputComposed(dy, filter, { strides: 2, pad: 'same', inputShape: [1, 8, 8, 3] });
 * ```
 */
export function conv2dBackpropInputComposed(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D {
  const fn = 'conv2dBackpropInputComposed';
  checkTensor4D(`${fn}(dy)`, dy);
  checkTensor4D(`${fn}(filter)`, filter);
  const a = checkConvAttrs(fn, attrs, 'inputShape', false) as unknown as tf.Conv2DBackpropInputAttrs;
  const xShape = shapeToNhwc(a.inputShape, a.dataFormat);
  const [, , ci, co] = filter.shape;
  if (xShape[3] !== ci) {
    throw new LowbitConfigError(
      `${fn}(filter)`,
      filter,
      `expected ${xShape[3]} input channels (attrs.inputShape), got ${ci}`,
    );
  }
  const info = convInfo(fn, a as unknown as Record<string, unknown>, () =>
    tf.backend_util.computeConv2DInfo(
      xShape,
      filter.shape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    ),
  );
  const dyNhwc = [xShape[0], info.outHeight, info.outWidth, co];
  checkShapeIs(`${fn}(dy)`, dy, a.dataFormat === 'NCHW' ? [dyNhwc[0], co, dyNhwc[1], dyNhwc[2]] : dyNhwc);
  return tf.tidy(() => inputGradComposed(dy, filter, a));
}

function inputGradComposed(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: tf.Conv2DBackpropInputAttrs): tf.Tensor4D {
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
  inputGradComposed(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs);

export const conv2dBackpropInputCpuConfig = composedKernel(tf.Conv2DBackpropInput, 'cpu', impl);
export const conv2dBackpropInputWasmConfig = composedKernel(tf.Conv2DBackpropInput, 'wasm', impl);
