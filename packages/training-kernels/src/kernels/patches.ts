/**
 * Shared pieces of the convolution backprop kernels, built only from tf ops.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Geometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

export function geometry(info: tf.backend_util.Conv2DInfo): Geometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * The input window each filter tap sees: `[b, outH, outW, fh * fw, c]` where entry
 * `[n, y, x, i * fw + j, c]` is the (zero-padded) input at row `y * sh + i * dh - padTop`,
 * column `x * sw + j * dw - padLeft`. One strided slice per tap, then a stack.
 */
export function tapPatches(x: tf.Tensor4D, g: Geometry): tf.Tensor5D {
  const lastRow = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
  const lastCol = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
  const padBottom = Math.max(0, lastRow - g.padTop - g.inHeight);
  const padRight = Math.max(0, lastCol - g.padLeft - g.inWidth);
  const xp = tf.pad(x, [
    [0, 0],
    [g.padTop, padBottom],
    [g.padLeft, padRight],
    [0, 0],
  ]);
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < g.filterHeight; i++) {
    for (let j = 0; j < g.filterWidth; j++) {
      const r0 = i * g.dilationHeight;
      const c0 = j * g.dilationWidth;
      taps.push(
        tf.stridedSlice(
          xp,
          [0, r0, c0, 0],
          [
            g.batch,
            r0 + (g.outHeight - 1) * g.strideHeight + 1,
            c0 + (g.outWidth - 1) * g.strideWidth + 1,
            g.inChannels,
          ],
          [1, g.strideHeight, g.strideWidth, 1],
        ) as tf.Tensor4D,
      );
    }
  }
  return tf.stack(taps, 3) as tf.Tensor5D;
}

/**
 * The input gradient of a convolution as a stride-1 "full" correlation: `dy` spread out by the
 * strides (zeros between rows/columns), padded by (filter extent - 1) on each side, correlated
 * by `correlate` with the flipped filter, then cropped to the padded input window.
 * `correlate(dyPadded)` must run a valid, stride-1 convolution with dilations (dh, dw) and the
 * spatially flipped filter.
 */
export function fullCorrelationGrad(
  dy: tf.Tensor4D,
  g: Geometry,
  correlate: (dyPadded: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const [b, oh, ow, ch] = dy.shape;
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  let up: tf.Tensor4D = dy;
  // spread: [b, oh, 1, ow, 1, ch] padded to [b, oh, sh, ow, sw, ch]; row y*sh holds dy row y
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, ch]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    up = tf.slice(
      tf.reshape(spread, [b, oh * sh, ow * sw, ch]) as tf.Tensor4D,
      [0, 0, 0, 0],
      [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, ch],
    );
  }
  const extentH = (g.filterHeight - 1) * g.dilationHeight;
  const extentW = (g.filterWidth - 1) * g.dilationWidth;
  const upH = (oh - 1) * sh + 1;
  const upW = (ow - 1) * sw + 1;
  // Output row r of the correlation is padded-input row r; we need rows padTop .. padTop + H - 1.
  const needH = g.padTop + g.inHeight;
  const needW = g.padLeft + g.inWidth;
  const padded = tf.pad(up, [
    [0, 0],
    [extentH, extentH + Math.max(0, needH - upH - extentH)],
    [extentW, extentW + Math.max(0, needW - upW - extentW)],
    [0, 0],
  ]);
  const full = correlate(padded);
  return tf.slice(full, [0, g.padTop, g.padLeft, 0], [b, g.inHeight, g.inWidth, full.shape[3]]);
}
