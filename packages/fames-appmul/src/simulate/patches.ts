/**
 * Image patches (im2col): `[B, H, W, C]` -> `[B, Ho, Wo, kh kw C]`, patch channel
 * `(i * kw + j) * C + c` for kernel row i, column j, input channel c (the row order of a conv
 * kernel `[kh, kw, C, Cout]` reshaped to `[kh kw C, Cout]`). Tap (i, j) of output pixel (oy, ox)
 * reads row `oy * sh + i * dh - padTop`, column `ox * sw + j * dw - padLeft`; padded positions
 * hold 0 (the code of the value 0 for zero-point-free quantizers); 'same' pads as tfjs does (the
 * odd pixel at the bottom / right).
 *
 * On the cpu and wasm backends the `LowbitExtractPatches` kernel of `@lowbit/training-kernels` (a
 * JS loop with a registered col2im gradient); elsewhere tf ops: one window of the (padded) input
 * per kernel position, concatenated on the channel axis. Pure data movement, so the values are
 * exact, and gradients flow back to `x` on every backend (strides are taken by a reshape and a
 * slice, since tfjs has no StridedSlice gradient).
 *
 * ```ts
 * const p = extractPatches(x, 3, 3, { strides: 1, padding: 'same' }); // [B, H, W, 9 * Cin]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, checkInteger, checkKnownKeys, checkOneOf, checkRank } from '@lowbit/quant-core';
import { EXTRACT_PATCHES, type ExtractPatchesAttrs } from '@lowbit/training-kernels';
import '../kernels/register.js';

/** A convolution's geometry as the patch ops take it (numbers or pairs). */
export interface PatchGeometry {
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  /** Dilation of the kernel taps (default 1). */
  dilations?: number | [number, number];
}

/** How patches are taken: the registered kernel where there is one, or composed from tf ops. */
export type PatchesPath = 'auto' | 'kernel' | 'composed';

export interface PatchOptions extends PatchGeometry {
  /** Default 'auto': the kernel where it is registered (cpu, wasm), else composed. */
  path?: PatchesPath;
}

/**
 * `[sh, sw]` (or dilations) from a number or a pair of positive integers; `argument` names the
 * option in the error.
 *
 * ```ts
 * normalisePair('dilations', 2); // [2, 2]
 * ```
 */
export function normalisePair(argument: string, value: number | [number, number] | undefined): [number, number] {
  if (typeof argument !== 'string' || argument.length === 0)
    throw new LowbitConfigError('argument', argument, 'expected the name of the option (a non-empty string)');
  const s = value ?? 1;
  const pair: unknown[] = Array.isArray(s) ? s : [s, s];
  if (pair.length !== 2) throw new LowbitConfigError(argument, value, 'expected a positive integer or a pair of them');
  return [checkInteger(argument, pair[0], 1, 1024), checkInteger(argument, pair[1], 1, 1024)];
}

/** `[sh, sw]` from a number or a pair. */
export function normaliseStrides(strides: PatchGeometry['strides']): [number, number] {
  return normalisePair('strides', strides);
}

/**
 * Output size and leading / trailing padding of one spatial axis, as tfjs computes them, for a
 * kernel of `k` taps `dilation` apart. Every argument is checked (LowbitConfigError naming it):
 * `size` an integer >= 0, `k` >= 1, `stride` and `dilation` from 1 to 1024. An output size below
 * 1 ('valid' padding, a kernel wider than the input) is returned as it is: callers name their
 * input in the error.
 *
 * ```ts
 * axisPadding(5, 2, 1, 'same'); // [5, 0, 1]
 * ```
 */
