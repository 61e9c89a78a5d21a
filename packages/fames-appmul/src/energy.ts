/**
 * Energy of one multiplication. Kept behind these two functions so that the source of the figures
 * (today a local copy of DESIGN.md 4.2's integer-multiplier fit; `@lowbit/hw-model` once it
 * exports `intMultiplyEnergyPj` / `gateCountEnergyPj`) can change in one place.
 *
 * ```ts
 * exactMultiplyEnergyPj(8, 8);                       // 0.2 pJ (Horowitz 45 nm, int8 multiply)
 * scaleEnergyByGates(120, 200, exactMultiplyEnergyPj(8, 8)); // 0.12 pJ: 60% of the gates
 * ```
 */
import { checkFinite, checkInteger } from '@lowbit/quant-core';

/**
 * Energy in pJ of an exact `bitsW x bitsA` integer multiplier: QKeras qtools's fit
 * `0.0029948 b^2 + 0.0010417 b` at `b = sqrt(bitsW * bitsA)` (DESIGN.md 4.2; 0.2 pJ at 8 x 8).
 */
export function exactMultiplyEnergyPj(bitsW: number, bitsA: number): number {
  checkInteger('bitsW', bitsW, 1, 32);
  checkInteger('bitsA', bitsA, 1, 32);
  const b = Math.sqrt(bitsW * bitsA);
  return 0.0029948 * b * b + 0.0010417 * b;
}

/**
 * Gate-count proxy: a circuit of `gates` gates costs `gates / referenceGates` of the reference
 * circuit's energy. A proxy, not a synthesis result: it ignores wiring, glitching and gate kinds.
 */
export function scaleEnergyByGates(gates: number, referenceGates: number, referenceEnergyPj: number): number {
  checkFinite('gates', gates, { min: 0 });
  checkFinite('referenceGates', referenceGates, { min: 0, exclusiveMin: true });
  checkFinite('referenceEnergyPj', referenceEnergyPj, { min: 0 });
  return (referenceEnergyPj * gates) / referenceGates;
}
