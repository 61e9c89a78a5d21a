import { describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { energyTable, extendEnergyTable, horowitz45nm, parseEnergyTable, validateEnergyTable } from './energy-table.js';

describe('energy tables', () => {
  it('the default is Horowitz 45 nm (ISSCC 2014 figures)', () => {
    expect(energyTable).toBe(horowitz45nm);
    expect(energyTable.intAddPj).toEqual({ 8: 0.03, 16: 0.05, 32: 0.1 });
    expect(energyTable.intMultiplyPj).toEqual({ 8: 0.2, 32: 3.1 });
    expect(energyTable.fpAddPj).toEqual({ 16: 0.4, 32: 0.9 });
    expect(energyTable.fpMultiplyPj).toEqual({ 16: 1.1, 32: 3.7 });
    expect(energyTable.sram.map((p) => [p.bytes, p.read64Pj])).toEqual([
      [8192, 10],
      [32768, 20],
      [1048576, 100],
    ]);
    expect(energyTable.dramRead64Pj).toBe(1300);
    expect(Object.isFrozen(energyTable.intAddPj)).toBe(true);
  });

  it('round-trips through JSON and validation', () => {
    const t = parseEnergyTable(JSON.stringify(energyTable));
    expect(t).toEqual(energyTable);
    expect(validateEnergyTable(t)).toBe(t); // already checked: returned as is
  });

  it('extends a table entry by entry', () => {
    const t = extendEnergyTable(energyTable, { name: 'x', intMultiplyPj: { 4: 0.05 } });
    expect(t.intMultiplyPj).toEqual({ 4: 0.05, 8: 0.2, 32: 3.1 });
    expect(t.name).toBe('x');
    expect(energyTable.intMultiplyPj).not.toHaveProperty('4');
  });

  it.each([
    ['not an object', 42, /table = 42/],
    ['negative energy', { ...energyTable, intAddPj: { 8: -1 } }, /intAddPj\[8\] = -1/],
    ['NaN energy', { ...energyTable, fpMultiplyPj: { 32: Number.NaN } }, /fpMultiplyPj\[32\] = NaN/],
    ['bad width key', { ...energyTable, intAddPj: { eight: 0.03 } }, /intAddPj key = "eight"/],
    [
      'unsorted sram',
      {
        ...energyTable,
        sram: [
          { bytes: 100, read64Pj: 1 },
          { bytes: 50, read64Pj: 2 },
        ],
      },
      /sram\[1\]\.bytes = 50/,
    ],
    ['empty sram', { ...energyTable, sram: [] }, /sram = \[\]/],
    ['unknown field', { ...energyTable, intMul: {} }, /intMul/],
    ['bad missingWidth', { ...energyTable, missingWidth: 'guess' }, /missingWidth = "guess"/],
    ['fit without coefficients', { ...energyTable, intMultiplyFit: undefined }, /missingWidth = "fit"/],
    ['zero DRAM', { ...energyTable, dramRead64Pj: 0 }, /dramRead64Pj = 0/],
  ])('rejects a table with %s', (_label, table, message) => {
    expect(() => validateEnergyTable(table)).toThrow(LowbitDataError);
    expect(() => validateEnergyTable(table)).toThrow(message);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseEnergyTable('{"name": ')).toThrow(LowbitDataError);
    expect(() => parseEnergyTable('{"name": ')).toThrow(/not valid JSON/);
  });

  it('rejects a bad change in extendEnergyTable', () => {
    expect(() => extendEnergyTable(energyTable, { logicPerBitPj: -2 })).toThrow(/logicPerBitPj = -2/);
  });
});
