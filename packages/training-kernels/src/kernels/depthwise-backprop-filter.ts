/**
 * DepthwiseConv2dNativeBackpropFilter, composed from tf ops: the tap patches
 * `P[N, fh*fw, ci]` and `dy[N, ci, m]` are turned channel-major and multiplied as one batched
 * matMul over the channels: `dW[c] = P[c]^T[fh*fw, N] x dy[c][N, m]`.
 * The stock wasm backend has no depthwise backprop kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composedKernel } from './composed-kernel.js';
import { geometry, tapPatches } from './patches.js';

export function depthwiseBackpropFilterComposed(
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
  depthwiseBackpropFilterComposed(x as tf.Tensor4D, dy as tf.Tensor4D, attrs);

export const depthwiseBackpropFilterCpuConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropFilter, 'cpu', impl);
export const depthwiseBackpropFilterWasmConfig = composedKernel(tf.DepthwiseConv2dNativeBackpropFilter, 'wasm', impl);
