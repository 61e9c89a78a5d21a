/**
 * Agreement between two channel rankings (a cheap proxy against leave-one-out):
 * Spearman's rank correlation (average ranks for ties) and the overlap of the top-k sets.
 *
 * ```ts
 * rankAgreement([3, 1, 2], [30, 10, 20], 1); // { spearman: 1, topOverlap: 1 }
 * ```
 */
import { LowbitConfigError, checkInteger } from '@lowbit/quant-core';

/** Ranks 1..n (ascending values), ties sharing their average rank. */
export function averageRanks(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman correlation of `a` and `b` (NaN when either is constant). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new LowbitConfigError('b.length', b.length, `expected ${a.length} scores (>= 2)`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (ra.length + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman correlation and |top_k(a) ∩ top_k(b)| / k (highest scores; ties by lower index). */
export function rankAgreement(a: ArrayLike<number>, b: ArrayLike<number>, k: number): { spearman: number; topOverlap: number } {
  checkInteger('k', k, 1, a.length);
  const top = (s: ArrayLike<number>) =>
    new Set(Array.from({ length: s.length }, (_, i) => i).sort((x, y) => s[y] - s[x] || x - y).slice(0, k));
  const ta = top(a);
  let both = 0;
  for (const i of top(b)) if (ta.has(i)) both++;
  return { spearman: spearman(a, b), topOverlap: both / k };
}
