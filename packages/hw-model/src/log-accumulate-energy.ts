/**
 * Energy of one log-domain accumulate, for arithmetics whose `cost()` says `accumulate: 'log'`
 * (the running sum of a dot product kept as an exponent, as in Miyashita, Lee and Murmann,
 * "Convolutional Neural Networks using Logarithmic Data Representation", arXiv 1603.01025).
 *
 * Two log values add as `log2(2^a + 2^b) ~ max(a, b) + lut(|a - b|)`, with exponents in fixed
 * point (`f` fractional bits) and `lut(d) = round(2^f log2(1 + 2^(-d / 2^f)))`, a table that ends
 * where its entries round to 0. One accumulate is then, in hardware:
 *
 * 1. one subtract at the register width, `a - b`: its sign selects `max(a, b)`, its magnitude
 *    indexes the table;
 * 2. one table read, costed as a mux tree over the table: `(entries - 1) x entryBits` 2:1 mux bits
 *    at the table's `logicPerBitPj` (the gate-per-bit model QKeras qtools uses for muxes);
 * 3. one add of the correction at the register width.
 *
 * Register width: the exponent of the linear sum it stands for plus `f` fractional bits plus a
 * flag for the value 0 (which has no exponent): `ceil(log2(L)) + f + 1` for a linear accumulator
 * of `L` bits. `f` is {@link LOG_ACCUMULATOR_FRACTION_BITS} (3, one eighth of an octave).
 *
 * ASSUMPTION, not a measurement: no published per-operation energy for a log-domain adder exists
 * at 45 nm that we know of (Horowitz's ISSCC 2014 table has no small-ROM entry); the figure is this
 * gate-count model on the table's own adder and gate energies. The per-output conversion of the
 * two registers (positive and negative terms) back to the linear domain is not modelled: it runs
 * once per output, `1 / fanIn` as often as the accumulates.
 *
 * ```ts
 * logAddTableShape(3);                 // { entries: 36, entryBits: 4 }
 * logAccumulatorBits(26);              // 9 = ceil(log2 26) + 3 + 1
 * logAccumulateEnergyPj(9);            // 2 x 0.028125 + 140 x 0.003125 = 0.49375 pJ
 * ```
 */
import { checkInteger } from '@lowbit/quant-core';
import { energyTable, validateEnergyTable, type EnergyTable } from './energy-table.js';
import { intAddEnergyPj } from './energy.js';

/** Fractional bits of the log accumulator's exponent (its table resolution: 1/8 octave). */
export const LOG_ACCUMULATOR_FRACTION_BITS = 3;

/** Entries and entry width of the `log2(1 + 2^-d)` correction table for `fracBits` fractional bits. */
export function logAddTableShape(fracBits: number = LOG_ACCUMULATOR_FRACTION_BITS): {
  entries: number;
  entryBits: number;
} {
  checkInteger('fracBits', fracBits, 0, 8);
  const unit = 2 ** fracBits;
  let entries = 0;
  while (Math.round(unit * Math.log2(1 + 2 ** (-entries / unit))) > 0) entries++;
  // The largest entry is lut(0) = unit (log2 2 = 1 octave).
  return { entries, entryBits: Math.floor(Math.log2(unit)) + 1 };
}

/** Width of the log-domain register that stands for a `linearBits`-bit linear accumulator. */
export function logAccumulatorBits(linearBits: number, fracBits: number = LOG_ACCUMULATOR_FRACTION_BITS): number {
  checkInteger('linearBits', linearBits, 1, 128);
  checkInteger('fracBits', fracBits, 0, 8);
  return Math.max(1, Math.ceil(Math.log2(linearBits))) + fracBits + 1;
}

/** One log-domain accumulate on a `bits`-wide register: subtract, table read, add (see the module doc). */
export function logAccumulateEnergyPj(
  bits: number,
  table: EnergyTable = energyTable,
  fracBits: number = LOG_ACCUMULATOR_FRACTION_BITS,
): number {
  const { entries, entryBits } = logAddTableShape(fracBits);
  const lutPj = Math.max(0, entries - 1) * entryBits * validateEnergyTable(table).logicPerBitPj;
  return 2 * intAddEnergyPj(bits, table) + lutPj;
}
