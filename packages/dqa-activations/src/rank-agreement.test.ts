import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { rankAgreement } from './rank-agreement.js';

describe('rank agreement', () => {
  it('measures Spearman correlation and top-k overlap', () => {
    expect(rankAgreement([5, 4, 3, 2], [5, 1, 3, 2], 2)).toEqual({
      spearman: expect.closeTo(0.4, 12),
      topOverlap: 0.5,
    });
    expect(rankAgreement([1, 2, 3], [10, 20, 30], 1)).toEqual({ spearman: expect.closeTo(1, 12), topOverlap: 1 });
  });
  it('rejects a bad k and mismatched scores', () => {
    expect(() => rankAgreement([1, 2], [1, 2], 3)).toThrow(/k = 3/);
    expect(() => rankAgreement([1, 2], [1], 1)).toThrow(LowbitConfigError);
  });
});
