/**
 * Before/after comparison of one result figure, for docs/results/redesign-check.md: is a figure
 * of a rerun identical, within noise, or changed, and by what yardstick.
 *
 * ```ts
 * judge({ name: 'test acc.', kind: 'stat', before: 0.58, after: 0.6, seeds: [0.6, 0.55, 0.63] });
 * // { verdict: 'within noise', how: 'difference 2.00 pts vs the spread 8.00 pts (3 runs of the after code)' }
 * ```
 */

/** `cost`: set by topology and bit widths (must not move); `stat`: depends on training; `text`: a choice. */
export type FigureKind = 'cost' | 'stat' | 'text';

export interface Figure {
  name: string;
  kind: FigureKind;
  /** null: the figure did not exist before (a new row). */
  before: number | string | boolean | null;
  after: number | string | boolean | null;
  /** The same figure from a second run of the after code at the same seed. */
  rerun?: number | string | boolean | null;
  /** The same figure from every run of the after code (`after` itself, its rerun, other seeds). */
  seeds?: Array<number | string | boolean | null>;
  /** Test-set size of an accuracy, for the binomial yardstick when there are no seed runs. */
  binomialN?: number;
  /** Accuracies in [0, 1], shown in percent and their noise in points. */
  percent?: boolean;
  /** Why a figure changed, when that is known (written on the page). */
  why?: string;
}

export type Verdict = 'identical' | 'within noise' | 'changed' | 'new';

export interface Judgement {
  verdict: Verdict;
  /** How the verdict was reached (the yardstick and its size). */
  how: string;
}

/** Differences below this relative size are float32 rounding (about 8 ulps), not a result. */
export const FLOAT32_RELATIVE = 1e-6;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Spread (max - min) of the numeric seed values; null with fewer than two. */
export function seedRange(seeds: Figure['seeds']): number | null {
  const values = (seeds ?? []).filter(isNumber);
  if (values.length < 2) return null;
  return Math.max(...values) - Math.min(...values);
}

/** Two standard errors of the difference of two accuracies p measured on n images each. */
export function binomialBand(p: number, n: number): number {
  return 2 * Math.sqrt((2 * p * (1 - p)) / n);
}

export function judge(f: Figure): Judgement {
  if (f.before === null) return { verdict: 'new', how: 'not on the page before' };
  if (f.before === f.after) return { verdict: 'identical', how: '' };
  const why = f.why ? `: ${f.why}` : '';
  if (f.kind === 'cost') return { verdict: 'changed', how: `a cost figure (topology and bit widths only)${why}` };
  if (f.kind === 'text') {
    const seeds = f.seeds ?? [];
    const distinct = new Set(seeds.map(String));
    if (distinct.size > 1)
      return { verdict: 'within noise', how: `the runs of the after code choose ${distinct.size} different ways` };
    return {
      verdict: 'changed',
      how: `${seeds.length > 1 ? 'the runs of the after code agree with each other' : 'no other runs of the after code'}${why}`,
    };
  }
  if (!isNumber(f.before) || !isNumber(f.after)) return { verdict: 'changed', how: `not comparable${why}` };
  const delta = Math.abs(f.after - f.before);
  const relative = delta / Math.max(Math.abs(f.before), Math.abs(f.after));
  if (relative < FLOAT32_RELATIVE) {
    return { verdict: 'within noise', how: `float32 rounding: relative difference ${relative.toExponential(1)}` };
  }
  const show = (v: number) => (f.percent ? `${(100 * v).toFixed(2)} pts` : v.toPrecision(3));
  const range = seedRange(f.seeds);
  if (range !== null) {
    const n = (f.seeds ?? []).filter(isNumber).length;
    // An accuracy moves in steps of one test image: a spread below that step (a net stuck at one class) says nothing.
    const step = f.percent && f.binomialN ? 1 / f.binomialN : 0;
    const band = Math.max(range, step);
    const floor = band > range ? `, at least one test image (${show(step)})` : '';
    const how = `difference ${show(delta)} vs the spread ${show(range)} (${n} runs of the after code${floor})`;
    if (delta <= band + 1e-12) return { verdict: 'within noise', how: `${how}${why}` };
    // A spread from a few runs is itself noisy: say how the difference compares with the binomial band too.
    const binomial =
      f.percent && f.binomialN && Math.min(f.before, f.after) >= 0
        ? `; 2 s.e. of a binomial difference on ${f.binomialN} images: ${show(binomialBand((f.before + f.after) / 2, f.binomialN))}`
        : '';
    return { verdict: 'changed', how: `${how}${binomial}${why}` };
  }
  if (f.binomialN && f.percent) {
    const band = binomialBand((f.before + f.after) / 2, f.binomialN);
    const how = `difference ${show(delta)} vs 2 s.e. ${show(band)} (binomial, ${f.binomialN} test images)`;
    return { verdict: delta <= band ? 'within noise' : 'changed', how: `${how}${why}` };
  }
  return { verdict: 'changed', how: `no noise yardstick${why}` };
}