export function axisPadding(
  size: number,
  k: number,
  stride: number,
  padding: 'valid' | 'same',
  dilation = 1,
): [number, number, number] {
  checkInteger('size', size, 0, 2 ** 31 - 1);
  checkInteger('k', k, 1, 2 ** 31 - 1);
  checkInteger('stride', stride, 1, 1024);
  checkOneOf('padding', padding, ['valid', 'same'] as const);
  checkInteger('dilation', dilation, 1, 1024);
  const extent = (k - 1) * dilation + 1;
  if (padding === 'valid') return [Math.ceil((size - extent + 1) / stride), 0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + extent - size, 0);
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The checked geometry of a `kh x kw` convolution over `x` (`[B, H, W, C]`): strides, dilations,
 * leading padding and output size, as the patch and direct-convolution kernels take them.
 * Throws a LowbitConfigError for a bad argument (an unknown option too) or a kernel larger than a
 * 'valid' input.
 *
 * ```ts
 * convGeometry(x, 3, 3, { strides: 2, padding: 'same' }); // { kh: 3, ..., padTop: 0, outH: ... }
 * ```
 */
export function convGeometry(
  x: tf.Tensor4D,
  kh: number,
  kw: number,
  options: PatchGeometry = {},
): Required<ExtractPatchesAttrs> {
  checkRank('x', x, [4]);
  checkKnownKeys('options', options, ['strides', 'padding', 'dilations']);
  checkInteger('kh', kh, 1, 64);
  checkInteger('kw', kw, 1, 64);
  const s = normaliseStrides(options.strides);
  const d = normalisePair('dilations', options.dilations);
  const pad = checkOneOf('padding', options.padding ?? 'valid', ['valid', 'same'] as const);
  const [, H, W] = x.shape;
  const [oh, padTop] = axisPadding(H, kh, s[0], pad, d[0]);
  const [ow, padLeft] = axisPadding(W, kw, s[1], pad, d[1]);
  if (oh < 1 || ow < 1) {
    throw new LowbitConfigError(
      'x',
      x.shape,
      `is smaller than the ${kh}x${kw} kernel (dilation ${d}) with '${pad}' padding`,
    );
  }
  return {
    kh,
    kw,
    strideH: s[0],
    strideW: s[1],
    dilationH: d[0],
    dilationW: d[1],
    padTop,
    padLeft,
    outH: oh,
    outW: ow,
  };
}

/** `[B, H, W, C]` -> `[B, Ho, Wo, kh kw C]` (float32); gradients flow back to `x`. */
export function extractPatches(x: tf.Tensor4D, kh: number, kw: number, options: PatchOptions = {}): tf.Tensor4D {
  checkRank('x', x, [4]);
  checkKnownKeys('options', options, ['strides', 'padding', 'dilations', 'path']);
  const attrs = convGeometry(x, kh, kw, {
    strides: options.strides,
    padding: options.padding,
    dilations: options.dilations,
  });
  const s = [attrs.strideH, attrs.strideW];
  const d = [attrs.dilationH, attrs.dilationW];
  const [B, H, W, C] = x.shape;
  const pad = options.padding ?? 'valid';
  const [oh, padTop, padBottom] = axisPadding(H, kh, s[0]!, pad, d[0]);
  const [ow, padLeft, padRight] = axisPadding(W, kw, s[1]!, pad, d[1]);
  const how = checkOneOf('path', options.path ?? 'auto', ['auto', 'kernel', 'composed'] as const);
  const registered = tf.getKernel(EXTRACT_PATCHES, tf.getBackend()) !== undefined;
  if (how === 'kernel' && !registered) {
    const backend = tf.getBackend();
    const why = `the ${EXTRACT_PATCHES} kernel is not registered for the '${backend}' backend (cpu and wasm have it)`;
    throw new LowbitConfigError('path', how, why);
  }
  if (how === 'kernel' || (how === 'auto' && registered)) {
    const namedAttrs = attrs as unknown as tf.NamedAttrMap;
    return tf.tidy(
      () => tf.engine().runKernel(EXTRACT_PATCHES, { x: tf.cast(x, 'float32') }, namedAttrs) as tf.Tensor4D,
    );
  }
  return tf.tidy(() => {
    // Pad so that the window of every tap (oh * stride rows from row i * dilation) fits.
    const extraBottom = Math.max(0, (kh - 1) * d[0] + oh * s[0] - (H + padTop + padBottom));
    const extraRight = Math.max(0, (kw - 1) * d[1] + ow * s[1] - (W + padLeft + padRight));
    let xp = tf.cast(x, 'float32') as tf.Tensor4D;
    if (padTop + padBottom + padLeft + padRight + extraBottom + extraRight > 0) {
      xp = tf.pad(xp, [
        [0, 0],
        [padTop, padBottom + extraBottom],
        [padLeft, padRight + extraRight],
        [0, 0],
      ]);
    }
    const windows: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = tf.slice(xp, [0, i * d[0], j * d[1], 0], [B, oh * s[0], ow * s[1], C]);
        if (s[0] === 1 && s[1] === 1) {
          windows.push(window);
          continue;
        }
        const grid = tf.reshape(window, [B, oh, s[0], ow, s[1], C]);
        windows.push(tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [B, oh, 1, ow, 1, C]), [B, oh, ow, C]));
      }
    }
    return windows.length === 1 ? windows[0]! : tf.concat(windows, 3);
  });
}
