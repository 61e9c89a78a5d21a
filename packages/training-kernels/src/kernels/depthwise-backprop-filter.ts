/**
 * DepthwiseConv2dNativeBackpropFilter, composed from tf ops: the tap patches
 * `P[N, fh*fw, ci]` and `dy[N, ci, m]` are turned channel-major and multiplied as one batched
 * matMul over the channels: `dW[c] = P[c]^T[fh*fw, N] x dy[c][N, m]`.
 * The stock wasm backend has no depthwise backprop kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { checkConvAttrs, checkShapeIs, checkTensor4D, convInfo } from '../check.js';
import { composedKernel } from './composed-kernel.js';
import { geometry, tapPatches } from './patches.js';

/**
 * dW `attrs.filterShape` [fh, fw, ci, multiplier] of a depthwise conv from `x` and `dy` (NHWC,
 * float32). Bad tensors or attrs throw LowbitConfigError.
 *
 * ```ts
 * const dW = depthwiseBackpropFilterComposed(x, dy, { strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 4, 1] });
 * ```
 */
export function depthwiseBackpropFilterComposed(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): tf.Tensor4D {
  const fn = 'depthwiseBackpropFilterComposed';
  checkTensor4D(`${fn}(x)`, x);
  checkTensor4D(`${fn}(dy)`, dy);
  const a = checkConvAttrs(fn, attrs, 'filterShape', true) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const [, , ci, m] = a.filterShape;
  if (x.shape[3] !== ci)
    throw new LowbitConfigError(`${fn}(x)`, x, `expected ${ci} channels (attrs.filterShape[2]), got ${x.shape[3]}`);
  const info = convInfo(fn, a as unknown as Record<string, unknown>, () =>
    tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true),
  );
  checkShapeIs(`${fn}(dy)`, dy, [x.shape[0], info.outHeight, info.outWidth, ci * m]);
  return tf.tidy(() => depthwiseFilterGrad(x, dy, a));
}

function depthwiseFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): tf.Tensor4D {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const g = geometry(info);
  const [fh, fw, ci, m] = filterShape;
  const n = g.batch * g.outHeight * g.outWidth;
  const patches = tf.transpose(tf.reshape(tapPatches(x, g), [n, fh * fw, ci]), [2, 1, 0]); // [ci, T, N]
  const grads = tf.transpose(tf.reshape(dy, [n, ci, m]), [1, 0, 2]); // [ci, N, m]
  const dw = tf.matMul(patches, grads); // [ci, T, m]
  return tf.reshape(tf.transpose(dw, [1, 0, 2]), filterShape);
}

const impl = ({ x, dy }: Record<string, tf.Tensor>, attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs) =>
  depthwiseFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, attrs);

export const depthwiseBackpropFilterCpuConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropFilter, 'cpu', impl);
export const depthwiseBackpropFilterWasmConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropFilter, 'wasm', impl);
