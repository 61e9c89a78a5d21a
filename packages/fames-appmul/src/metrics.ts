/**
 * Error metrics of a product table against the exact product, over all operand pairs taken as
 * equally likely (as EvoApproxLib computes them).
 *
 * With `P = a * w` exact, `M` the approximate product, `N = 2^(b_a + b_w)` pairs:
 * - `mae`  = mean |M - P|;          `maePercent` = 100 * mae / 2^(b_a + b_w)
 * - `wce`  = max |M - P|;           `wcePercent` = 100 * wce / 2^(b_a + b_w)
 * - `meanError` = mean (M - P) (bias); `meanErrorPercent` likewise normalised by 2^(b_a + b_w)
 * - `mrePercent` = 100 * mean over pairs with P != 0 of |M - P| / |P| (EvoApproxLib's choice:
 *   checked against its published MRE figures)
 * - `wcrePercent` = 100 * max over pairs with P != 0 of |M - P| / |P|
 * - `errorProbabilityPercent` = 100 * (pairs with M != P) / N
 * - `mse` = mean (M - P)^2
 *
 * The normaliser 2^(b_a + b_w) is EvoApproxLib's (2^16 for 8x8), so `maePercent` and `wcePercent`
 * compare directly with its published figures; the same normaliser is used for signed operands.
 *
 * ```ts
 * const m = errorMetrics(table, { bits: 2, signed: false }, { bits: 2, signed: false });
 * m.maePercent;
 * ```
 */
import { LowbitDataError, checkNumbers } from '@lowbit/quant-core';
import { checkOperand, codesByPattern, type OperandSpec } from './operand.js';

export interface ErrorMetrics {
  mae: number;
  maePercent: number;
  wce: number;
  wcePercent: number;
  meanError: number;
  meanErrorPercent: number;
  mse: number;
  mrePercent: number;
  wcrePercent: number;
  errorProbabilityPercent: number;
}

/** Metrics of `table` (entry `pattern(a) * 2^b_w + pattern(w)`) for operands `a`, `w`. */
export function errorMetrics(table: ArrayLike<number>, a: OperandSpec, w: OperandSpec): ErrorMetrics {
  a = checkOperand('a', a);
  w = checkOperand('w', w);
  checkNumbers('table', table);
  const nA = 2 ** a.bits;
  const nW = 2 ** w.bits;
  if (table.length !== nA * nW) {
    throw new LowbitDataError(
      'errorMetrics',
      `table has ${table.length} entries, expected 2^(${a.bits}+${w.bits}) = ${nA * nW}`,
    );
  }
  const codesA = codesByPattern(a);
  const codesW = codesByPattern(w);
  let sumAbs = 0;
  let sum = 0;
  let sumSq = 0;
  let wce = 0;
  let sumRel = 0;
  let wcre = 0;
  let wrong = 0;
  let nonZero = 0;
  for (let i = 0; i < nA; i++) {
    for (let j = 0; j < nW; j++) {
      const exact = codesA[i] * codesW[j];
      const e = table[i * nW + j] - exact;
      const ae = Math.abs(e);
      sum += e;
      sumAbs += ae;
      sumSq += e * e;
      if (ae > wce) wce = ae;
      if (e !== 0) wrong++;
      if (exact !== 0) {
        const rel = ae / Math.abs(exact);
        nonZero++;
        sumRel += rel;
        if (rel > wcre) wcre = rel;
      }
    }
  }
  const n = nA * nW;
  const range = 2 ** (a.bits + w.bits);
  return {
    mae: sumAbs / n,
    maePercent: (100 * sumAbs) / n / range,
    wce,
    wcePercent: (100 * wce) / range,
    meanError: sum / n,
    meanErrorPercent: (100 * sum) / n / range,
    mse: sumSq / n,
    mrePercent: (100 * sumRel) / nonZero,
    wcrePercent: 100 * wcre,
    errorProbabilityPercent: (100 * wrong) / n,
  };
}
