/**
 * Image patches (im2col). On the cpu and wasm backends the `LowbitExtractPatches` kernel (a JS
 * loop with a registered gradient); elsewhere tf ops: one window of the (padded) input per kernel
 * position, concatenated on the channel axis. Pure data movement (pad, slice, reshape, concat), so
 * the values are exact, the cost is one copy per kernel position, and gradients flow back to `x`
 * on every backend (strides are taken by a reshape and a slice, since tfjs has no StridedSlice
 * gradient). Channel order of a patch: `(i * kw + j) * Cin + c` for kernel row i, column j, input
 * channel c, which is the row order of a conv kernel `[kh, kw, Cin, Cout]` reshaped to
 * `[kh kw Cin, Cout]`. Padded positions hold 0 (the code of the value 0 for symmetric quantizers);
 * 'same' pads as tfjs does (the odd pixel at the bottom / right).
 *
 * ```ts
 * const p = extractPatches(x, 3, 3, [1, 1], 'same'); // [B, H, W, 9 * Cin]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, checkInteger, checkOneOf, checkRank } from '@lowbit/quant-core';
import { EXTRACT_PATCHES, type ExtractPatchesAttrs } from '../kernels/extract-patches.js';
import '../kernels/register.js';

export interface ConvGeometry {
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
}

export function normaliseStrides(strides: ConvGeometry['strides']): [number, number] {
  const s = strides ?? 1;
  const pair: unknown[] = Array.isArray(s) ? s : [s, s];
  if (pair.length !== 2) throw new LowbitConfigError('strides', strides, 'expected a positive integer or [sh, sw]');
  return [checkInteger('strides', pair[0], 1, 1024), checkInteger('strides', pair[1], 1, 1024)];
}

/** How patches are taken: the registered kernel where there is one, or composed from tf ops. */
export type PatchesPath = 'auto' | 'kernel' | 'composed';

/** `[B, H, W, C]` -> `[B, Ho, Wo, kh kw C]`; gradients flow back to `x`. */
export function extractPatches(
  x: tf.Tensor4D,
  kh: number,
  kw: number,
  strides: ConvGeometry['strides'] = 1,
  padding: ConvGeometry['padding'] = 'valid',
  path: PatchesPath = 'auto',
): tf.Tensor4D {
  checkRank('x', x, [4]);
  checkInteger('kh', kh, 1, 64);
  checkInteger('kw', kw, 1, 64);
  const s = normaliseStrides(strides);
  const pad = checkOneOf('padding', padding, ['valid', 'same'] as const);
  const [B, H, W, C] = x.shape;
  const [oh, padTop, padBottom] = axisPadding(H, kh, s[0], pad);
  const [ow, padLeft, padRight] = axisPadding(W, kw, s[1], pad);
  if (oh < 1 || ow < 1) throw new LowbitConfigError('x', x.shape, `is smaller than the ${kh}x${kw} kernel with 'valid' padding`);
  const how = checkOneOf('path', path, ['auto', 'kernel', 'composed'] as const);
  const registered = tf.getKernel(EXTRACT_PATCHES, tf.getBackend()) !== undefined;
  if (how === 'kernel' && !registered) throw new LowbitConfigError('path', path, `the ${EXTRACT_PATCHES} kernel is not registered for the '${tf.getBackend()}' backend (cpu and wasm have it)`);
  if (how === 'kernel' || (how === 'auto' && registered)) {
    const attrs: ExtractPatchesAttrs = { kh, kw, strideH: s[0], strideW: s[1], padTop, padLeft, outH: oh, outW: ow };
    return tf.tidy(() => tf.engine().runKernel(EXTRACT_PATCHES, { x: tf.cast(x, 'float32') }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D);
  }
  return tf.tidy(() => {
    // Pad so that every window of oh * stride rows (and ow * stride columns) fits.
    const extraBottom = Math.max(0, kh - 1 + oh * s[0] - (H + padTop + padBottom));
    const extraRight = Math.max(0, kw - 1 + ow * s[1] - (W + padLeft + padRight));
    let xp = tf.cast(x, 'float32') as tf.Tensor4D;
    if (padTop + padBottom + padLeft + padRight + extraBottom + extraRight > 0) {
      xp = tf.pad(xp, [[0, 0], [padTop, padBottom + extraBottom], [padLeft, padRight + extraRight], [0, 0]]);
    }
    const windows: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const window = tf.slice(xp, [0, i, j, 0], [B, oh * s[0], ow * s[1], C]);
      windows.push(
        s[0] === 1 && s[1] === 1
          ? window
          : tf.reshape(tf.slice(tf.reshape(window, [B, oh, s[0], ow, s[1], C]), [0, 0, 0, 0, 0, 0], [B, oh, 1, ow, 1, C]), [B, oh, ow, C]),
      );
    }
    return windows.length === 1 ? windows[0] : tf.concat(windows, 3);
  });
}

/** Output size and leading / trailing padding of one spatial axis, as tfjs computes them. */
export function axisPadding(size: number, k: number, stride: number, padding: 'valid' | 'same'): [number, number, number] {
  if (padding === 'valid') return [Math.ceil((size - k + 1) / stride), 0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
}
