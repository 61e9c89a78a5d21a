/**
 * From counting matrices to selection input: for one layer, every candidate multiplier that fits
 * its operands becomes an option with `energy = multiplications x energyPj` and
 * `loss = estimateLossChange(G, m)`.
 *
 * Two safeguards, measured in examples/fames (docs/results/fames.md):
 * - `clampNegative` (default true): a negative estimate is not trusted as a gain. Left negative,
 *   the knapsack spends the predicted gain on other layers; on a trained net with a small
 *   gradient, the first-order term of large-error designs often has the wrong sign (the
 *   second-order term, used when the counting matrix has per-sample data, is never negative).
 * - `maxMaePercent` (default: no limit): admit only the exact multiplier and designs whose MAE is
 *   at most this percent of the product range (the example uses 0.25).
 *
 * ```ts
 * const choices = [layerChoices('dense_1', G1, appMulLibrary(G1), macs1), layerChoices('dense_2', G2, appMulLibrary(G2), macs2)];
 * const { choice } = selectMultipliers(choices, 0.01);
 * const picked = choices.map((c, l) => c.multipliers[choice[l]]);
 * ```
 */
import { LowbitConfigError, checkBoolean, checkFinite, checkKnownKeys } from '@lowbit/quant-core';
import { AppMul } from './appmul.js';
import { checkCounting } from './counting-check.js';
import { estimateLossChange, type CountingMatrix } from './counting.js';
import type { LayerChoices } from './selection.js';

export interface LayerMultiplierChoices extends LayerChoices {
  name: string;
  /** The multiplier behind each option, same order. */
  multipliers: AppMul[];
}

export interface LayerChoicesOptions {
  /** Clamp negative loss estimates to 0. Default true. */
  clampNegative?: boolean;
  /** Admit only exact multipliers and designs with MAE <= this percent. Default: no limit. */
  maxMaePercent?: number;
}

/** Options for one layer; candidates whose operands differ from the counting matrix's are skipped. */
export function layerChoices(
  name: string,
  counting: CountingMatrix,
  candidates: AppMul[],
  multiplications: number,
  options: LayerChoicesOptions = {},
): LayerMultiplierChoices {
  if (typeof name !== 'string' || name.length === 0)
    throw new LowbitConfigError('name', name, 'expected the layer name (a non-empty string)');
  checkCounting(counting);
  if (!Array.isArray(candidates) || candidates.length === 0)
    throw new LowbitConfigError('candidates', candidates, 'expected a non-empty array of AppMuls');
  candidates.forEach((m, i) => {
    if (!(m instanceof AppMul)) throw new LowbitConfigError(`candidates[${i}]`, m, 'expected an AppMul');
  });
  checkFinite('multiplications', multiplications, { min: 0 });
  checkKnownKeys('options', options, ['clampNegative', 'maxMaePercent']);
  const clampNegative = checkBoolean('clampNegative', options.clampNegative ?? true);
  const maxMae =
    options.maxMaePercent === undefined ? Infinity : checkFinite('maxMaePercent', options.maxMaePercent, { min: 0 });
  const fits = (m: AppMul) =>
    m.a.bits === counting.a.bits &&
    m.a.signed === counting.a.signed &&
    m.w.bits === counting.w.bits &&
    m.w.signed === counting.w.signed;
  const multipliers = candidates.filter((m) => fits(m) && (m.isExact() || m.metrics().maePercent <= maxMae));
  if (multipliers.length === 0)
    throw new LowbitConfigError(
      'candidates',
      candidates.map((m) => m.name),
      `none fits layer ${name}'s operands (a${counting.a.bits}, w${counting.w.bits}) within MAE <= ${maxMae}%`,
    );
  return {
    name,
    multipliers,
    options: multipliers.map((m) => {
      const loss = estimateLossChange(counting, m);
      return { energy: multiplications * m.energyPj, loss: clampNegative ? Math.max(0, loss) : loss };
    }),
  };
}
