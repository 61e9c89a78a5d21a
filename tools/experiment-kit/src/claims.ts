/**
 * Claims with computed verdicts. A claim is a statistic of arms' accuracies (in points) compared
 * with a threshold; its verdict comes from the bootstrap interval, never from a person:
 *
 * - `holds`: the whole interval lies on the claimed side of the threshold;
 * - `does not hold`: the whole interval lies on the other side (or touches the threshold from there);
 * - `inconclusive`: the interval contains the threshold.
 *
 * ```ts
 * const c = claim('DQA > direct at N = 4', {
 *   vectors: [dqa, direct],                 // per-image correctness, seeds concatenated
 *   statistic: ([d, x]) => d - x,
 *   describe: 'accuracy(DQA) - accuracy(direct), points',
 *   seeds: 3,
 * });
 * c.verdict;       // 'holds' | 'does not hold' | 'inconclusive'
 * claimLine(c);    // one markdown line for the results page
 * ```
 */
import { LowbitConfigError } from '@lowbit/quant-core';
import { bootstrap, mcnemar, type BootstrapOptions } from './stats.js';

export type Verdict = 'holds' | 'does not hold' | 'inconclusive';

export interface Claim {
  name: string;
  /** How the value is computed, in words. */
  statistic: string;
  value: number;
  lo: number;
  hi: number;
  level: number;
  threshold: number;
  direction: 'above' | 'below';
  /** McNemar's exact p-value, for claims comparing two vectors. */
  pValue?: number;
  verdict: Verdict;
}

export interface ClaimInput extends BootstrapOptions {
  vectors: Uint8Array[];
  statistic: (accuracies: number[]) => number;
  describe: string;
  /** Default 0. */
  threshold?: number;
  /** The claim is "statistic > threshold" ('above', default) or "statistic < threshold" ('below'). */
  direction?: 'above' | 'below';
}

/** Decides a claim from its bootstrap interval (see the module comment). */
export function verdictOf(lo: number, hi: number, threshold: number, direction: 'above' | 'below'): Verdict {
  if (direction === 'above') return lo > threshold ? 'holds' : hi <= threshold ? 'does not hold' : 'inconclusive';
  return hi < threshold ? 'holds' : lo >= threshold ? 'does not hold' : 'inconclusive';
}

export function claim(name: string, input: ClaimInput): Claim {
  if (typeof name !== 'string' || name === '') throw new LowbitConfigError('name', name, 'expected a non-empty string');
  if (typeof input?.describe !== 'string') {
    throw new LowbitConfigError('describe', input?.describe, 'expected a description of the statistic');
  }
  const threshold = input.threshold ?? 0;
  const direction = input.direction ?? 'above';
  if (!isFinite(threshold)) throw new LowbitConfigError('threshold', threshold, 'expected a finite number');
  if (direction !== 'above' && direction !== 'below') {
    throw new LowbitConfigError('direction', direction, "expected 'above' or 'below'");
  }
  const level = input.level ?? 0.95;
  const { value, lo, hi } = bootstrap(input.vectors, input.statistic, input);
  const pValue = input.vectors.length === 2 ? mcnemar(input.vectors[0], input.vectors[1]).pValue : undefined;
  return {
    name,
    statistic: input.describe,
    value,
    lo,
    hi,
    level,
    threshold,
    direction,
    ...(pValue === undefined ? {} : { pValue }),
    verdict: verdictOf(lo, hi, threshold, direction),
  };
}

const fmt = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(2);

/** One markdown line: verdict, name, value with its interval, threshold and McNemar p. */
export function claimLine(c: Claim): string {
  const side = c.direction === 'above' ? '>' : '<';
  const p =
    c.pValue === undefined ? '' : `; McNemar p = ${c.pValue < 1e-4 ? c.pValue.toExponential(1) : c.pValue.toFixed(4)}`;
  return (
    `**${c.verdict}**: ${c.name}. ${c.statistic} = ${fmt(c.value)} ` +
    // An unbounded interval (one seed, no resamples) is stated as such, not printed as -Infinity to +Infinity.
    `(${Number.isFinite(c.lo) || Number.isFinite(c.hi) ? `${Math.round(c.level * 100)}% CI ${fmt(c.lo)} to ${fmt(c.hi)}` : 'no interval: too few samples'}; ` +
    `claimed ${side} ${c.threshold}${p})`
  );
}
