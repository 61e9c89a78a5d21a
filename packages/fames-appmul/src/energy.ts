/**
 * Energy of one multiplication, through `@lowbit/hw-model` (its default energy table: Horowitz
 * 45 nm with QKeras's integer-multiplier fit between the table points). Kept behind
 * these two functions so every AppMul gets its figures from one place.
 *
 * ```ts
 * exactMultiplyEnergyPj(8, 8);                         // 0.2 pJ (int8 multiply, Horowitz 45 nm)
 * scaleEnergyByGates(120, 200, exactMultiplyEnergyPj(8, 8)); // 0.12 pJ: 60% of the gates
 * ```
 */
import { gateCountEnergyPj, intMultiplyEnergyPj, type EnergyTable } from '@lowbit/hw-model';

/** Energy in pJ of an exact `bitsW x bitsA` integer multiplier (hw-model's `intMultiplyEnergyPj`). */
export function exactMultiplyEnergyPj(bitsW: number, bitsA: number, table?: EnergyTable): number {
  return intMultiplyEnergyPj(bitsW, bitsA, table);
}

/**
 * Gate-count proxy: a circuit of `gates` gates costs `gates / referenceGates` of the reference
 * circuit's energy (hw-model's `gateCountEnergyPj`). A proxy, not a synthesis result: it ignores
 * wiring, glitching and gate kinds.
 */
export function scaleEnergyByGates(gates: number, referenceGates: number, referenceEnergyPj: number): number {
  return gateCountEnergyPj(gates, { referenceGates, referenceEnergyPj });
}
