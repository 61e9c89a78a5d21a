import { describe, expect, it } from 'vitest';
import { checkWageBits, maxWageCode } from './bits.js';
import { expectConfigError } from './errors.fixture.js';

describe('maxWageCode', () => {
  it('is 2^(k-1) - 1 for every WAGE width', () => {
    expect([2, 3, 8, 16].map(maxWageCode)).toEqual([1, 3, 127, 32767]);
  });

  it('rejects widths outside 2..16 and non-integers instead of returning NaN', () => {
    for (const bad of [Number.NaN, 1, 17, 2.5, '8', undefined, null]) {
      expectConfigError(() => maxWageCode(bad as never), 'bits');
    }
  });
});

describe('checkWageBits', () => {
  it('names the argument it checks, and rejects a missing name', () => {
    expect(checkWageBits('errorBits', 8)).toBe(8);
    expectConfigError(() => checkWageBits('errorBits', 0), 'errorBits');
    expectConfigError(() => checkWageBits(undefined as never, 8), 'argument');
  });
});
