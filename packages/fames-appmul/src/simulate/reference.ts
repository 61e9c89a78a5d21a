/**
 * Scalar reference of an AppMul matrix product: `Y[b][n] = sum_k M(A[b][k], W[k][n])`, in
 * float64 from plain loops. The ground truth the kernels are tested against; slow by design.
 *
 * ```ts
 * const y = appMulMatMulReference(Int32Array.of(1, 2), Int32Array.of(3, 4), [1, 2, 1], m); // [M(1,3) + M(2,4)]
 * ```
 */
import { LowbitConfigError } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';

/** `aCodes` is `[B, K]` row-major, `wCodes` is `[K, N]`; `shape = [B, K, N]`. */
export function appMulMatMulReference(
  aCodes: ArrayLike<number>,
  wCodes: ArrayLike<number>,
  shape: [number, number, number],
  m: AppMul,
): Float64Array {
  const [B, K, N] = shape;
  if (aCodes.length !== B * K || wCodes.length !== K * N)
    throw new LowbitConfigError(
      'shape',
      shape,
      `expected [B, K, N] matching ${aCodes.length} activation and ${wCodes.length} weight codes`,
    );
  const y = new Float64Array(B * N);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += m.product(aCodes[b * K + k], wCodes[k * N + n]);
      y[b * N + n] = s;
    }
  return y;
}
