/**
 * The `LowbitAppMulMatMul` loop as it was before the direct LUT kernels (one Int32Array row of
 * N sums per (b, k), read-modify-write per product), kept here only as the bench's "previous"
 * variant, so old and new loops are timed side by side in one process.
 */
import type { LutAttrs } from '../src/kernels/appmul-conv2d.js';

export function previousMatMulLoop(
  av: ArrayLike<number>,
  wv: ArrayLike<number>,
  B: number,
  K: number,
  N: number,
  attrs: LutAttrs,
): Int32Array {
  const { table, bitsA, bitsW } = attrs;
  const nW = 2 ** bitsW;
  const maskA = 2 ** bitsA - 1;
  const maskW = nW - 1;
  const wPattern = new Int32Array(K * N);
  for (let i = 0; i < K * N; i++) wPattern[i] = wv[i] & maskW;
  const out = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const o = b * N;
    for (let k = 0; k < K; k++) {
      const row = (av[b * K + k] & maskA) * nW;
      const wk = k * N;
      for (let n = 0; n < N; n++) out[o + n] += table[row + wPattern[wk + n]];
    }
  }
  return out;
}
