/**
 * The `LowbitAppMulMatMul` kernel: `Y[b][n] = sum_k M(A[b][k], W[k][n])` for integer codes `A`
 * (`[B, K]`, int32) and `W` (`[K, N]`, int32) through a product table, output int32 `[B, N]`
 * (exact while every sum stays inside int32).
 * Attributes: `table` (Int32Array, layout of `AppMul.table`), `bitsA`, `bitsW`, and the code
 * ranges `[aMin, aMax]`, `[wMin, wMax]`; a code outside its range is a LowbitDataError.
 * The cpu and wasm backends run the same JS loop ({@link appMulMatMulLoop}: the direct LUT conv
 * loop on a 1x1 kernel; configs `appMulMatMulCpuConfig`, `appMulMatMulWasmConfig`); every other
 * backend uses the composed fallback {@link appMulMatMulComposed} (gather + sum, chunked over the
 * batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { appMulConv2dLoop, type LutAttrs } from './appmul-conv2d.js';

export const APPMUL_MATMUL = 'LowbitAppMulMatMul';

/** The table and the code ranges (see {@link LutAttrs}). */
export type AppMulMatMulAttrs = LutAttrs;

const NO_GEOMETRY = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, outH: 1 };

/**
 * The kernel's loop, shared by every JS-loop backend: `a` is `[B, K]`, `w` is `[K, N]` (flat,
 * row-major codes); returns the `[B, N]` sums. It is the direct LUT convolution
 * ({@link appMulConv2dLoop}) of one image row of B pixels with K channels by a 1x1 kernel: 8 sums
 * (2 rows x 4 columns) in locals per pass over k. A code outside its range is a LowbitDataError.
 */
export function appMulMatMulLoop(
  av: ArrayLike<number>,
  wv: ArrayLike<number>,
  B: number,
  K: number,
  N: number,
  attrs: AppMulMatMulAttrs,
): Int32Array {
  const geometry = { ...attrs, ...NO_GEOMETRY, outW: B };
  return appMulConv2dLoop(av, wv, [1, 1, B, K], [1, 1, K, N], geometry, APPMUL_MATMUL);
}

/**
 * Composed fallback from tf ops (any backend): the table re-ordered by code offset, gathered at
 * `(a - aMin) 2^b_w + (w - wMin)` and summed over k. Memory `chunk x K x N` per step. No code
 * range check (gather clamps or fails per backend): the public op checks ranges beforehand.
 */
export function appMulMatMulComposed(a: tf.Tensor2D, w: tf.Tensor2D, attrs: AppMulMatMulAttrs): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, K] = a.shape;
    const N = w.shape[1];
    const nA = 2 ** attrs.bitsA;
    const nW = 2 ** attrs.bitsW;
    const byOffset = new Int32Array(nA * nW);
    for (let ia = 0; ia < nA; ia++)
      for (let iw = 0; iw < nW; iw++) {
        const pa = (attrs.aMin + ia) & (nA - 1);
        const pw = (attrs.wMin + iw) & (nW - 1);
        byOffset[ia * nW + iw] = attrs.table[pa * nW + pw];
      }
    const table = tf.tensor1d(byOffset, 'int32');
    const rowIndex = tf.mul(tf.sub(tf.cast(a, 'int32'), tf.scalar(attrs.aMin, 'int32')), tf.scalar(nW, 'int32'));
    const colIndex = tf.sub(tf.cast(w, 'int32'), tf.scalar(attrs.wMin, 'int32'));
    const chunk = Math.max(1, Math.floor(4_000_000 / Math.max(1, K * N)));
    const parts: tf.Tensor[] = [];
    for (let b0 = 0; b0 < B; b0 += chunk) {
      const rows = tf.slice(rowIndex, [b0, 0], [Math.min(chunk, B - b0), K]);
      const index = tf.add(tf.expandDims(rows, 2), tf.expandDims(colIndex, 0)); // [b, K, N]
      parts.push(tf.sum(tf.gather(table, index), 1));
    }
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
  });
}
