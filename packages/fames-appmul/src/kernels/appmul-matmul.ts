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
import { LowbitConfigError, LowbitDataError, checkInteger, checkTensor } from '@lowbit/quant-core';
import { appMulConv2dLoop, type LutAttrs } from './appmul-conv2d.js';
import { checkCodeTensor } from './check-codes.js';
import { checkLutAttrs } from './check-lut-attrs.js';
import { composedSums } from './composed-sums.js';

export const APPMUL_MATMUL = 'LowbitAppMulMatMul';

/** The table and the code ranges (see {@link LutAttrs}). */
export type AppMulMatMulAttrs = LutAttrs;

const NO_GEOMETRY = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, outH: 1 };

/** Largest size of one dimension the loops take (tfjs's own limit on a tensor's size). */
const MAX_DIM = 2 ** 31 - 1;

/**
 * The kernel's loop, shared by every JS-loop backend: `a` is `[B, K]`, `w` is `[K, N]` (flat,
 * row-major codes); returns the `[B, N]` sums. It is the direct LUT convolution
 * ({@link appMulConv2dLoop}) of one image row of B pixels with K channels by a 1x1 kernel: 8 sums
 * (2 rows x 4 columns) in locals per pass over k. Checked before any work: `B`, `K`, `N` integers
 * >= 0 that the arrays fill (LowbitConfigError / LowbitDataError), `attrs` the table attributes only;
 * a code outside its range (or NaN) is a LowbitDataError. An empty product (`K = 0`) sums to 0.
 *
 * ```ts
 * const y = appMulMatMulLoop(Int32Array.of(1, 2), Int32Array.of(3, -4), 1, 2, 1, lutAttrsOf(m)); // [M(1,3) + M(2,-4)]
 * ```
 */
export function appMulMatMulLoop(
  av: ArrayLike<number>,
  wv: ArrayLike<number>,
  B: number,
  K: number,
  N: number,
  attrs: AppMulMatMulAttrs,
): Int32Array {
  checkInteger('B', B, 0, MAX_DIM);
  checkInteger('K', K, 0, MAX_DIM);
  checkInteger('N', N, 0, MAX_DIM);
  for (const [name, values, size, dims] of [
    ['a', av, B * K, '[B, K]'],
    ['w', wv, K * N, '[K, N]'],
  ] as const) {
    const arrayLike = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
    if (!arrayLike || values.length !== size) {
      const held = arrayLike ? `${values.length} codes` : `no array of codes (${typeof values})`;
      throw new LowbitDataError(APPMUL_MATMUL, `${name} holds ${held}, ${dims} = [${B}, ${K}, ${N}] needs ${size}`);
    }
  }
  checkLutAttrs('attrs', attrs);
  if (B === 0 || N === 0 || K === 0) return new Int32Array(B * N);
  const geometry = { ...attrs, ...NO_GEOMETRY, outW: B };
  return appMulConv2dLoop(av, wv, [1, 1, B, K], [1, 1, K, N], geometry, APPMUL_MATMUL);
}

/**
 * Composed fallback from tf ops (any backend): the table re-ordered by code offset, gathered at
 * `(a - aMin) 2^b_w + (w - wMin)` and summed over k. Memory `chunk x K x N` per step. Checks its
 * arguments first: `a` `[B, K]` and `w` `[K, N]` tensors, the table attributes, and every code an
 * integer in its range (one min / max read per operand; NaN is a LowbitDataError). Returns int32.
 *
 * ```ts
 * const y = appMulMatMulComposed(tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.tensor2d([[3], [-4]], [2, 1], 'int32'), lutAttrsOf(m));
 * ```
 */
export function appMulMatMulComposed(a: tf.Tensor2D, w: tf.Tensor2D, attrs: AppMulMatMulAttrs): tf.Tensor2D {
  checkTensor('a', a, { rank: 2, dtype: ['int32', 'float32'] });
  checkTensor('w', w, { rank: 2, dtype: ['int32', 'float32'] });
  if (a.shape[1] !== w.shape[0])
    throw new LowbitConfigError('w', w, `expected ${a.shape[1]} rows to match a's inner dimension`);
  checkLutAttrs('attrs', attrs);
  checkCodeTensor('appMulMatMulComposed', 'a', a, attrs.aMin, attrs.aMax);
  checkCodeTensor('appMulMatMulComposed', 'w', w, attrs.wMin, attrs.wMax);
  return composedSums(a, w, attrs);
}
