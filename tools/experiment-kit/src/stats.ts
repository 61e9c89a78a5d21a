/**
 * Statistics for comparing trained nets on one test set: spread over seeds, McNemar's exact test
 * and a paired (optionally hierarchical) bootstrap of any statistic of accuracies.
 *
 * Every comparison is made on per-image correctness vectors (1 = the net got test image i right),
 * so two arms evaluated on the same images are paired: most of the test-set noise cancels in
 * their difference, which is what makes a 0.3-point claim testable on 10,000 images.
 *
 * ```ts
 * const a = correctness(netA, xTest, labels); // Uint8Array, one entry per test image
 * const b = correctness(netB, xTest, labels);
 * mcnemar(a, b).pValue;                                   // exact two-sided
 * bootstrap([a, b], ([pa, pb]) => pa - pb);               // { value, lo, hi } in points
 * ```
 *
 * Hand-written rather than a dependency: the statistics libraries on npm (simple-statistics,
 * jstat) have no paired or hierarchical bootstrap and no exact McNemar; these are 100 lines.
 */
import { LowbitConfigError, SeededRng } from '@lowbit/quant-core';

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for one value. */
  sd: number;
  min: number;
  max: number;
}

function checkFiniteArray(name: string, values: unknown): number[] {
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'number' || !isFinite(v))) {
    throw new LowbitConfigError(name, values, 'expected a non-empty array of finite numbers');
  }
  return values as number[];
}

/** Mean, sample standard deviation, min and max of `values`. */
export function spread(values: number[]): Spread {
  checkFiniteArray('values', values);
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

function checkCorrectness(name: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length === 0) {
    throw new LowbitConfigError(name, v, 'expected a non-empty Uint8Array of 0/1 per test image');
  }
  for (let i = 0; i < v.length; i++) {
    if (v[i] > 1) throw new LowbitConfigError(`${name}[${i}]`, v[i], 'expected 0 or 1');
  }
  return v;
}

function checkPaired(vectors: unknown): Uint8Array[] {
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new LowbitConfigError('vectors', vectors, 'expected a non-empty array of correctness vectors');
  }
  vectors.forEach((v, k) => checkCorrectness(`vectors[${k}]`, v));
  const m = (vectors[0] as Uint8Array).length;
  vectors.forEach((v: Uint8Array, k) => {
    if (v.length !== m) {
      throw new LowbitConfigError(`vectors[${k}].length`, v.length, `expected ${m} (paired: the same test images)`);
    }
  });
  return vectors as Uint8Array[];
}

/** Fraction of ones in a correctness vector. */
export function accuracyOf(correct: Uint8Array): number {
  checkCorrectness('correct', correct);
  let s = 0;
  for (let i = 0; i < correct.length; i++) s += correct[i];
  return s / correct.length;
}

/** Concatenates one arm's per-seed correctness vectors (keep the same seed order in every arm). */
export function concatSeeds(perSeed: Uint8Array[]): Uint8Array {
  const parts = checkPaired(perSeed);
  const out = new Uint8Array(parts.length * parts[0].length);
  parts.forEach((p, k) => out.set(p, k * p.length));
  return out;
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * McNemar's exact test on paired correctness: `aOnly` images only A gets right, `bOnly` only B;
 * under "A and B are equally accurate" the split of the `aOnly + bOnly` discordant images is
 * Binomial(n, 1/2). Two-sided p-value (1 when there is no discordant image).
 */
export function mcnemar(a: Uint8Array, b: Uint8Array): { aOnly: number; bOnly: number; pValue: number } {
  checkPaired([a, b]);
  let aOnly = 0;
  let bOnly = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !b[i]) aOnly++;
    else if (b[i] && !a[i]) bOnly++;
  }
  const n = aOnly + bOnly;
  const k = Math.min(aOnly, bOnly);
  // log P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (2^-n underflows beyond n = 1074).
  let logPmf = -n * Math.LN2;
  let logTail = -Infinity;
  for (let i = 0; i <= k; i++) {
    logTail = logAddExp(logTail, logPmf);
    logPmf += Math.log((n - i) / (i + 1));
  }
  return { aOnly, bOnly, pValue: n === 0 ? 1 : Math.min(1, 2 * Math.exp(logTail)) };
}

export interface BootstrapOptions {
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
  /** Confidence level of the percentile interval (default 0.95). */
  level?: number;
  /**
   * The vectors are `seeds` equal blocks, one per training seed (see {@link concatSeeds}). Each
   * resample then draws seeds with replacement and test images with replacement (the same image
   * draw in every seed block and every vector), so the interval covers training-seed variation as
   * well as test-set sampling. Default 1.
   */
  seeds?: number;
}

/**
 * Paired bootstrap of `statistic(accuracies)`, where `accuracies[k]` is vector k's accuracy in
 * percentage points on a resample. Returns the statistic on the data and its percentile interval.
 */
export function bootstrap(
  vectors: Uint8Array[],
  statistic: (accuracies: number[]) => number,
  options: BootstrapOptions = {},
): { value: number; lo: number; hi: number } {
  const vs = checkPaired(vectors);
  if (typeof statistic !== 'function') throw new LowbitConfigError('statistic', statistic, 'expected a function');
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(resamples) || resamples < 100 || resamples > 1e6) {
    throw new LowbitConfigError('resamples', resamples, 'expected an integer in [100, 1e6]');
  }
  if (!(level > 0.5 && level < 1)) throw new LowbitConfigError('level', level, 'expected a number in (0.5, 1)');
  if (!Number.isInteger(seeds) || seeds < 1 || vs[0].length % seeds !== 0) {
    throw new LowbitConfigError(
      'seeds',
      seeds,
      `expected a positive integer dividing the vector length ${vs[0].length}`,
    );
  }
  const m = vs[0].length / seeds;
  const rng = new SeededRng(options.seed ?? 1);
  const full = vs.map((v) => 100 * accuracyOf(v));
  const value = statistic(full);
  if (!isFinite(value)) throw new LowbitConfigError('statistic', value, 'expected a finite value on the data');
  // Image multiplicities of one resample, shared by every vector and seed block (the pairing).
  const weight = new Uint32Array(m);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    weight.fill(0);
    const u = rng.uniform(m + seeds);
    for (let i = 0; i < m; i++) weight[Math.floor(u[i] * m)]++;
    const picked = Array.from({ length: seeds }, (_, s) => Math.floor(u[m + s] * seeds));
    const accs = vs.map((v) => {
      let hits = 0;
      for (const s of picked) {
        const base = s * m;
        for (let i = 0; i < m; i++) if (v[base + i]) hits += weight[i];
      }
      return (100 * hits) / (m * seeds);
    });
    draws.push(statistic(accs));
  }
  draws.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  const at = (q: number) => draws[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { value, lo: at(tail), hi: at(1 - tail) };
}
