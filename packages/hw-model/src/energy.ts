/**
 * Energy of single operations (pJ) from a technology table ({@link EnergyTable}, default
 * Horowitz 45 nm). These are the building blocks of the per-layer model, and what other packages
 * (approximate multipliers in `@lowbit/fames-appmul`) price their designs against.
 *
 * ```ts
 * import { intMultiplyEnergyPj, intAddEnergyPj, gateCountEnergyPj } from '@lowbit/hw-model';
 * intMultiplyEnergyPj(8, 8);       // 0.2   (table point)
 * intMultiplyEnergyPj(4, 4);       // 0.0521 (fit 0.0029948 b^2 + 0.0010417 b at b = 4)
 * intAddEnergyPj(32);              // 0.1
 * // proxy: a design with 70% of the gates of the exact 8x8 multiplier
 * gateCountEnergyPj(700, { referenceGates: 1000, referenceEnergyPj: intMultiplyEnergyPj(8, 8) }); // 0.14
 * ```
 */
import { LowbitConfigError, checkInteger, checkFinite, checkKnownKeys } from '@lowbit/quant-core';
import { energyTable, validateEnergyTable, type EnergyTable } from './energy-table.js';

const MAX_BITS = 128;

function entry(record: Record<number, number>, bits: number): number | undefined {
  return Object.prototype.hasOwnProperty.call(record, bits) ? record[bits] : undefined;
}

function widths(record: Record<number, number>): string {
  const keys = Object.keys(record);
  return keys.length ? keys.join(', ') : 'none';
}

/**
 * One multiplication of a `bitsW`-bit by a `bitsA`-bit integer. As in QKeras qtools, the
 * multiplier is taken as square with width `sqrt(bitsW * bitsA)`: a table entry when that width is
 * an integer in the table, else the table's fit `quadratic b^2 + linear b` (or a
 * {@link LowbitConfigError} when the table's `missingWidth` is `'throw'`).
 */
export function intMultiplyEnergyPj(bitsW: number, bitsA: number, table: EnergyTable = energyTable): number {
  checkInteger('bitsW', bitsW, 1, MAX_BITS);
  checkInteger('bitsA', bitsA, 1, MAX_BITS);
  const t = validateEnergyTable(table);
  const b = Math.sqrt(bitsW * bitsA);
  const exact = Number.isInteger(b) ? entry(t.intMultiplyPj, b) : undefined;
  if (exact !== undefined) return exact;
  if (t.missingWidth === 'fit' && t.intMultiplyFit)
    return t.intMultiplyFit.quadratic * b * b + t.intMultiplyFit.linear * b;
  throw new LowbitConfigError(
    'bitsW x bitsA',
    `${bitsW} x ${bitsA}`,
    `table "${t.name}" has integer multiply entries only for widths ${widths(t.intMultiplyPj)} ` +
      'and missingWidth = "throw"',
  );
}

/** One integer addition at `bits` bits: the table entry, else `intAddPerBitPj * bits`. */
export function intAddEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  checkInteger('bits', bits, 1, MAX_BITS);
  const t = validateEnergyTable(table);
  const exact = entry(t.intAddPj, bits);
  if (exact !== undefined) return exact;
  if (t.missingWidth === 'fit' && t.intAddPerBitPj !== undefined) return t.intAddPerBitPj * bits;
  throw new LowbitConfigError(
    'bits',
    bits,
    `table "${t.name}" has integer add entries only for widths ${widths(t.intAddPj)} and missingWidth = "throw"`,
  );
}

/** An entry a table must list for `bits` (float formats have no fit); the error names what it has. */
function listedEntry(
  bits: number,
  table: EnergyTable,
  field: 'fpMultiplyPj' | 'fpAddPj' | 'fpExponentBits',
  what: string,
): number {
  checkInteger('bits', bits, 1, MAX_BITS);
  const t = validateEnergyTable(table);
  const exact = entry(t[field], bits);
  if (exact === undefined) throw new LowbitConfigError('bits', bits, `table "${t.name}" ${what} ${widths(t[field])}`);
  return exact;
}

/** One floating-point multiplication in a `bits`-bit format; only widths the table lists (no fit). */
export function fpMultiplyEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return listedEntry(bits, table, 'fpMultiplyPj', 'has float multiply entries for widths');
}

