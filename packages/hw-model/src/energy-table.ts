/**
 * Technology tables: the energy of one arithmetic operation or one memory access, as plain data a
 * user can replace (another process node, another source) or extend (a missing width).
 *
 * ```ts
 * import { energyTable, extendEnergyTable, parseEnergyTable } from '@lowbit/hw-model';
 * energyTable.intMultiplyPj[8];                                   // 0.2 pJ (Horowitz 45 nm)
 * const mine = extendEnergyTable(energyTable, { name: 'mine', intMultiplyPj: { 4: 0.05 } });
 * const fromFile = parseEnergyTable(fs.readFileSync('table.json', 'utf8')); // validated
 * ```
 *
 * Every table is validated before use ({@link validateEnergyTable}); a bad table throws
 * {@link LowbitDataError} naming the field, the value and what is allowed.
 */
import { LowbitConfigError, LowbitDataError, describeValue } from '@lowbit/quant-core';

/** One SRAM array size and the energy of a 64-bit read from it. */
export interface SramPoint {
  /** Array size in bytes. */
  bytes: number;
  /** Energy of one 64-bit read in pJ. */
  read64Pj: number;
}

/** Integer multiplier energy as a function of the operand width b: `quadratic b^2 + linear b` pJ. */
export interface MultiplyFit {
  quadratic: number;
  linear: number;
}

/**
 * Energies in pJ. Keys of the per-width records are bit widths. Where a width is missing, the
 * integer entries fall back to the fits (`intMultiplyFit`, `intAddPerBitPj`) when
 * `missingWidth` is `'fit'`, and throw when it is `'throw'`; float entries never interpolate.
 */
export interface EnergyTable {
  /** Short name shown in reports. */
  name: string;
  /** Where the numbers come from (citation). */
  source: string;
  /** Integer addition, by width. */
  intAddPj: Record<number, number>;
  /** Integer multiplication of two b-bit operands, by b. */
  intMultiplyPj: Record<number, number>;
  /** Floating-point addition, by format width (16, 32, ...). */
  fpAddPj: Record<number, number>;
  /** Floating-point multiplication, by format width. */
  fpMultiplyPj: Record<number, number>;
  /** Exponent-field width of each float format (used when a float is multiplied by a power of two). */
  fpExponentBits: Record<number, number>;
  /** SRAM reads by array size, smallest first. Writes are costed as reads. */
  sram: SramPoint[];
  /** One 64-bit DRAM read (writes are costed as reads). */
  dramRead64Pj: number;
  /** Integer multiply energy between table points; absent: missing widths throw. */
  intMultiplyFit?: MultiplyFit;
  /** Integer add energy per bit between table points; absent: missing widths throw. */
  intAddPerBitPj?: number;
  /** One bit of a simple gate (XOR, AND, 2:1 mux, one barrel-shifter stage per bit). */
  logicPerBitPj: number;
  /** What a missing integer width does: use the fit (default) or throw. */
  missingWidth: 'fit' | 'throw';
}

/** Tables already checked (frozen copies), so hot paths do not re-validate them. */
const validated = new WeakSet<object>();

/**
 * Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, 45 nm, 0.9 V.
 *
 * - int add 8/16/32 bit: 0.03 / 0.05 / 0.1 pJ; int mult 8/32 bit: 0.2 / 3.1 pJ;
 *   fp16 add/mult 0.4 / 1.1 pJ; fp32 add/mult 0.9 / 3.7 pJ (the paper's figure 1.1.9).
 * - 64-bit SRAM read: 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB); 64-bit DRAM read 1.3-2.6 nJ:
 *   we use the low end, 1300 pJ, so DRAM traffic is not overstated.
 * - Integer multiply between the points: `0.0029948 b^2 + 0.0010417 b` pJ, the quadratic fit
 *   QKeras qtools uses (it passes through both Horowitz points: 0.2 pJ at 8, 3.1 pJ at 32).
 * - Integer add between the points, and one bit of a gate (XOR/AND/mux/shifter stage):
 *   0.003125 pJ per bit (0.1 pJ / 32 bit, the linear model QKeras qtools uses for both).
 * - Exponent widths: fp16 has 5 exponent bits, fp32 has 8 (IEEE 754).
 */
