/**
 * `appMulConv2dCodes(x, w, m)`: a 2-D convolution of integer codes (`x` `[B, H, W, Cin]`, `w`
 * `[kh, kw, Cin, Cout]`, NHWC) with every product taken through the AppMul `m`, the same paths
 * and exactness as {@link appMulMatMul}: on the LUT path where the `LowbitAppMulConv2d` kernel is
 * registered (cpu, wasm) a direct table convolution (no patch matrix; measured in the README's
 * bench), otherwise patches ({@link extractPatches}) times the reshaped kernel through
 * {@link appMulMatMul}. Both give the same sums bit for bit (tests check it). Any strides,
 * 'valid' / 'same' padding and dilation. Output float32 `[B, Ho, Wo, Cout]`, the exact integer sums.
 *
 * No gradient of its own is needed by the AppMul arithmetic, which wraps it in quant-core's
 * `straightThroughProduct` (the exact convolution's gradient, from tfjs's registered kernels);
 * called under a gradient tape, its gradient is the straight-through one of the patches route
 * (the exact patches product's: matmul gradients and the patches' col2im), on either route.
 *
 * ```ts
 * const y = appMulConv2dCodes(xCodes, wCodes, m, { strides: 1, padding: 'same' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AppMul } from '../appmul.js';
import { APPMUL_CONV2D, type AppMulConv2dAttrs } from '../kernels/appmul-conv2d.js';
import { appMulMatMul, chooseAppMulPath, type AppMulMatMulOptions } from './appmul-matmul.js';
import { checkConvArgs } from './check-conv-args.js';
import { checkAppMulCodes, lutAttrsOf } from './lut-codes.js';
import { EXTRACT_PATCHES, type ExtractPatchesAttrs } from '@lowbit/training-kernels';
import { convGeometry, extractPatches, type PatchGeometry, type PatchesPath } from './patches.js';

export interface AppMulConv2dOptions extends PatchGeometry, AppMulMatMulOptions {
  /**
   * How patches are taken ({@link extractPatches}) on the patches route. Default 'auto': on the
   * LUT path where the direct `LowbitAppMulConv2d` kernel is registered (cpu, wasm), no patches
   * at all; naming 'kernel' or 'composed' forces the patches route.
   */
  patches?: PatchesPath;
}

/**
 * The straight-through gradient of the direct route, from the same ops as the patches route's
 * (`appMulMatMul`'s `dA = dY W^T`, `dW = A^T dY` on the patch matrix A, then the patches' col2im),
 * so both routes give the same gradients. No nested gradient tape: ops only.
 */
function patchesRouteGradients(dy: tf.Tensor, x: tf.Tensor4D, w: tf.Tensor4D, geometry: Required<ExtractPatchesAttrs>) {
  const [kh, kw, cin, cout] = w.shape;
  const P = kh * kw * cin;
  const namedAttrs = geometry as unknown as tf.NamedAttrMap;
  const patches = tf.engine().runKernel(EXTRACT_PATCHES, { x }, namedAttrs) as tf.Tensor4D;
  const dy2 = tf.reshape(dy, [-1, cout]) as tf.Tensor2D;
  const dw = tf.reshape(tf.matMul(tf.reshape(patches, [-1, P]) as tf.Tensor2D, dy2, true, false), w.shape);
  const dPatches = tf.reshape(tf.matMul(dy2, tf.reshape(w, [P, cout]) as tf.Tensor2D, false, true), patches.shape);
  const dx = tf.getGradient(EXTRACT_PATCHES)!.gradFunc(dPatches, [x], namedAttrs) as { x: () => tf.Tensor };
  return [dx.x(), dw];
}

/**
 * Checked first ({@link checkConvArgs}; the geometry by `convGeometry`); with `checkCodes`
 * (default) every code must be an integer in its operand's range (NaN is a LowbitDataError).
 */
export function appMulConv2dCodes(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  m: AppMul,
  options: AppMulConv2dOptions = {},
): tf.Tensor4D {
  checkConvArgs(x, w, m, options);
  const [kh, kw, cin, cout] = w.shape;
  const { strides, padding, dilations, patches: path, ...mm } = options;
  const geometry = { strides, padding, dilations };
  const backend = tf.getBackend();
  const direct =
    (path ?? 'auto') === 'auto' &&
    tf.getKernel(APPMUL_CONV2D, backend) !== undefined &&
    tf.getKernel(EXTRACT_PATCHES, backend) !== undefined &&
    chooseAppMulPath(m, kh * kw * cin, mm) === 'lut';
  if (!direct) {
    // Codes checked once on x and w (the patches add only the code 0), not again on the patches.
    if (mm.checkCodes ?? true) checkAppMulCodes(x, w, m, 'appMulConv2dCodes', ['x', 'w']);
    const matMulOptions = { ...mm, checkCodes: false };
    return tf.tidy(() => {
      const patches = extractPatches(x, kh, kw, { ...geometry, path });
      const [B, Ho, Wo, P] = patches.shape;
      const y = appMulMatMul(tf.reshape(patches, [B * Ho * Wo, P]), tf.reshape(w, [P, cout]), m, matMulOptions);
      return tf.reshape(y, [B, Ho, Wo, cout]);
    });
  }
  const patchGeometry = convGeometry(x, kh, kw, geometry);
  const attrs: AppMulConv2dAttrs = { ...lutAttrsOf(m), ...patchGeometry };
  if (mm.checkCodes ?? true) checkAppMulCodes(x, w, m, 'appMulConv2dCodes', ['x', 'w']);
  return tf.tidy(() => {
    // Straight-through, as on the patches route: the gradient of the exact patches product.
    const op = tf.customGrad(((xf: tf.Tensor4D, wf: tf.Tensor4D, save: tf.GradSaveFunc) => {
      save([xf, wf]);
      const inputs = { x: tf.cast(xf, 'int32'), w: tf.cast(wf, 'int32') };
      const y = tf.engine().runKernel(APPMUL_CONV2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      return {
        value: tf.cast(y, 'float32'),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          patchesRouteGradients(dy, saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, patchGeometry),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(tf.cast(x, 'float32'), tf.cast(w, 'float32')) as tf.Tensor4D;
  });
}
