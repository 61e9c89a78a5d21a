import { describe, expect, it } from 'vitest';
import { exactMultiplier } from '../families/exact.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { expectConfigError } from '../test/config-error.js';
import { lowRankExactFor, lowRankFactors } from './low-rank.js';

const u4 = { bits: 4, signed: false };
const s4 = { bits: 4, signed: true };

describe('lowRankFactors / lowRankExactFor: bad arguments', () => {
  const m = truncatedMultiplier({ a: u4, w: s4, columns: 3 });

  it('name a missing multiplier, a bad maxRank or K', () => {
    expectConfigError(() => lowRankFactors(undefined as never), 'm');
    expectConfigError(() => lowRankFactors({ table: m.table } as never), 'm');
    expectConfigError(() => lowRankFactors(m, 1e9), 'maxRank');
    const f = lowRankFactors(m, 256)!;
    expect(lowRankExactFor(m, f, 3)).toBe(true);
    expectConfigError(() => lowRankExactFor(undefined as never, f, 3), 'm');
    expectConfigError(() => lowRankExactFor(m, f, NaN), 'K');
  });

  it('reject factors that are not those of the multiplier', () => {
    const f = lowRankFactors(m, 256)!;
    expectConfigError(() => lowRankExactFor(m, null as never, 3), 'f');
    expectConfigError(() => lowRankExactFor(m, { ...f, extra: 1 } as never, 3), 'f.extra');
    expectConfigError(() => lowRankExactFor(m, { ...f, rank: -1 }, 3), 'f.rank');
    expectConfigError(() => lowRankExactFor(m, { ...f, integer: 'yes' as never }, 3), 'f.integer');
    expectConfigError(() => lowRankExactFor(m, { ...f, maxAbsU: NaN }, 3), 'f.maxAbsU');
    expectConfigError(() => lowRankExactFor(m, { ...f, rank: f.rank + 1 }, 3), 'f.u');
    const other = exactMultiplier({ a: { bits: 2, signed: false }, w: { bits: 2, signed: false } });
    expectConfigError(() => lowRankExactFor(other, f, 3), 'f.u');
  });
});
