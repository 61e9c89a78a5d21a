import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
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
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('rejects mismatched or too short inputs', () => {
    expect(() => spearman([1, 2], [1])).toThrow(LowbitConfigError);
    expect(() => spearman([1], [1])).toThrow(/expected 1 scores \(>= 2\)/);
  });
});
