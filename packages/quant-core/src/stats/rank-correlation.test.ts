import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { averageRanks, spearman } from './rank-correlation.js';

describe('averageRanks / spearman', () => {
  it('ranks with ties averaged', () => {
    expect(averageRanks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });

  it('matches hand-computed correlations', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // d = ranks differ by (0, 0, 1, -1): rho = 1 - 6 * 2 / (4 * 15) = 0.8.
    expect(spearman([1, 2, 3, 4], [1, 2, 4, 3])).toBeCloseTo(0.8, 12);
  });

  it('throws for a constant ranking (undefined correlation) and for non-finite scores', () => {
    expect(() => spearman([1, 1, 1], [1, 2, 3])).toThrow(LowbitDataError);
    expect(() => spearman([1, 2, 3], [5, 5, 5])).toThrow(/b has all-equal values/);
    expect(() => spearman([1, NaN, 3], [1, 2, 3])).toThrow(/a\[1\] = NaN/);
    expect(() => averageRanks([1, Infinity])).toThrow(LowbitConfigError);
  });

  it('rejects mismatched or too short inputs', () => {
    expect(() => spearman([1, 2], [1])).toThrow(LowbitConfigError);
    expect(() => spearman([1], [1])).toThrow(/a.length = 1 is invalid: expected at least 2 values/);
  });
});
