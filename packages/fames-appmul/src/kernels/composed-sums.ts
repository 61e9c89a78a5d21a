/**
 * Package-internal (not exported from the package): the composed LUT matmul of
 * {@link appMulMatMulComposed} without its checks, for `appMulMatMul`, which runs it on operands
 * it has checked.
 *
 * ```ts
 * const y = composedSums(a, w, lutAttrsOf(m)); // int32 [B, N]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AppMulMatMulAttrs } from './appmul-matmul.js';

export function composedSums(a: tf.Tensor2D, w: tf.Tensor2D, attrs: AppMulMatMulAttrs): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, K] = a.shape;
    const N = w.shape[1];
    if (B === 0 || K === 0 || N === 0) return tf.zeros([B, N], 'int32') as tf.Tensor2D;
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
