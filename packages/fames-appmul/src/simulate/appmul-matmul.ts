/**
 * `appMulMatMul(a, w, m)`: the matrix product of integer codes with every scalar product taken
 * through the AppMul `m`: `Y[b][n] = sum_k M(A[b][k], W[k][n])`, float32 `[B, N]`.
 *
 * Paths (`path`, default `'auto'`):
 * - `'lut'`: the `LowbitAppMulMatMul` kernel (JS loop on cpu and wasm, composed gather elsewhere).
 * - `'low-rank'`: `U(A) V(W)^T`, one float matmul of inner size K r, from the product table's
 *   factors `M(a, w) = sum_i U_i(a) V_i(w)` ({@link lowRankFactors} of 'product'), the codes
 *   mapped to their factors by the `LowbitCodeFactors` kernel. DRUM and operand-LSB designs are
 *   rank 1 (one matmul), truncations and broken arrays rank 2 to 9, Mitchell 64.
 * - `'auto'`: the exact matmul for an exact table; on the cpu backend, whose own float ops are JS
 *   loops, the LUT kernel (measured faster than its float matmul and conv, see the README's bench);
 *   elsewhere (wasm's XNNPACK, GPUs) the low-rank path when the product table's rank is at most
 *   `maxRank` (default 8) and float32 provably gives the exact integers ({@link lowRankExactFor}),
 *   otherwise the LUT.
 * Every path returns the exact integer sums (tests check each against the scalar reference).
 *
 * Gradient (`tf.grad` / training): straight-through, as if the multiplier were exact:
 * `dA = dY W^T`, `dW = A^T dY`.
 *
 * ```ts
 * const m = drumMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: true }, k: 4 });
 * const y = appMulMatMul(tf.tensor2d([[3, 200]], [1, 2], 'int32'), tf.tensor2d([[-5], [17]], [2, 1], 'int32'), m);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkTensor,
} from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { APPMUL_MATMUL } from '../kernels/appmul-matmul.js';
import { composedSums } from '../kernels/composed-sums.js';
import '../kernels/register.js';
import { codeRange } from '../operand.js';
import { checkAppMul, checkAppMulCodes, lutAttrsOf } from './lut-codes.js';
import { codeFactors } from '../kernels/code-factors.js';
import { lowRankExactFor, lowRankFactors, offsetFactors, type LowRankFactors } from './low-rank.js';

export type AppMulPath = 'auto' | 'lut' | 'low-rank';

export interface AppMulMatMulOptions {
  path?: AppMulPath;
  /** Largest product-table rank the `'auto'` path sends to the low-rank path. Default 8. */
  maxRank?: number;
  /** Check that every code lies in its operand's range (reads two min/max scalars). Default true. */
  checkCodes?: boolean;
}

const OPTION_KEYS = ['path', 'maxRank', 'checkCodes'];

/**
 * The path `appMulMatMul` takes for `m` at inner dimension `K` on `backend` (default: the current
 * one). Bad arguments are a LowbitConfigError naming them.
 *
 * ```ts
 * chooseAppMulPath(truncatedMultiplier({ a: u8, w: u8, columns: 6 }), 64, {}, 'webgl'); // 'low-rank'
 * ```
 */
export function chooseAppMulPath(
  m: AppMul,
  K: number,
  options: AppMulMatMulOptions = {},
  backend = tf.getBackend(),
): 'exact' | 'lut' | 'low-rank' {
  checkAppMul('m', m);
  checkInteger('K', K, 0, 2 ** 31 - 1);
  checkKnownKeys('options', options, OPTION_KEYS);
  if (typeof backend !== 'string' || backend.length === 0)
    throw new LowbitConfigError('backend', backend, "expected a backend name such as 'cpu'");
  const path = checkOneOf('path', options.path ?? 'auto', ['auto', 'lut', 'low-rank'] as const);
  const maxRank = checkInteger('maxRank', options.maxRank ?? 8, 0, 256);
  if (path === 'lut') return 'lut';
  if (path === 'low-rank') return 'low-rank';
  const maxProduct = Math.max(...codeRange(m.a).map(Math.abs)) * Math.max(...codeRange(m.w).map(Math.abs));
  if (m.isExact() && K * maxProduct < 2 ** 24) return 'exact';
  // On cpu the JS LUT loop beats the backend's own (JS) float ops, so r of them lose (README's bench).
  if (backend === 'cpu' && tf.getKernel(APPMUL_MATMUL, backend)) return 'lut';
  const f = lowRankFactors(m, maxRank, 'product');
  return f && f.rank > 0 && lowRankExactFor(m, f, K) ? 'low-rank' : 'lut';
}

