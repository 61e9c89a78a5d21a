/**
 * From counting matrices to selection input: for one layer, every candidate multiplier that fits
 * its operands becomes an option with `energy = multiplications x energyPj` and
 * `loss = estimateLossChange(G, m)`.
 *
 * ```ts
 * const choices = [layerChoices('dense_1', G1, appMulLibrary(G1), macs1), layerChoices('dense_2', G2, appMulLibrary(G2), macs2)];
 * const { choice } = selectMultipliers(choices, 0.01);
 * const picked = choices.map((c, l) => c.multipliers[choice[l]]);
 * ```
 */
import { LowbitConfigError, checkFinite } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { estimateLossChange, type CountingMatrix } from './counting.js';
import type { LayerChoices } from './selection.js';

export interface LayerMultiplierChoices extends LayerChoices {
  name: string;
  /** The multiplier behind each option, same order. */
  multipliers: AppMul[];
}

/** Options for one layer; candidates whose operands differ from the counting matrix's are skipped. */
export function layerChoices(name: string, counting: CountingMatrix, candidates: AppMul[], multiplications: number): LayerMultiplierChoices {
  checkFinite('multiplications', multiplications, { min: 0 });
  const fits = (m: AppMul) => m.a.bits === counting.a.bits && m.a.signed === counting.a.signed && m.w.bits === counting.w.bits && m.w.signed === counting.w.signed;
  const multipliers = candidates.filter(fits);
  if (multipliers.length === 0) throw new LowbitConfigError('candidates', candidates.map((m) => m.name), `none fits layer ${name}'s operands (a${counting.a.bits}, w${counting.w.bits})`);
  return {
    name,
    multipliers,
    options: multipliers.map((m) => ({ energy: multiplications * m.energyPj, loss: estimateLossChange(counting, m) })),
  };
}
