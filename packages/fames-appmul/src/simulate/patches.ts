/**
 * Image patches (im2col) from tf ops: a conv2d with a one-hot kernel copies every input value of
 * a receptive field into its own output channel, exactly (each output sums one value and zeros).
 * Channel order of a patch: `(i * kw + j) * Cin + c` for kernel row i, column j, input channel c,
 * which is the row order of a conv kernel `[kh, kw, Cin, Cout]` reshaped to `[kh kw Cin, Cout]`.
 * Padded positions hold 0 (the code of the value 0 for symmetric quantizers).
 *
 * ```ts
 * const p = extractPatches(x, 3, 3, [1, 1], 'same'); // [B, H, W, 9 * Cin]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, checkInteger, checkOneOf, checkRank } from '@lowbit/quant-core';

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

/** `[B, H, W, C]` -> `[B, Ho, Wo, kh kw C]`; gradients flow back to `x`. */
export function extractPatches(x: tf.Tensor4D, kh: number, kw: number, strides: ConvGeometry['strides'] = 1, padding: ConvGeometry['padding'] = 'valid'): tf.Tensor4D {
  checkRank('x', x, [4]);
  checkInteger('kh', kh, 1, 64);
  checkInteger('kw', kw, 1, 64);
  const s = normaliseStrides(strides);
  const pad = checkOneOf('padding', padding, ['valid', 'same'] as const);
  const C = x.shape[3];
  const P = kh * kw * C;
  return tf.tidy(() => {
    const eye = new Float32Array(kh * kw * C * P);
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < C; c++) {
      const p = (i * kw + j) * C + c;
      eye[p * P + p] = 1; // kernel[i, j, c, p] with [kh, kw, C, P] row-major: flat index p * P + p
    }
    return tf.conv2d(tf.cast(x, 'float32'), tf.tensor4d(eye, [kh, kw, C, P]), s, pad);
  });
}
