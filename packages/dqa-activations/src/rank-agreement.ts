/**
 * Agreement between two channel rankings (a cheap proxy against leave-one-out):
 * Spearman's rank correlation (quant-core's `spearman`) and the overlap of the top-k sets.
 *
 * ```ts
 * rankAgreement([3, 1, 2], [30, 10, 20], 1); // { spearman: 1, topOverlap: 1 }
 * ```
 */
import { checkInteger, checkNumbers, spearman } from '@lowbit/quant-core';

/** Spearman correlation and |top_k(a) ∩ top_k(b)| / k (highest scores; ties by lower index). */
export function rankAgreement(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  k: number,
): { spearman: number; topOverlap: number } {
  checkNumbers('a', a, 1);
  checkNumbers('b', b);
  checkInteger('k', k, 1, a.length);
  const top = (s: ArrayLike<number>) =>
    new Set(
      Array.from({ length: s.length }, (_, i) => i)
        .sort((x, y) => s[y] - s[x] || x - y)
        .slice(0, k),
    );
  const ta = top(a);
  let both = 0;
  for (const i of top(b)) if (ta.has(i)) both++;
  return { spearman: spearman(a, b), topOverlap: both / k };
}
