/**
 * `appMulDepthwiseConv2dCodes(x, w, m)`: a depthwise convolution of integer codes (`x`
 * `[B, H, W, C]`, `w` `[kh, kw, C, dm]`, NHWC) with every product taken through the AppMul `m`:
 * output channel `c * dm + q` is `sum over taps of M(x tap of channel c, w[i, j, c, q])`, as
 * `tf.depthwiseConv2d` orders them. Patches ({@link extractPatches}), then one
 * {@link appMulMatMul} per input channel (its `kh kw` taps times its `dm` filters): never a
 * product with a zero weight standing in for "no connection", since `M(a, 0)` need not be 0.
 * Any strides, 'valid' / 'same' padding and dilation. Output float32 `[B, Ho, Wo, C dm]`.
 * Arguments are checked once per call, before any work (LowbitConfigError naming them); with
 * `checkCodes` (default) every code must be an integer in its range (NaN is a LowbitDataError).
 *
 * ```ts
 * const y = appMulDepthwiseConv2dCodes(xCodes, wCodes, m, { strides: 2, padding: 'same' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AppMul } from '../appmul.js';
import type { AppMulConv2dOptions } from './appmul-conv2d.js';
import { appMulMatMul } from './appmul-matmul.js';
import { checkConvArgs } from './check-conv-args.js';
import { checkAppMulCodes } from './lut-codes.js';
import { extractPatches } from './patches.js';

export function appMulDepthwiseConv2dCodes(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  m: AppMul,
  options: AppMulConv2dOptions = {},
): tf.Tensor4D {
  checkConvArgs(x, w, m, options);
  const [kh, kw, C, dm] = w.shape;
  const { strides, padding, dilations, patches: path, ...mm } = options;
  // Codes checked once here, not once per channel's matmul (the patches add only the code 0).
  if (mm.checkCodes ?? true) checkAppMulCodes(x, w, m, 'appMulDepthwiseConv2dCodes', ['x', 'w']);
  const perChannelOptions = { ...mm, checkCodes: false };
  return tf.tidy(() => {
    const patches = extractPatches(x, kh, kw, { strides, padding, dilations, path });
    const [B, Ho, Wo] = patches.shape;
    const T = kh * kw;
    // [N, T, C] -> per channel c: [N, T] taps times [T, dm] filters.
    const taps = tf.reshape(patches, [B * Ho * Wo, T, C]);
    const filters = tf.reshape(w, [T, C, dm]);
    const perChannel: tf.Tensor2D[] = [];
    for (let c = 0; c < C; c++) {
      const a = tf.reshape(tf.slice(taps, [0, 0, c], [-1, T, 1]), [-1, T]) as tf.Tensor2D;
      const k = tf.reshape(tf.slice(filters, [0, c, 0], [T, 1, dm]), [T, dm]) as tf.Tensor2D;
      perChannel.push(appMulMatMul(a, k, m, perChannelOptions));
    }
    const y = perChannel.length === 1 ? perChannel[0]! : tf.concat(perChannel, 1);
    return tf.reshape(y, [B, Ho, Wo, C * dm]);
  });
}
