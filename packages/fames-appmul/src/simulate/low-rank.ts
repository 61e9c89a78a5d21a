/**
 * Low-rank factorisation of an AppMul's error table, `E[a][w] = M(a, w) - a w = sum_i U[a][i] V[w][i]`,
 * so that an AppMul matrix product becomes one exact matmul plus a rank-r correction:
 * `sum_k M(A_bk, W_kn) = (A W)_bn + sum_i (U_i(A) V_i(W))_bn`.
 *
 * How: rows of E are scanned in pattern order; a row that is not in the span of the rows kept so
 * far (Gram-Schmidt in float64) joins the basis `V` (integer rows of E). Every row is then written
 * in that basis by least squares. When all coefficients are integers and reproduce E exactly
 * (checked in integer arithmetic), the factorisation is **exact over the integers** (`integer:
 * true`): truncation, broken-array and operand-LSB designs have one, of rank <= b_a (their error is
 * linear in the bits of |a|). Otherwise the coefficients are rationals held in float64 (`integer:
 * false`) and the simulated sums are rounded to the nearest integer; {@link lowRankExactFor} says
 * when float32 arithmetic still guarantees the exact integer.
 *
 * ```ts
 * const f = lowRankFactors(truncatedMultiplier({ a: u8, w: u8, columns: 4 }));
 * f?.rank; f?.integer; // e.g. 4, true
 * ```
 */
import { LowbitConfigError, checkBoolean, checkFinite, checkInteger, checkKnownKeys } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { codeRange } from '../operand.js';
import { checkAppMul } from './lut-codes.js';

export interface LowRankFactors {
  rank: number;
  /** True when U and V are integer-valued and U V^T equals E exactly. */
  integer: boolean;
  /** `[rows, rank]` row-major, rows in pattern order of the activation operand. */
  u: Float64Array;
  /** `[cols, rank]` row-major, rows in pattern order of the weight operand. */
  v: Float64Array;
  maxAbsU: number;
  maxAbsV: number;
}

const cache = new WeakMap<AppMul, Map<number, LowRankFactors | null>>();

/**
 * Factors of `m`'s error table of rank <= `maxRank` (an integer from 0 to 256), or null when its
 * rank is higher. Cached per multiplier and `maxRank`. Bad arguments: LowbitConfigError naming them.
 */
export function lowRankFactors(m: AppMul, maxRank = 16): LowRankFactors | null {
  checkAppMul('m', m);
  checkInteger('maxRank', maxRank, 0, 256);
  let perRank = cache.get(m);
  if (!perRank) cache.set(m, (perRank = new Map()));
  if (perRank.has(maxRank)) return perRank.get(maxRank)!;
  const result = factor(m, maxRank);
  perRank.set(maxRank, result);
  return result;
}

function factor(m: AppMul, maxRank: number): LowRankFactors | null {
  const E = m.errorTable();
  const rows = m.rows;
  const cols = m.cols;
  const basisRows: number[] = [];
  const ortho: Float64Array[] = [];
  for (let p = 0; p < rows; p++) {
    const r = Float64Array.from(E.subarray(p * cols, (p + 1) * cols));
    let norm0 = 0;
    for (let j = 0; j < cols; j++) norm0 += r[j] * r[j];
    if (norm0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of ortho) {
        let d = 0;
        for (let j = 0; j < cols; j++) d += q[j] * r[j];
        for (let j = 0; j < cols; j++) r[j] -= d * q[j];
      }
    }
    let norm = 0;
    for (let j = 0; j < cols; j++) norm += r[j] * r[j];
    if (norm > 1e-18 * norm0 * cols && norm > 1e-12) {
      if (basisRows.length === maxRank) return null;
      basisRows.push(p);
      const s = 1 / Math.sqrt(norm);
      for (let j = 0; j < cols; j++) r[j] *= s;
      ortho.push(r);
    }
  }
  const rank = basisRows.length;
  const v = new Float64Array(cols * rank);
  basisRows.forEach((p, i) => {
    for (let j = 0; j < cols; j++) v[j * rank + i] = E[p * cols + j];
  });
  // Least-squares coefficients of every row in the basis: (B B^T) c = B e.
  const gram = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++)
    for (let k = 0; k < rank; k++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += v[j * rank + i] * v[j * rank + k];
      gram[i * rank + k] = s;
    }
  const u = new Float64Array(rows * rank);
  let integer = true;
  const gramInverse = invert(gram, rank); // once: every row then costs rank^2
  const rhs = new Float64Array(rank);
  const c = new Float64Array(rank);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < rank; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += v[j * rank + i] * E[p * cols + j];
      rhs[i] = s;
    }
    for (let i = 0; i < rank; i++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += gramInverse[i * rank + k] * rhs[k];
      c[i] = s;
    }
    for (let i = 0; i < rank; i++) {
      u[p * rank + i] = c[i];
      if (Math.abs(c[i] - Math.round(c[i])) > 1e-6) integer = false;
    }
  }
  if (integer) {
    const rounded = u.map(Math.round);
    // Verify U V^T = E exactly (integers below 2^53 are exact in float64).
    outer: for (let p = 0; p < rows; p++)
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let i = 0; i < rank; i++) s += rounded[p * rank + i] * v[j * rank + i];
        if (s !== E[p * cols + j]) {
          integer = false;
          break outer;
        }
      }
    if (integer) u.set(rounded);
  }
  return { rank, integer, u, v, maxAbsU: maxAbs(u), maxAbsV: maxAbs(v) };
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const t of x) if (Math.abs(t) > m) m = Math.abs(t);
  return m;
}

