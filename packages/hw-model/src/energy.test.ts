import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LowbitConfigError } from '@lowbit/quant-core';
import {
  andEnergyPj,
  dramReadEnergyPj,
  fpAddEnergyPj,
  fpExponentBits,
  fpMultiplyEnergyPj,
  gateCountEnergyPj,
  intAddEnergyPj,
  intMultiplyEnergyPj,
  muxEnergyPj,
  shifterEnergyPj,
  sramReadEnergyPj,
  xorEnergyPj,
} from './energy.js';
import { energyTable, extendEnergyTable } from './energy-table.js';

const fit = (b: number) => 0.0029948 * b * b + 0.0010417 * b;

describe('operation energies', () => {
  it('uses table points where they exist', () => {
    expect(intMultiplyEnergyPj(8, 8)).toBe(0.2);
    expect(intMultiplyEnergyPj(32, 32)).toBe(3.1);
    expect(intMultiplyEnergyPj(2, 32)).toBe(0.2); // sqrt(64) = 8: the square-multiplier rule
    expect(intAddEnergyPj(8)).toBe(0.03);
    expect(intAddEnergyPj(16)).toBe(0.05);
    expect(intAddEnergyPj(32)).toBe(0.1);
    expect(fpMultiplyEnergyPj(32)).toBe(3.7);
    expect(fpAddEnergyPj(32)).toBe(0.9);
    expect(fpMultiplyEnergyPj(16)).toBe(1.1);
    expect(fpAddEnergyPj(16)).toBe(0.4);
    expect(fpExponentBits(32)).toBe(8);
  });

  it('the multiply fit passes through both Horowitz points', () => {
    expect(fit(8)).toBeCloseTo(0.2, 3);
    expect(fit(32)).toBeCloseTo(3.1, 3);
  });

  it('interpolates missing integer widths with the documented fits', () => {
    expect(intMultiplyEnergyPj(4, 4)).toBeCloseTo(fit(4), 12);
    expect(intMultiplyEnergyPj(4, 8)).toBeCloseTo(fit(Math.sqrt(32)), 12);
    expect(intAddEnergyPj(24)).toBeCloseTo(0.003125 * 24, 12);
    expect(intAddEnergyPj(26)).toBeCloseTo(0.08125, 12);
  });

  it('integer multiply energy grows with either width (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 1, max: 32 }),
        (bw, ba) => intMultiplyEnergyPj(bw + 1, ba) > intMultiplyEnergyPj(bw, ba) - 1e-12,
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 32 }),
        (bw, ba) => intMultiplyEnergyPj(bw, ba) === intMultiplyEnergyPj(ba, bw),
      ),
    );
  });

  it('a table set to throw reports the missing width', () => {
    const strict = extendEnergyTable(energyTable, { name: 'strict', missingWidth: 'throw' });
    expect(intMultiplyEnergyPj(8, 8, strict)).toBe(0.2);
    expect(() => intMultiplyEnergyPj(4, 4, strict)).toThrow(LowbitConfigError);
    expect(() => intMultiplyEnergyPj(4, 4, strict)).toThrow(/4 x 4.*strict.*8, 32/);
    expect(() => intAddEnergyPj(12, strict)).toThrow(/bits = 12/);
  });

  it('a replaced table changes the result', () => {
    const t = extendEnergyTable(energyTable, { name: 'node', intMultiplyPj: { 4: 0.01 } });
    expect(intMultiplyEnergyPj(4, 4, t)).toBe(0.01);
  });

  it('gates cost one logic bit each', () => {
    expect(shifterEnergyPj(8)).toBeCloseTo(0.025, 12);
    expect(xorEnergyPj(1)).toBeCloseTo(0.003125, 12);
    expect(andEnergyPj(4)).toBeCloseTo(0.0125, 12);
    expect(muxEnergyPj(16)).toBeCloseTo(0.05, 12);
  });

  it('memory reads pick the smallest SRAM that fits, DRAM per bit', () => {
    expect(sramReadEnergyPj(64, 1000)).toBe(10);
    expect(sramReadEnergyPj(64, 8192)).toBe(10);
    expect(sramReadEnergyPj(64, 8193)).toBe(20);
    expect(sramReadEnergyPj(128, 100_000)).toBe(200);
    expect(dramReadEnergyPj(64)).toBe(1300);
    expect(dramReadEnergyPj(8)).toBe(162.5);
    expect(() => sramReadEnergyPj(64, 2 * 1024 * 1024)).toThrow(/larger buffers live in DRAM/);
  });

  it('gate-count proxy scales the reference energy', () => {
    expect(gateCountEnergyPj(700, { referenceGates: 1000, referenceEnergyPj: 0.2 })).toBeCloseTo(0.14, 12);
    expect(gateCountEnergyPj(0, { referenceGates: 10, referenceEnergyPj: 0.2 })).toBe(0);
  });

  it.each([
    ['intMultiplyEnergyPj bitsW 0', () => intMultiplyEnergyPj(0, 8), /bitsW = 0/],
    ['intMultiplyEnergyPj bitsA 2.5', () => intMultiplyEnergyPj(8, 2.5), /bitsA = 2.5/],
    ['intAddEnergyPj NaN', () => intAddEnergyPj(Number.NaN), /bits = NaN/],
    ['fpMultiplyEnergyPj 8', () => fpMultiplyEnergyPj(8), /bits = 8.*16, 32/],
    ['fpAddEnergyPj 64', () => fpAddEnergyPj(64), /bits = 64/],
    ['fpExponentBits 8', () => fpExponentBits(8), /bits = 8/],
    ['shifterEnergyPj -1', () => shifterEnergyPj(-1), /bits = -1/],
    ['sramReadEnergyPj negative buffer', () => sramReadEnergyPj(8, -5), /bufferBytes = -5/],
    ['dramReadEnergyPj Infinity', () => dramReadEnergyPj(Infinity), /bits = Infinity/],
    [
      'gateCountEnergyPj zero reference',
      () => gateCountEnergyPj(10, { referenceGates: 0, referenceEnergyPj: 1 }),
      /referenceGates = 0/,
    ],
    [
      'gateCountEnergyPj negative energy',
      () => gateCountEnergyPj(10, { referenceGates: 5, referenceEnergyPj: -1 }),
      /referenceEnergyPj = -1/,
    ],
    ['gateCountEnergyPj no reference', () => gateCountEnergyPj(10, undefined as never), /reference = undefined/],
  ])('%s throws a typed error', (_label, call, message) => {
    expect(call).toThrow(LowbitConfigError);
    expect(call).toThrow(message);
  });
});