export const horowitz45nm: EnergyTable = deepFreeze({
  name: 'horowitz-45nm',
  source:
    "M. Horowitz, Computing's energy problem (and what we can do about it), ISSCC 2014, 45 nm; fits from QKeras qtools",
  intAddPj: { 8: 0.03, 16: 0.05, 32: 0.1 },
  intMultiplyPj: { 8: 0.2, 32: 3.1 },
  fpAddPj: { 16: 0.4, 32: 0.9 },
  fpMultiplyPj: { 16: 1.1, 32: 3.7 },
  fpExponentBits: { 16: 5, 32: 8 },
  sram: [
    { bytes: 8 * 1024, read64Pj: 10 },
    { bytes: 32 * 1024, read64Pj: 20 },
    { bytes: 1024 * 1024, read64Pj: 100 },
  ],
  dramRead64Pj: 1300,
  intMultiplyFit: { quadratic: 0.0029948, linear: 0.0010417 },
  intAddPerBitPj: 0.003125,
  logicPerBitPj: 0.003125,
  missingWidth: 'fit',
});

/** The default table: {@link horowitz45nm}. */
export const energyTable: EnergyTable = horowitz45nm;
validated.add(horowitz45nm);

const TABLE_KEYS = [
  'name',
  'source',
  'intAddPj',
  'intMultiplyPj',
  'fpAddPj',
  'fpMultiplyPj',
  'fpExponentBits',
  'sram',
  'dramRead64Pj',
  'intMultiplyFit',
  'intAddPerBitPj',
  'logicPerBitPj',
  'missingWidth',
] as const;

const SOURCE = 'energy table';

function fail(field: string, value: unknown, allowed: string): never {
  throw new LowbitDataError(SOURCE, `${field} = ${describeValue(value)} is invalid: ${allowed}`);
}

function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(field, value, 'expected a finite number > 0');
  return value;
}

function nonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(field, value, 'expected a finite number >= 0');
  return value;
}

function widthRecord(field: string, value: unknown, allowEmpty: boolean): Record<number, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, value, 'expected an object mapping bit widths to pJ, e.g. {"8": 0.2}');
  }
  const out: Record<number, number> = {};
  for (const [key, v] of Object.entries(value)) {
    const bits = Number(key);
    if (!Number.isInteger(bits) || bits < 1 || bits > 128)
      fail(`${field} key`, key, 'expected an integer bit width from 1 to 128');
    out[bits] = positive(`${field}[${key}]`, v);
  }
  if (!allowEmpty && Object.keys(out).length === 0) fail(field, value, 'expected at least one entry');
  return out;
}

/**
 * Checks that `table` is a complete, well-formed {@link EnergyTable} and returns a frozen copy.
 * Throws {@link LowbitDataError} naming the first bad field.
 */