/** Inverse of a small square matrix by Gauss-Jordan elimination with partial pivoting. */
function invert(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
        [inv[c * n + k], inv[piv * n + k]] = [inv[piv * n + k], inv[c * n + k]];
      }
    }
    const d = m[c * n + c];
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/**
 * Whether the low-rank path reproduces the exact integer sums in float32 for an inner dimension
 * `K`: integer factors need every partial sum below 2^24; rational factors need the worst-case
 * float32 error, bounded by `(K r + 2) 2^-23 K r max|U| max|V|`, below 0.25 (then rounding the
 * result recovers the integer). The exact part `A W` needs `K max|a| max|w| < 2^24`. `f` must be
 * factors of `m` ({@link lowRankFactors}; checked: fields and sizes), `K` an integer >= 0.
 *
 * ```ts
 * lowRankExactFor(m, lowRankFactors(m, 256)!, 64); // true or false
 * ```
 */
export function lowRankExactFor(m: AppMul, f: LowRankFactors, K: number): boolean {
  checkAppMul('m', m);
  checkFactors('f', f, m);
  checkInteger('K', K, 0, 2 ** 31 - 1);
  const maxA = Math.max(...codeRange(m.a).map(Math.abs));
  const maxW = Math.max(...codeRange(m.w).map(Math.abs));
  if (K * maxA * maxW >= 2 ** 24) return false;
  const terms = K * Math.max(1, f.rank);
  const magnitude = terms * f.maxAbsU * f.maxAbsV;
  if (f.integer) return magnitude < 2 ** 24;
  return (terms + 2) * 2 ** -23 * magnitude < 0.25;
}

/** `f` as {@link lowRankFactors} returns it for `m`: known fields, rank, sizes and bounds. */
function checkFactors(argument: string, f: unknown, m: AppMul): void {
  if (f === null || typeof f !== 'object' || Array.isArray(f))
    throw new LowbitConfigError(argument, f, 'expected low-rank factors (lowRankFactors(m) of the same multiplier)');
  checkKnownKeys(argument, f, ['rank', 'integer', 'u', 'v', 'maxAbsU', 'maxAbsV']);
  const g = f as LowRankFactors;
  const rank = checkInteger(`${argument}.rank`, g.rank, 0, 256);
  checkBoolean(`${argument}.integer`, g.integer);
  for (const [key, rows] of [
    ['u', m.rows],
    ['v', m.cols],
  ] as const) {
    const v = g[key];
    if (!(v instanceof Float64Array) || v.length !== rows * rank)
      throw new LowbitConfigError(`${argument}.${key}`, v, `expected a Float64Array of ${rows} x ${rank} factors of m`);
  }
  checkFinite(`${argument}.maxAbsU`, g.maxAbsU, { min: 0 });
  checkFinite(`${argument}.maxAbsV`, g.maxAbsV, { min: 0 });
}
