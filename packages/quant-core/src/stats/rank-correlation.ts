/**
 * Spearman's rank correlation, used wherever lowbit checks that a cheap estimate ranks things
 * the way a measurement does (DQA's channel rankings, FAMES's estimated vs measured loss change).
 *
 * ```ts
 * spearman([1, 2, 3, 4], [1, 2, 4, 3]); // 0.8
 * averageRanks([10, 30, 20, 20]);       // [1, 4, 2.5, 2.5]
 * ```
 */
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { checkNumbers } from '../validate.js';

/** Ranks 1..n (ascending values), ties sharing their average rank. */
export function averageRanks(values: ArrayLike<number>): number[] {
  checkNumbers('values', values);
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman correlation of `a` and `b` (Pearson on average ranks). Both must hold finite numbers;
 * when either is constant the correlation is undefined and a LowbitDataError says which.
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkNumbers('a', a, 2);
  checkNumbers('b', b);
  if (a.length !== b.length) throw new LowbitConfigError('b.length', b.length, `expected ${a.length} scores (>= 2)`);
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
  if (saa === 0 || sbb === 0) {
    const which = saa === 0 ? 'a' : 'b';
    throw new LowbitDataError('spearman', `${which} has all-equal values: the rank correlation is undefined`);
  }
  return sab / Math.sqrt(saa * sbb);
}