/**
 * The product-table factors the low-rank path uses for `m`: of rank <= `maxRank` when there are
 * such, else the full factorisation (a forced `'low-rank'` path on a high-rank table).
 */
export function productFactors(m: AppMul, maxRank: number): LowRankFactors {
  return lowRankFactors(m, maxRank, 'product') ?? lowRankFactors(m, 256, 'product')!;
}

/** Forward value only (no gradient): float32 `[B, N]`. */
function forward(
  a: tf.Tensor2D,
  w: tf.Tensor2D,
  m: AppMul,
  path: 'exact' | 'lut' | 'low-rank',
  maxRank: number,
): tf.Tensor2D {
  const attrs = lutAttrsOf(m);
  if (path === 'exact') return tf.matMul(tf.cast(a, 'float32'), tf.cast(w, 'float32'));
  if (path === 'lut') {
    const ai = tf.cast(a, 'int32');
    const wi = tf.cast(w, 'int32');
    const y = tf.getKernel(APPMUL_MATMUL, tf.getBackend())
      ? (tf.engine().runKernel(APPMUL_MATMUL, { a: ai, w: wi }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D)
      : composedSums(ai, wi, attrs);
    return tf.cast(y, 'float32');
  }
  const f = productFactors(m, maxRank);
  if (f.rank === 0) return tf.mul(tf.matMul(tf.cast(a, 'float32'), tf.cast(w, 'float32')), 0); // an all-zero table
  const ua = codeFactors(a, offsetFactors(m, f, 'a')) as tf.Tensor2D; // [B, K r]
  // [K r, N] (factors along axis 0): the wasm backend's matmul is several times slower with a transposed right operand.
  const vw = codeFactors(w, { ...offsetFactors(m, f, 'w'), axis: 0 }) as tf.Tensor2D;
  const y = tf.matMul(ua, vw);
  return (f.integer ? y : tf.round(y)) as tf.Tensor2D;
}

/**
 * Checked once per call, before any work: `a` `[B, K]` and `w` `[K, N]` tensors (int32 or float32
 * codes), `m` an AppMul, the options; with `checkCodes` (default) every code an integer in its
 * operand's range, so NaN or a fraction is a LowbitDataError naming the operand. With
 * `checkCodes: false` the codes are trusted (the AppMul arithmetic checks its own): the LUT path
 * casts float codes to int32 (NaN becomes 0, fractions truncate) and its kernel still rejects an
 * integer code outside its range; the exact and low-rank paths propagate NaN.
 */
export function appMulMatMul(
  a: tf.Tensor2D,
  w: tf.Tensor2D,
  m: AppMul,
  options: AppMulMatMulOptions = {},
): tf.Tensor2D {
  checkTensor('a', a, { rank: 2, dtype: ['int32', 'float32'] });
  checkTensor('w', w, { rank: 2, dtype: ['int32', 'float32'] });
  checkAppMul('m', m);
  checkKnownKeys('options', options, OPTION_KEYS);
  if (a.shape[1] !== w.shape[0])
    throw new LowbitConfigError('w', w, `expected ${a.shape[1]} rows to match a's inner dimension`);
  const maxRank = checkInteger('maxRank', options.maxRank ?? 8, 0, 256);
  const checkCodes = checkBoolean('checkCodes', options.checkCodes ?? true);
  const path = chooseAppMulPath(m, a.shape[1], options);
  if (checkCodes) checkAppMulCodes(a, w, m);
  return tf.tidy(() => {
    const af = tf.cast(a, 'float32');
    const wf = tf.cast(w, 'float32');
    const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, y]);
      return {
        value: forward(x as tf.Tensor2D, y as tf.Tensor2D, m, path, maxRank),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D, false, true),
          tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D, true, false),
        ],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(af, wf) as tf.Tensor2D;
  });
}