export function validateEnergyTable(table: unknown): EnergyTable {
  if (validated.has(table as object)) return table as EnergyTable;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) fail('table', table, 'expected an object');
  const t = table as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!(TABLE_KEYS as readonly string[]).includes(key))
      fail(key, t[key], `unknown field; known fields: ${TABLE_KEYS.join(', ')}`);
  }
  if (typeof t.name !== 'string' || t.name.length === 0) fail('name', t.name, 'expected a non-empty string');
  if (typeof t.source !== 'string') fail('source', t.source, 'expected a string (citation)');
  if (!Array.isArray(t.sram) || t.sram.length === 0)
    fail('sram', t.sram, 'expected a non-empty array of {bytes, read64Pj}');
  const sram = t.sram.map((p: unknown, i: number) => {
    if (typeof p !== 'object' || p === null) fail(`sram[${i}]`, p, 'expected {bytes, read64Pj}');
    const point = p as Record<string, unknown>;
    const bytes = positive(`sram[${i}].bytes`, point.bytes);
    if (!Number.isInteger(bytes)) fail(`sram[${i}].bytes`, bytes, 'expected an integer byte count');
    return { bytes, read64Pj: positive(`sram[${i}].read64Pj`, point.read64Pj) };
  });
  for (let i = 1; i < sram.length; i++) {
    if (sram[i].bytes <= sram[i - 1].bytes)
      fail(`sram[${i}].bytes`, sram[i].bytes, 'expected sizes in increasing order');
  }
  let intMultiplyFit: MultiplyFit | undefined;
  if (t.intMultiplyFit !== undefined) {
    const f = t.intMultiplyFit as Record<string, unknown> | null;
    if (typeof f !== 'object' || f === null) fail('intMultiplyFit', f, 'expected {quadratic, linear}');
    intMultiplyFit = {
      quadratic: nonNegative('intMultiplyFit.quadratic', f.quadratic),
      linear: nonNegative('intMultiplyFit.linear', f.linear),
    };
    if (intMultiplyFit.quadratic + intMultiplyFit.linear === 0)
      fail('intMultiplyFit', f, 'expected a fit with a positive coefficient');
  }
  const missingWidth = t.missingWidth;
  if (missingWidth !== 'fit' && missingWidth !== 'throw')
    fail('missingWidth', missingWidth, 'expected "fit" or "throw"');
  const checked: EnergyTable = {
    name: t.name,
    source: t.source,
    intAddPj: widthRecord('intAddPj', t.intAddPj, true),
    intMultiplyPj: widthRecord('intMultiplyPj', t.intMultiplyPj, true),
    fpAddPj: widthRecord('fpAddPj', t.fpAddPj, true),
    fpMultiplyPj: widthRecord('fpMultiplyPj', t.fpMultiplyPj, true),
    fpExponentBits: widthRecord('fpExponentBits', t.fpExponentBits, true),
    sram,
    dramRead64Pj: positive('dramRead64Pj', t.dramRead64Pj),
    logicPerBitPj: positive('logicPerBitPj', t.logicPerBitPj),
    missingWidth,
  };
  if (intMultiplyFit) checked.intMultiplyFit = intMultiplyFit;
  if (t.intAddPerBitPj !== undefined) checked.intAddPerBitPj = positive('intAddPerBitPj', t.intAddPerBitPj);
  if (missingWidth === 'fit' && (!checked.intMultiplyFit || checked.intAddPerBitPj === undefined)) {
    fail('missingWidth', missingWidth, '"fit" needs both intMultiplyFit and intAddPerBitPj; give them or use "throw"');
  }
  const frozen = deepFreeze(checked);
  validated.add(frozen);
  return frozen;
}

/** Parses a JSON energy table (for example a file the user wrote) and validates it. */
export function parseEnergyTable(json: string): EnergyTable {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new LowbitDataError(SOURCE, `not valid JSON (${(e as Error).message})`);
  }
  return validateEnergyTable(data);
}

/**
 * A copy of `base` with `changes` applied (per-width records are merged entry by entry, other
 * fields replaced), validated.
 */
export function extendEnergyTable(base: EnergyTable, changes: Partial<EnergyTable>): EnergyTable {
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
    throw new LowbitConfigError('changes', changes, 'expected an object of energy-table fields');
  }
  const merged: Record<string, unknown> = { ...validateEnergyTable(base) };
  for (const [key, value] of Object.entries(changes)) {
    const old = merged[key];
    const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    merged[key] =
      ['intAddPj', 'intMultiplyPj', 'fpAddPj', 'fpMultiplyPj', 'fpExponentBits'].includes(key) &&
      isRecord(old) &&
      isRecord(value)
        ? { ...(old as object), ...(value as object) }
        : value;
  }
  return validateEnergyTable(merged);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
