/**
 * `appMulConv2dCodes(x, w, m)`: a 2-D convolution of integer codes (`x` `[B, H, W, Cin]`, `w`
 * `[kh, kw, Cin, Cout]`, NHWC) with every product taken through the AppMul `m`, the same paths
 * and exactness as {@link appMulMatMul}. Routes (without a `patches` option):
 * - LUT path, where the `LowbitAppMulConv2d` kernel is registered (cpu, wasm): a direct table
 *   convolution (no patch matrix);
 * - low-rank path, where `LowbitExtractPatches` (its gradient's im2col) is registered (cpu,
 *   wasm): one float `tf.conv2d` of the codes mapped to their product-table factors,
 *   `conv2d(U(x), V(w))` with `Cin r` channels (XNNPACK on wasm; strides and dilations both above
 *   1, which tf.conv2d does not take, go through patches);
 * - otherwise, or with `patches: 'kernel' | 'composed'`, patches ({@link extractPatches}) times the
 *   reshaped kernel through {@link appMulMatMul}.
 * All give the same sums bit for bit (tests check them against naive loops). Any strides,
 * 'valid' / 'same' padding and dilation. Output float32 `[B, Ho, Wo, Cout]`, the exact integer
 * sums. The README's bench measures each.
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
import { codeFactors } from '../kernels/code-factors.js';
import { appMulMatMul, chooseAppMulPath, productFactors, type AppMulMatMulOptions } from './appmul-matmul.js';
import { offsetFactors, type LowRankFactors } from './low-rank.js';
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
  const noPatches = (path ?? 'auto') === 'auto' && tf.getKernel(EXTRACT_PATCHES, backend) !== undefined;
  const choice = chooseAppMulPath(m, kh * kw * cin, mm);
  const direct = noPatches && choice === 'lut' && tf.getKernel(APPMUL_CONV2D, backend) !== undefined;
  const patchGeometry = convGeometry(x, kh, kw, geometry);
  // tf.conv2d takes strides or dilations above 1, not both.
  const convOk =
    Math.max(patchGeometry.strideH, patchGeometry.strideW) === 1 ||
    Math.max(patchGeometry.dilationH, patchGeometry.dilationW) === 1;
  const f = choice === 'low-rank' ? productFactors(m, mm.maxRank ?? 8) : null;
  if (noPatches && f && f.rank > 0 && convOk) {
    if (mm.checkCodes ?? true) checkAppMulCodes(x, w, m, 'appMulConv2dCodes', ['x', 'w']);
    return straightThrough(x, w, patchGeometry, (xf, wf) => factoredConv2d(xf, wf, m, f, patchGeometry));
  }
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
  const attrs: AppMulConv2dAttrs = { ...lutAttrsOf(m), ...patchGeometry };
  if (mm.checkCodes ?? true) checkAppMulCodes(x, w, m, 'appMulConv2dCodes', ['x', 'w']);
  return straightThrough(x, w, patchGeometry, (xf, wf) => {
    const inputs = { x: tf.cast(xf, 'int32'), w: tf.cast(wf, 'int32') };
    const y = tf.engine().runKernel(APPMUL_CONV2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    return tf.cast(y, 'float32') as tf.Tensor4D;
  });
}

/**
 * `forward(x, w)` (float32 codes) with the straight-through gradient of the patches route (the
 * gradient of the exact patches product), so every route gives the same gradients.
 */
function straightThrough(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  patchGeometry: Required<ExtractPatchesAttrs>,
  forward: (xf: tf.Tensor4D, wf: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const op = tf.customGrad(((xf: tf.Tensor4D, wf: tf.Tensor4D, save: tf.GradSaveFunc) => {
      save([xf, wf]);
      return {
        value: forward(xf, wf),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          patchesRouteGradients(dy, saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, patchGeometry),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(tf.cast(x, 'float32'), tf.cast(w, 'float32')) as tf.Tensor4D;
  });
}

/**
 * The low-rank route: `conv2d(U(x), V(w))`, one float convolution of `C r` input channels, with
 * channel `c r + i` of both holding factor `i` of channel `c` (so the sum over them is `M`). A
 * tap in the padding multiplies the code 0, as in the LUT kernel: where `U(0)` is zero (`M(0, w)
 * = 0` for every `w`) the convolution's own zero padding is that, otherwise the codes are padded
 * with 0 before they are mapped. Exact integers when `lowRankExactFor` (rational factors are rounded).
 */
function factoredConv2d(
  xf: tf.Tensor4D,
  wf: tf.Tensor4D,
  m: AppMul,
  f: LowRankFactors,
  g: Required<ExtractPatchesAttrs>,
): tf.Tensor4D {
  const ua = offsetFactors(m, f, 'a');
  const [, H, W] = xf.shape;
  const zeroRow = ua.factors.subarray(-ua.min * f.rank, (1 - ua.min) * f.rank).every((v) => v === 0);
  // The padding that gives exactly the windows of convGeometry (a 'valid' tail may be left over: sliced off).
  const bottom = Math.max(0, (g.outH - 1) * g.strideH + (g.kh - 1) * g.dilationH + 1 - H! - g.padTop);
  const right = Math.max(0, (g.outW - 1) * g.strideW + (g.kw - 1) * g.dilationW + 1 - W! - g.padLeft);
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [g.padTop, bottom],
    [g.padLeft, right],
    [0, 0],
  ];
  const ux = (zeroRow ? codeFactors(xf, ua) : codeFactors(tf.pad(xf, padding), ua)) as tf.Tensor4D; // [B, H, W, C r]
  const vw = codeFactors(wf, { ...offsetFactors(m, f, 'w'), axis: 2 }) as tf.Tensor4D; // [kh, kw, C r, F]
  const strides: [number, number] = [g.strideH, g.strideW];
  const dilations: [number, number] = [g.dilationH, g.dilationW];
  const y = tf.conv2d(ux, vw, strides, zeroRow ? padding : 'valid', 'NHWC', dilations);
  const fit = y.shape[1] === g.outH && y.shape[2] === g.outW ? y : tf.slice(y, 0, [-1, g.outH, g.outW, -1]);
  return (f.integer ? fit : tf.round(fit)) as tf.Tensor4D;
}
