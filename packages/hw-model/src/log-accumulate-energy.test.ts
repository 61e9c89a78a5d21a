import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { energyTable, extendEnergyTable } from './energy-table.js';
import {
  LOG_ACCUMULATOR_FRACTION_BITS,
  logAccumulateEnergyPj,
  logAccumulatorBits,
  logAddTableShape,
} from './log-accumulate-energy.js';

describe('log-domain accumulation cost', () => {
  it('the correction table log2(1 + 2^-d) ends where its entries round to 0', () => {
    // 1/8 octave: entries d = 0..35 (round(8 log2(1 + 2^(-35/8))) = 1, d = 36 rounds to 0); lut(0) = 8 needs 4 bits.
    expect(LOG_ACCUMULATOR_FRACTION_BITS).toBe(3);
    expect(logAddTableShape(3)).toEqual({ entries: 36, entryBits: 4 });
    expect(Math.round(8 * Math.log2(1 + 2 ** (-35 / 8)))).toBe(1);
    expect(Math.round(8 * Math.log2(1 + 2 ** (-36 / 8)))).toBe(0);
    // Whole octaves: lut(0) = 1, lut(1) = round(log2 1.5) = 1, lut(2) = round(0.32) = 0.
    expect(logAddTableShape(0)).toEqual({ entries: 2, entryBits: 1 });
  });

  it('register width is ceil(log2 L) + fraction bits + a zero flag', () => {
    expect(logAccumulatorBits(26)).toBe(5 + 3 + 1);
    expect(logAccumulatorBits(32)).toBe(5 + 3 + 1);
    expect(logAccumulatorBits(33)).toBe(6 + 3 + 1);
    expect(logAccumulatorBits(1, 0)).toBe(2);
  });

  it('one accumulate: two adds at the register width and a mux-tree table read, from the table in use', () => {
    expect(logAccumulateEnergyPj(9)).toBeCloseTo(2 * 9 * 0.003125 + 35 * 4 * 0.003125, 12);
    expect(logAccumulateEnergyPj(16)).toBeCloseTo(2 * 0.05 + 35 * 4 * 0.003125, 12);
    const t = extendEnergyTable(energyTable, { name: 'gates x2', logicPerBitPj: 0.00625 });
    expect(logAccumulateEnergyPj(16, t)).toBeCloseTo(2 * 0.05 + 35 * 4 * 0.00625, 12);
    // Cheaper than a float32 add, dearer than the linear integer add it replaces.
    expect(logAccumulateEnergyPj(9)).toBeLessThan(0.9);
    expect(logAccumulateEnergyPj(9)).toBeGreaterThan(0.003125 * 28);
  });

  it('validates its arguments', () => {
    expect(() => logAddTableShape(9)).toThrow(LowbitConfigError);
    expect(() => logAccumulatorBits(0)).toThrow(/linearBits = 0/);
    expect(() => logAccumulateEnergyPj(0)).toThrow(LowbitConfigError);
  });
});
