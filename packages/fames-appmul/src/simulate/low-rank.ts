/**
 * Low-rank factorisation of an AppMul's tables: the error `E[a][w] = M(a, w) - a w` (`of` 'error')
 * or the whole product table `M[a][w]` (`of` 'product'), `T[a][w] = sum_i U[a][i] V[w][i]`. With
 * the product table's factors an AppMul matrix product is one float product of mapped codes,
 * `sum_k M(A_bk, W_kn) = sum_{k,i} U_i(A_bk) V_i(W_kn)`, an inner size of K r: the low-rank path
 * of `appMulMatMul` and `appMulConv2dCodes`. (The error's factors give `A W` plus a rank-r
 * correction, never fewer products: the product table's rank is at most the error's plus one.)
 *
 * How: rows of the table are scanned in pattern order; a row that is not in the span of the rows
 * kept so far (Gram-Schmidt in float64) joins the basis `V` (integer rows of the table). Every row
 * is then written in that basis by least squares. When all coefficients are integers and
 * reproduce the table exactly (checked in integer arithmetic), the factorisation is **exact over
 * the integers** (`integer: true`): truncation, broken-array and operand-LSB designs have one, of
 * rank <= b_a (+1 for the product table; their error is linear in the bits of |a|), DRUM's product
 * table `d(a) d(w)` is rank 1. Otherwise the coefficients are rationals held in float64
 * (`integer: false`) and the simulated sums are rounded to the nearest integer;
 * {@link lowRankExactFor} says when float32 arithmetic still guarantees the exact integer.
 *
 * ```ts
 * const f = lowRankFactors(truncatedMultiplier({ a: u8, w: u8, columns: 4 }));
 * f?.rank; f?.integer; // e.g. 4, true
 * lowRankFactors(drumMultiplier({ a: u8, w: s8, k: 4 }), 8, 'product')?.rank; // 1
 * ```
 */
import {
  LowbitConfigError,
  checkBoolean,
  checkFinite,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
} from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { codeRange } from '../operand.js';
import { checkAppMul } from './lut-codes.js';

/** Which table is factored: the error `E = M - a w` or the whole product table `M`. */
export type FactoredTable = 'error' | 'product';

