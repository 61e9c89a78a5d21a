/**
 * The `LowbitAppMulMatMul` kernel: `Y[b][n] = sum_k M(A[b][k], W[k][n])` for integer codes `A`
 * (`[B, K]`, int32) and `W` (`[K, N]`, int32) through a product table, output int32 `[B, N]`
 * (exact while every sum stays inside int32).
 * Attributes: `table` (Int32Array, layout of `AppMul.table`), `bitsA`, `bitsW`, and the code
 * ranges `[aMin, aMax]`, `[wMin, wMax]`; a code outside its range is a LowbitDataError.
 * The cpu and wasm backends run the same JS loop ({@link appMulMatMulLoop}; configs
 * `appMulMatMulCpuConfig`, `appMulMatMulWasmConfig`); every other backend uses the composed
 * fallback {@link appMulMatMulComposed} (gather + sum, chunked over the batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitDataError } from '@lowbit/quant-core';

export const APPMUL_MATMUL = 'LowbitAppMulMatMul';

export interface AppMulMatMulAttrs {
  table: Int32Array;
  bitsA: number;
  bitsW: number;
  aMin: number;
  aMax: number;
  wMin: number;
  wMax: number;
}

/**
 * The kernel's loop, shared by every JS-loop backend: `a` is `[B, K]`, `w` is `[K, N]` (flat,
 * row-major codes); returns the `[B, N]` sums. The weight bit patterns are computed once; each
 * (b, k) picks its table row and adds it along n. A code outside its range is a LowbitDataError.
 */
export function appMulMatMulLoop(
  av: ArrayLike<number>,
  wv: ArrayLike<number>,
  B: number,
  K: number,
  N: number,
  attrs: AppMulMatMulAttrs,
): Int32Array {
  const { table, bitsA, bitsW, aMin, aMax, wMin, wMax } = attrs;
  const nW = 2 ** bitsW;
  const maskA = 2 ** bitsA - 1;
  const maskW = nW - 1;
  const wPattern = new Int32Array(K * N);
  for (let i = 0; i < K * N; i++) {
    const c = wv[i];
    if (!(c >= wMin && c <= wMax) || c !== Math.floor(c))
      throw new LowbitDataError(
        APPMUL_MATMUL,
        `weight code ${c} at index ${i} is not an integer in [${wMin}, ${wMax}]`,
      );
    wPattern[i] = c & maskW;
  }
  const out = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const o = b * N;
    for (let k = 0; k < K; k++) {
      const c = av[b * K + k];
      if (!(c >= aMin && c <= aMax) || c !== Math.floor(c))
        throw new LowbitDataError(
          APPMUL_MATMUL,
          `activation code ${c} at index ${b * K + k} is not an integer in [${aMin}, ${aMax}]`,
        );
      const row = (c & maskA) * nW;
      const wk = k * N;
      for (let n = 0; n < N; n++) out[o + n] += table[row + wPattern[wk + n]];
    }
  }
  return out;
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
