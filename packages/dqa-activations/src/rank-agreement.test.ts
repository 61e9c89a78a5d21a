import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { averageRanks, rankAgreement, spearman } from './rank-agreement.js';

describe('rank agreement', () => {
  it('ranks with ties averaged', () => {
    expect(averageRanks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });
  it('gives +1 / -1 for monotone relations and a known value otherwise', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // d = ranks differ by (0, 0, 1, -1): rho = 1 - 6 * 2 / (4 * 15) = 0.8.
    expect(spearman([1, 2, 3, 4], [1, 2, 4, 3])).toBeCloseTo(0.8, 12);
  });
  it('measures top-k overlap', () => {
    expect(rankAgreement([5, 4, 3, 2], [5, 1, 3, 2], 2)).toEqual({ spearman: expect.closeTo(0.4, 12), topOverlap: 0.5 });
    expect(() => rankAgreement([1, 2], [1, 2], 3)).toThrow(/k = 3/);
    expect(() => spearman([1, 2], [1])).toThrow(LowbitConfigError);
  });
});