export interface LowRankFactors {
  /** The table factored: `U V^T` equals `E` for 'error', `M` for 'product'. */
  of: FactoredTable;
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

const cache = new WeakMap<AppMul, Map<string, LowRankFactors | null>>();

/**
 * Factors of `m`'s error table (`of` 'error', the default) or whole product table (`of`
 * 'product') of rank <= `maxRank` (an integer from 0 to 256), or null when its rank is higher.
 * The product table's rank is at most the error table's plus one, and can be lower: DRUM's
 * `M = d(a) d(w)` is rank 1 (its error, rank 2). Cached per multiplier, table and `maxRank`.
 * Bad arguments: LowbitConfigError naming them.
 */
export function lowRankFactors(m: AppMul, maxRank = 16, of: FactoredTable = 'error'): LowRankFactors | null {
  checkAppMul('m', m);
  checkInteger('maxRank', maxRank, 0, 256);
  checkOneOf('of', of, ['error', 'product'] as const);
  let perRank = cache.get(m);
  if (!perRank) cache.set(m, (perRank = new Map()));
  const key = `${of}:${maxRank}`;
  if (perRank.has(key)) return perRank.get(key)!;
  const result = factor(of === 'error' ? m.errorTable() : m.table, m.rows, m.cols, maxRank, of);
  perRank.set(key, result);
  return result;
}

function factor(E: Int32Array, rows: number, cols: number, maxRank: number, of: FactoredTable): LowRankFactors | null {
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
  return { of, rank, integer, u, v, maxAbsU: maxAbs(u), maxAbsV: maxAbs(v) };
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
 * `K`. Every partial sum of the `K r` terms, in whatever order a float kernel adds them, is at most
 * `K S` with `S = max over (a, w) of sum_i |U_i(a) V_i(w)|`: integer factors need `K S < 2^24`;
 * rational factors need the worst-case float32 error, bounded by `(K r + 2) 2^-23 K S`, below 0.25
 * (then rounding the result recovers the integer). Error factors also need the exact part `A W`
 * exact: `K max|a| max|w| < 2^24`. `f` must be factors of `m` ({@link lowRankFactors}; checked:
 * fields and sizes), `K` an integer >= 0.
 *
 * ```ts
 * lowRankExactFor(m, lowRankFactors(m, 256, 'product')!, 64); // true or false
 * ```
 */
export function lowRankExactFor(m: AppMul, f: LowRankFactors, K: number): boolean {
  checkAppMul('m', m);
  checkFactors('f', f, m);
  checkInteger('K', K, 0, 2 ** 31 - 1);
  const maxA = Math.max(...codeRange(m.a).map(Math.abs));
  const maxW = Math.max(...codeRange(m.w).map(Math.abs));
  // Error factors add to the exact product A W, which must be exact too.
  if (f.of === 'error' && K * maxA * maxW >= 2 ** 24) return false;
  const terms = K * Math.max(1, f.rank);
  // Any partial sum, in any order, is at most K times the largest |U_1 V_1| + ... + |U_r V_r|.
  const magnitude = K * largestTermSum(f, m.rows, m.cols);
  if (f.integer) return magnitude < 2 ** 24;
  return (terms + 2) * 2 ** -23 * magnitude < 0.25;
}

const termSums = new WeakMap<LowRankFactors, number>();

/** `max over (a, w) of sum_i |U_i(a) V_i(w)|` (cached per factors): the bound on one product's terms. */
function largestTermSum(f: LowRankFactors, rows: number, cols: number): number {
  const hit = termSums.get(f);
  if (hit !== undefined) return hit;
  const r = f.rank;
  let largest = 0;
  for (let p = 0; p < rows; p++)
    for (let q = 0; q < cols; q++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += Math.abs(f.u[p * r + i]! * f.v[q * r + i]!);
      if (s > largest) largest = s;
    }
  termSums.set(f, largest);
  return largest;
}

/** Factor tables of one operand, rows by code offset (code - min), as the `LowbitCodeFactors` kernel takes them. */
export interface OffsetFactors {
  factors: Float32Array;
  min: number;
  max: number;
  rank: number;
}

const offsetTables = new WeakMap<LowRankFactors, { a: OffsetFactors; w: OffsetFactors }>();

/**
 * `f`'s U (side 'a') or V (side 'w') re-ordered from pattern order to code offset and held in
 * float32 (exact for integer factors below 2^24; {@link lowRankExactFor} bounds the rest), for
 * the `LowbitCodeFactors` kernel. Cached per factors. `f` must be factors of `m` of rank >= 1.
 *
 * ```ts
 * const { factors, min, max, rank } = offsetFactors(m, lowRankFactors(m, 8, 'product')!, 'a');
 * ```
 */
export function offsetFactors(m: AppMul, f: LowRankFactors, side: 'a' | 'w'): OffsetFactors {
  checkAppMul('m', m);
  checkFactors('f', f, m);
  checkOneOf('side', side, ['a', 'w'] as const);
  if (f.rank < 1)
    throw new LowbitConfigError('f.rank', f.rank, 'expected factors of rank >= 1 (rank 0 is an all-zero table)');
  let tables = offsetTables.get(f);
  if (!tables) {
    const table = (src: Float64Array, spec: AppMul['a']): OffsetFactors => {
      const [min, max] = codeRange(spec);
      const mask = 2 ** spec.bits - 1;
      const r = f.rank;
      const factors = new Float32Array((max - min + 1) * r);
      for (let c = min; c <= max; c++) {
        const p = c & mask; // the code's bit pattern: its row in pattern order
        for (let i = 0; i < r; i++) factors[(c - min) * r + i] = src[p * r + i]!;
      }
      return { factors, min, max, rank: r };
    };
    tables = { a: table(f.u, m.a), w: table(f.v, m.w) };
    offsetTables.set(f, tables);
  }
  return tables[side];
}

/** `f` as {@link lowRankFactors} returns it for `m`: known fields, rank, sizes and bounds. */
function checkFactors(argument: string, f: unknown, m: AppMul): void {
  if (f === null || typeof f !== 'object' || Array.isArray(f))
    throw new LowbitConfigError(argument, f, 'expected low-rank factors (lowRankFactors(m) of the same multiplier)');
  checkKnownKeys(argument, f, ['of', 'rank', 'integer', 'u', 'v', 'maxAbsU', 'maxAbsV']);
  const g = f as LowRankFactors;
  checkOneOf(`${argument}.of`, g.of, ['error', 'product'] as const);
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
