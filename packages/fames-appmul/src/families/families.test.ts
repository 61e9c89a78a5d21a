import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { brokenArrayMultiplier } from './broken-array.js';
import { drumMultiplier, drumSegment } from './drum.js';
import { exactMultiplier } from './exact.js';
import { mitchellMultiplier } from './mitchell.js';
import { operandTruncationMultiplier } from './operand-truncation.js';
import { truncatedMultiplier } from './truncated.js';
import { underdesignedMultiplier, underdesignedProduct } from './underdesigned.js';

const u = (bits: number) => ({ bits, signed: false });
const s = (bits: number) => ({ bits, signed: true });

describe('behavioural multiplier families', () => {
  it('exact: every product exact for every width 2..8 and signedness, energy follows the 4.2 fit', () => {
    for (const [a, w] of [
      [u(2), s(8)],
      [s(5), u(3)],
      [s(8), s(8)],
      [u(7), u(4)],
    ]) {
      const m = exactMultiplier({ a, w });
      expect(m.isExact()).toBe(true);
      expect(m.table.length).toBe(2 ** (a.bits + w.bits));
    }
    expect(exactMultiplier({ a: u(8), w: u(8) }).energyPj).toBeCloseTo(0.2, 3);
    expect(exactMultiplier({ a: s(8), w: s(8) }).product(-128, -128)).toBe(16384);
  });

  it('truncated 2x2 (1 column) loses exactly a0*w0; the signed wrapper mirrors it', () => {
    const m = truncatedMultiplier({ a: u(2), w: u(2), columns: 1 });
    for (let a = 0; a < 4; a++) for (let w = 0; w < 4; w++) expect(m.product(a, w)).toBe(a * w - (a & w & 1));
    const ms = truncatedMultiplier({ a: s(3), w: s(3), columns: 1 });
    expect(ms.product(-3, 3)).toBe(-8);
    expect(ms.product(-3, -1)).toBe(2);
    expect(m.energyPj).toBeLessThan(exactMultiplier({ a: u(2), w: u(2) }).energyPj);
  });

  it('compensated truncation adds the rounded expected dropped value to non-zero products', () => {
    // 4x4, 3 columns: dropped bits (i+j<3): weights 1,2,2,4,4,4 -> expectation (1+4+12)/4 = 4.25 -> 4.
    const plain = truncatedMultiplier({ a: u(4), w: u(4), columns: 3 });
    const comp = truncatedMultiplier({ a: u(4), w: u(4), columns: 3, compensate: true });
    expect(comp.product(5, 7) - plain.product(5, 7)).toBe(4);
    expect(comp.product(0, 7)).toBe(0);
    expect(Math.abs(comp.metrics().meanError)).toBeLessThan(Math.abs(plain.metrics().meanError));
  });

  it('broken array: hbl drops the low weight-bit rows, vbl the low columns', () => {
    const m = brokenArrayMultiplier({ a: u(4), w: u(4), hbl: 1, vbl: 0 });
    for (let a = 0; a < 16; a++) for (let w = 0; w < 16; w++) expect(m.product(a, w)).toBe(a * (w & ~1));
    const t = brokenArrayMultiplier({ a: u(4), w: u(4), hbl: 0, vbl: 3 });
    expect(t.table).toEqual(truncatedMultiplier({ a: u(4), w: u(4), columns: 3 }).table);
  });

  it('operand truncation multiplies the magnitudes with their LSBs zeroed', () => {
    const m = operandTruncationMultiplier({ a: s(4), w: u(4), dropA: 1, dropW: 2 });
    expect(m.product(5, 7)).toBe(4 * 4);
    expect(m.product(-5, 7)).toBe(-16);
    expect(m.product(-8, 15)).toBe(-8 * 12);
  });

  it('Mitchell: hand-computed products, never above the exact product, error below 11.2%', () => {
    const m = mitchellMultiplier({ a: u(8), w: u(8) });
    expect(m.product(3, 3)).toBe(8); // 2^2 * (1 + .5 + .5) -> 2^3 * 1
    expect(m.product(5, 6)).toBe(28); // 4(1+.25) * 4(1+.5): 2^4 (1 + .75) = 28
    expect(m.product(64, 200)).toBe(12800); // a power of two is exact
    expect(m.metrics().wcrePercent).toBeLessThan(11.2);
    expect(m.metrics().meanError).toBeLessThan(0);
    const e = m.errorTable();
    expect(e.every((x) => x <= 0)).toBe(true);
  });

  it('DRUM keeps k bits from the leading one with the lowest set; small operands exact', () => {
    expect(drumSegment(255, 4)).toBe(240);
    expect(drumSegment(0b10010110, 4)).toBe(0b10010000); // 1001 kept (lowest already 1)
    expect(drumSegment(0b10100110, 4)).toBe(0b10110000); // 1010 -> 1011
    expect(drumSegment(13, 4)).toBe(13);
    const m = drumMultiplier({ a: u(8), w: u(8), k: 4 });
    expect(m.product(13, 9)).toBe(117);
    expect(m.product(255, 255)).toBe(240 * 240);
    // Unbiased by design: mean error small against the mean absolute error.
    expect(Math.abs(m.metrics().meanError)).toBeLessThan(0.2 * m.metrics().mae);
  });

  it('UDM: 3*3 -> 7 in each 2x2 block, recursively', () => {
    const m2 = underdesignedMultiplier({ a: u(2), w: u(2) });
    expect(m2.product(3, 3)).toBe(7);
    expect(m2.metrics().errorProbabilityPercent).toBe(100 / 16);
    const m4 = underdesignedMultiplier({ a: u(4), w: u(4) });
    expect(m4.product(15, 15)).toBe(175);
    expect(m4.product(6, 5)).toBe(30);
    const m3 = underdesignedMultiplier({ a: u(3), w: s(3) });
    // 0111 x 0011 (padded to 4 bits): (1*0) 16 + (1*3 + 3*0) 4 + (3*3 -> 7) = 19 (exact 21).
    expect(m3.product(7, -3)).toBe(-19);
  });

  it('rejects bad options with LowbitConfigError naming the argument', () => {
    expect(() => exactMultiplier({ a: u(9), w: u(4) })).toThrow(/a.bits = 9/);
    expect(() => exactMultiplier({ a: u(1), w: u(4) })).toThrow(LowbitConfigError);
    expect(() => exactMultiplier({ a: { bits: 4 } as never, w: u(4) })).toThrow(/a.signed/);
    expect(() => truncatedMultiplier({ a: u(4), w: u(4), columns: 8 })).toThrow(/columns = 8/);
    expect(() => truncatedMultiplier({ a: u(4), w: u(4), columns: 2.5 })).toThrow(LowbitConfigError);
    expect(() => brokenArrayMultiplier({ a: u(4), w: u(4), hbl: 0, vbl: 0 })).toThrow(LowbitConfigError);
    expect(() => brokenArrayMultiplier({ a: u(4), w: u(4), hbl: 4, vbl: 0 })).toThrow(/hbl = 4/);
    expect(() => operandTruncationMultiplier({ a: u(4), w: u(4), dropA: 0, dropW: 0 })).toThrow(LowbitConfigError);
    expect(() => mitchellMultiplier({ a: u(4), w: u(4), fractionBits: 4 })).toThrow(/fractionBits = 4/);
    expect(() => drumMultiplier({ a: u(4), w: u(4), k: 4 })).toThrow(/k = 4/);
    expect(() => drumMultiplier({ a: u(2), w: u(2), k: 2 })).toThrow(LowbitConfigError);
    const m = exactMultiplier({ a: u(4), w: s(4) });
    expect(() => m.product(16, 0)).toThrow(/a = 16/);
    expect(() => m.product(0, -9)).toThrow(/w = -9/);
  });

  it('rejects unknown option keys and bad helper arguments (no stack overflow, no NaN)', () => {
    expect(() => truncatedMultiplier({ a: u(4), w: u(4), columns: 2, colums: 3 } as never)).toThrow(
      /options\.colums = 3/,
    );
    expect(() => drumMultiplier({ a: u(4), w: u(4), k: 2, bogusKey: 1 } as never)).toThrow(LowbitConfigError);
    expect(() => exactMultiplier(undefined as never)).toThrow(/options = undefined/);
    expect(() => exactMultiplier({ a: { bits: 1e9, signed: false }, w: u(4) })).toThrow(/a\.bits = 1000000000/);
    expect(() => mitchellMultiplier(null as never)).toThrow(LowbitConfigError);
    // underdesignedProduct recursed until the stack overflowed for n that is not a power of two.
    expect(underdesignedProduct(15, 15, 4)).toBe(175);
    expect(() => underdesignedProduct(3, 3, 3)).toThrow(/n = 3/);
    expect(() => underdesignedProduct(1, 1, undefined as never)).toThrow(LowbitConfigError);
    expect(() => underdesignedProduct(4, 1, 2)).toThrow(/x = 4/);
    expect(() => underdesignedProduct(1, -1, 2)).toThrow(/y = -1/);
    expect(() => drumSegment(13, 40)).toThrow(/k = 40/);
    expect(() => drumSegment(2.5, 2)).toThrow(/x = 2.5/);
  });
});