/** One floating-point addition in a `bits`-bit format; only widths the table lists (no fit). */
export function fpAddEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return listedEntry(bits, table, 'fpAddPj', 'has float add entries for widths');
}

/** Width of the exponent field of a `bits`-bit float format (fp32: 8). */
export function fpExponentBits(bits: number, table: EnergyTable = energyTable): number {
  return listedEntry(bits, table, 'fpExponentBits', 'lists exponent widths for float formats');
}

/** A gate per bit of a `bits`-wide operand, at the table's `logicPerBitPj`. */
function logicEnergyPj(argument: string, bits: number, table: EnergyTable): number {
  checkInteger(argument, bits, 1, MAX_BITS);
  return validateEnergyTable(table).logicPerBitPj * bits;
}

/**
 * Barrel shifter that multiplies a `bits`-bit operand by a power of two. Costed, as in QKeras
 * qtools, as one gate per operand bit (`logicPerBitPj * bits`).
 */
export function shifterEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return logicEnergyPj('bits', bits, table);
}

/** XOR of `bits` bits (a +-1 times +-1 product is a 1-bit XOR). */
export function xorEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return logicEnergyPj('bits', bits, table);
}

/** AND of `bits` bits (a {0,1} operand gates the other operand). */
export function andEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return logicEnergyPj('bits', bits, table);
}

/** 2:1 multiplexer over `bits` bits (selecting x or -x for a +-1 operand). */
export function muxEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  return logicEnergyPj('bits', bits, table);
}

/**
 * Reading `bits` bits from an SRAM that holds `bufferBytes`: the 64-bit read energy of the
 * smallest table SRAM at least that large, scaled per bit. Buffers larger than the table's largest
 * SRAM throw (the summary sends those to DRAM instead). Writes are costed as reads.
 */
export function sramReadEnergyPj(bits: number, bufferBytes: number, table: EnergyTable = energyTable): number {
  checkFinite('bits', bits, { min: 0 });
  checkFinite('bufferBytes', bufferBytes, { min: 0 });
  const t = validateEnergyTable(table);
  const point = t.sram.find((p) => p.bytes >= bufferBytes);
  if (!point) {
    throw new LowbitConfigError(
      'bufferBytes',
      bufferBytes,
      `table "${t.name}" lists SRAM up to ${t.sram[t.sram.length - 1].bytes} bytes; larger buffers live in DRAM`,
    );
  }
  return (point.read64Pj / 64) * bits;
}

/** Reading `bits` bits from DRAM (the table's 64-bit read, per bit). Writes are costed as reads. */
export function dramReadEnergyPj(bits: number, table: EnergyTable = energyTable): number {
  checkFinite('bits', bits, { min: 0 });
  const t = validateEnergyTable(table);
  return (t.dramRead64Pj / 64) * bits;
}

/** Where a gate-count proxy takes its scale from: an exact multiplier of the same operand widths. */
export interface GateCountReference {
  /** Gate count of the reference (exact) multiplier. */
  referenceGates: number;
  /** Energy of one multiplication on the reference, pJ (e.g. `intMultiplyEnergyPj(bw, ba)`). */
  referenceEnergyPj: number;
}

/**
 * PROXY, not a measurement: the energy of a circuit with `gates` gates, taken as proportional to
 * its gate count relative to a reference exact multiplier of the same width,
 * `referenceEnergyPj * gates / referenceGates`. It ignores switching activity, wiring and gate
 * types; use it to rank approximate multipliers, and label figures derived from it as a proxy.
 */
export function gateCountEnergyPj(gates: number, reference: GateCountReference): number {
  checkFinite('gates', gates, { min: 0 });
  if (typeof reference !== 'object' || reference === null) {
    throw new LowbitConfigError('reference', reference, 'expected {referenceGates, referenceEnergyPj}');
  }
  checkKnownKeys('reference', reference, ['referenceGates', 'referenceEnergyPj']);
  const referenceGates = checkFinite('reference.referenceGates', reference.referenceGates, {
    min: 0,
    exclusiveMin: true,
  });
  const referenceEnergyPj = checkFinite('reference.referenceEnergyPj', reference.referenceEnergyPj, {
    min: 0,
    exclusiveMin: true,
  });
  return (referenceEnergyPj * gates) / referenceGates;
}
