/**
 * `appMulConv2dCodes(x, w, m)`: a 2-D convolution of integer codes (`x` `[B, H, W, Cin]`, `w`
 * `[kh, kw, Cin, Cout]`, NHWC) with every product taken through the AppMul `m`: patches
 * ({@link extractPatches}) times the reshaped kernel through {@link appMulMatMul}, so the same
 * paths and exactness apply. Any strides, 'valid' / 'same' padding and dilation. Output float32
 * `[B, Ho, Wo, Cout]`, the exact integer sums.
 *
 * No gradient of its own is needed by the AppMul arithmetic, which wraps it in quant-core's
 * `straightThroughProduct` (the exact convolution's gradient, from tfjs's registered kernels);
 * called under a gradient tape, it differentiates through `appMulMatMul`'s straight-through
 * gradient and the patches' col2im.
 *
 * ```ts
 * const y = appMulConv2dCodes(xCodes, wCodes, m, { strides: 1, padding: 'same' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, checkRank } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { appMulMatMul, type AppMulMatMulOptions } from './appmul-matmul.js';
import { extractPatches, type PatchGeometry, type PatchesPath } from './patches.js';

export interface AppMulConv2dOptions extends PatchGeometry, AppMulMatMulOptions {
  /** How patches are taken ({@link extractPatches}); default 'auto'. */
  patches?: PatchesPath;
}

export function appMulConv2dCodes(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  m: AppMul,
  options: AppMulConv2dOptions = {},
): tf.Tensor4D {
  checkRank('x', x, [4]);
  checkRank('w', w, [4]);
  const [kh, kw, cin, cout] = w.shape;
  if (x.shape[3] !== cin) throw new LowbitConfigError('w', w, `expected ${x.shape[3]} input channels to match x`);
  const { strides, padding, dilations, patches: path, ...mm } = options;
  return tf.tidy(() => {
    const patches = extractPatches(x, kh, kw, { strides, padding, dilations, path });
    const [B, Ho, Wo, P] = patches.shape;
    const y = appMulMatMul(tf.reshape(patches, [B * Ho * Wo, P]), tf.reshape(w, [P, cout]), m, mm);
    return tf.reshape(y, [B, Ho, Wo, cout]);
  });
}
