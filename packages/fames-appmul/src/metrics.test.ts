import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { errorMetrics } from './metrics.js';

const U2 = { bits: 2, signed: false };

describe('errorMetrics', () => {
  it('matches a hand computation for the 2x2 multiplier that drops the a0*w0 bit', () => {
    // Exact 2x2 products minus 1 wherever a and w are both odd: (1,1) (1,3) (3,1) (3,3).
    const table = new Int32Array(16);
    for (let a = 0; a < 4; a++) for (let w = 0; w < 4; w++) table[a * 4 + w] = a * w - (a & w & 1);
    const m = errorMetrics(table, U2, U2);
    expect(m.mae).toBe(0.25);
    expect(m.maePercent).toBeCloseTo((100 * 0.25) / 16, 12);
    expect(m.wce).toBe(1);
    expect(m.wcePercent).toBe(6.25);
    expect(m.meanError).toBe(-0.25);
    expect(m.mse).toBe(0.25);
    expect(m.errorProbabilityPercent).toBe(25);
    // Relative errors over the 9 non-zero exact products: 1/1 + 1/3 + 1/3 + 1/9 = 16/9.
    expect(m.mrePercent).toBeCloseTo((100 * 16) / 81, 10);
    expect(m.wcrePercent).toBe(100);
  });

  it("is all zero for the exact signed table (two's-complement pattern order)", () => {
    const s = { bits: 3, signed: true };
    const code = (p: number) => (p >= 4 ? p - 8 : p);
    const table = new Int32Array(64);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) table[i * 8 + j] = code(i) * code(j);
    const m = errorMetrics(table, s, s);
    expect([m.mae, m.wce, m.meanError, m.errorProbabilityPercent, m.mrePercent]).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects a table of the wrong size', () => {
    expect(() => errorMetrics(new Int32Array(15), U2, U2)).toThrow(LowbitDataError);
  });

  it('rejects bad operands and non-finite products with LowbitConfigError (no NaN metrics)', () => {
    expect(() => errorMetrics(new Int32Array(16), undefined as never, U2)).toThrow(/a = undefined/);
    expect(() => errorMetrics([...new Array(15).fill(0), NaN], U2, U2)).toThrow(/table\[15\] = NaN/);
    expect(() => errorMetrics('nope' as never, U2, U2)).toThrow(LowbitConfigError);
  });
});
