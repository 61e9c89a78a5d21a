/**
 * Intervals for the claims that are not accuracy differences (the experiment kit's `claim` covers
 * those): a seed-and-design bootstrap of a mean Spearman correlation, and a Student-t interval of
 * a per-seed quantity (energy-saving differences, log speed ratios). Verdicts come from the kit's
 * `verdictOf`, so they read the same as every other claim.
 *
 * ```ts
 * const rho = bootstrapSpearman([{ x: est1, y: meas1 }, { x: est2, y: meas2 }]); // { value, lo, hi }
 * const t = tInterval([0.8, 1.1, 0.9]);                                           // { value, lo, hi }
 * const c = claimOf('estimate ranks designs', 'mean Spearman', rho, 0, 'above');
 * ```
 */
import { type Claim, verdictOf } from '@lowbit/experiment-kit';
import { SeededRng, spearman } from '@lowbit/quant-core';

export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1..10 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** Mean and 95% t interval over seeds; with one value the interval is unbounded (inconclusive). */
export function tInterval(values: number[]): Interval {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { value: mean, lo: -Infinity, hi: Infinity };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (T975[n - 2] ?? 2.0) * (sd / Math.sqrt(n));
  return { value: mean, lo: mean - half, hi: mean + half };
}

const rhoOrNull = (x: number[], y: number[]) => {
  try {
    return spearman(x, y);
  } catch {
    return null; // a resample with all-equal values: rank correlation undefined
  }
};

/**
 * Mean over seeds of Spearman(x, y), with a 95% percentile interval from resampling seeds and
 * design pairs with replacement (the same pair draw in every seed; every seed has the same pairs).
 */
export function bootstrapSpearman(perSeed: { x: number[]; y: number[] }[], resamples = 2000, seed = 1): Interval {
  const S = perSeed.length;
  const m = perSeed[0].x.length;
  const value = perSeed.reduce((s, p) => s + (rhoOrNull(p.x, p.y) ?? NaN), 0) / S;
  const rng = new SeededRng(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const u = rng.uniform(m + S);
    const idx = Array.from({ length: m }, (_, i) => Math.min(m - 1, Math.floor(u[i] * m)));
    let sum = 0;
    let ok = true;
    for (let s = 0; s < S && ok; s++) {
      const p = perSeed[Math.min(S - 1, Math.floor(u[m + s] * S))];
      const rho = rhoOrNull(
        idx.map((i) => p.x[i]),
        idx.map((i) => p.y[i]),
      );
      if (rho === null) ok = false;
      else sum += rho;
    }
    if (ok) draws.push(sum / S);
  }
  draws.sort((a, b) => a - b);
  if (draws.length === 0) return { value, lo: -Infinity, hi: Infinity };
  const at = (q: number) => draws[Math.min(draws.length - 1, Math.max(0, Math.round(q * (draws.length - 1))))];
  return { value, lo: at(0.025), hi: at(0.975) };
}

/** A kit `Claim` from an interval computed here (95% level), with its computed verdict. */
export function claimOf(
  name: string,
  statistic: string,
  iv: Interval,
  threshold: number,
  direction: 'above' | 'below' = 'above',
): Claim {
  return {
    name,
    statistic,
    value: iv.value,
    lo: iv.lo,
    hi: iv.hi,
    level: 0.95,
    threshold,
    direction,
    verdict: verdictOf(iv.lo, iv.hi, threshold, direction),
  };
}
