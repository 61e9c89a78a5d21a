/**
 * Scalar reference of an AppMul matrix product: `Y[b][n] = sum_k M(A[b][k], W[k][n])`, in
 * float64 from plain loops. The ground truth the kernels are tested against; slow by design.
 *
 * ```ts
 * const y = appMulMatMulReference(Int32Array.of(1, 2), Int32Array.of(3, 4), [1, 2, 1], m); // [M(1,3) + M(2,4)]
 * ```
 */
import { LowbitConfigError, checkInteger, checkNumbers } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { checkAppMul } from './lut-codes.js';

/**
 * `aCodes` is `[B, K]` row-major, `wCodes` is `[K, N]`; `shape = [B, K, N]` with `K >= 1`, so the
 * output `B N` is bounded by the inputs. Checked first: arrays of finite numbers (NaN is a
 * LowbitConfigError naming its index), the shape against their lengths, `m` an AppMul; a code
 * outside `m`'s range is `m.product`'s LowbitConfigError.
 */
export function appMulMatMulReference(
  aCodes: ArrayLike<number>,
  wCodes: ArrayLike<number>,
  shape: [number, number, number],
  m: AppMul,
): Float64Array {
  checkNumbers('aCodes', aCodes);
  checkNumbers('wCodes', wCodes);
  if (!Array.isArray(shape) || shape.length !== 3)
    throw new LowbitConfigError('shape', shape, 'expected [B, K, N], three integers');
  const B = checkInteger('shape[0]', shape[0], 0, 2 ** 31 - 1);
  const K = checkInteger('shape[1]', shape[1], 1, 2 ** 31 - 1);
  const N = checkInteger('shape[2]', shape[2], 0, 2 ** 31 - 1);
  checkAppMul('m', m);
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
