import { describe, expect, it } from 'vitest';
import { exactMultiplier } from '../families/exact.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulLibrary } from '../library.js';
import { codeRange } from '../operand.js';
import { expectConfigError } from '../test/config-error.js';
import { lowRankExactFor, lowRankFactors, offsetFactors } from './low-rank.js';

const u4 = { bits: 4, signed: false };
const s4 = { bits: 4, signed: true };

describe('lowRankFactors / lowRankExactFor: bad arguments', () => {
  const m = truncatedMultiplier({ a: u4, w: s4, columns: 3 });

  it('name a missing multiplier, a bad maxRank or K', () => {
    expectConfigError(() => lowRankFactors(undefined as never), 'm');
    expectConfigError(() => lowRankFactors({ table: m.table } as never), 'm');
    expectConfigError(() => lowRankFactors(m, 1e9), 'maxRank');
    expectConfigError(() => lowRankFactors(m, 8, 'products' as never), 'of');
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
    expectConfigError(() => lowRankExactFor(m, { ...f, of: 'both' as never }, 3), 'f.of');
    expectConfigError(() => offsetFactors(m, f, 'x' as never), 'side');
    expectConfigError(() => offsetFactors(m, lowRankFactors(exactMultiplier({ a: u4, w: s4 }), 8)!, 'a'), 'f.rank');
    expectConfigError(() => lowRankExactFor(m, { ...f, integer: 'yes' as never }, 3), 'f.integer');
    expectConfigError(() => lowRankExactFor(m, { ...f, maxAbsU: NaN }, 3), 'f.maxAbsU');
    expectConfigError(() => lowRankExactFor(m, { ...f, rank: f.rank + 1 }, 3), 'f.u');
    const other = exactMultiplier({ a: { bits: 2, signed: false }, w: { bits: 2, signed: false } });
    expectConfigError(() => lowRankExactFor(other, f, 3), 'f.u');
  });
});

describe('lowRankFactors of the product table', () => {
  const a8u = { bits: 8, signed: false };
  const w8s = { bits: 8, signed: true };
  const library = appMulLibrary({ a: a8u, w: w8s });

  it('reproduce M exactly where integer, with rank <= the error rank + 1 (DRUM and LSB dropping: 1)', () => {
    for (const m of library) {
      const e = lowRankFactors(m, 256, 'error')!;
      const p = lowRankFactors(m, 256, 'product')!;
      expect(p.of).toBe('product');
      expect(p.rank, m.name).toBeLessThanOrEqual(e.rank + 1);
      if (m.family === 'drum' || m.family === 'operand-truncation') expect(p.rank, m.name).toBe(1);
      if (!p.integer) continue;
      for (let i = 0; i < m.rows; i++)
        for (let j = 0; j < m.cols; j++) {
          let sum = 0;
          for (let t = 0; t < p.rank; t++) sum += p.u[i * p.rank + t]! * p.v[j * p.rank + t]!;
          if (sum !== m.table[i * m.cols + j]) expect(sum, `${m.name} [${i}, ${j}]`).toBe(m.table[i * m.cols + j]);
        }
    }
  });

  it('lowRankExactFor bounds the largest sum of the terms of one product, not max|U| max|V| r', () => {
    const trunc = library.find((m) => m.name.startsWith('trunc6_'))!;
    const p = lowRankFactors(trunc, 16, 'product')!;
    // Loose bound K r max|U| max|V| = 144 * 7 * 3 * 8192 > 2^24; the terms of one product sum to < 2^15.
    expect(144 * p.rank * p.maxAbsU * p.maxAbsV).toBeGreaterThan(2 ** 24);
    expect(lowRankExactFor(trunc, p, 144)).toBe(true);
    expect(lowRankExactFor(trunc, p, 2 ** 14)).toBe(false);
  });

  it('offsetFactors re-orders rows from bit pattern to code offset, in float32', () => {
    const m = library.find((d) => d.name.startsWith('drum4_'))!;
    const f = lowRankFactors(m, 8, 'product')!;
    for (const side of ['a', 'w'] as const) {
      const t = offsetFactors(m, f, side);
      const [min, max] = codeRange(m[side]);
      expect([t.min, t.max, t.rank]).toEqual([min, max, 1]);
      const src = side === 'a' ? f.u : f.v;
      for (let c = min; c <= max; c++) expect(t.factors[c - min]).toBe(src[c & (2 ** m[side].bits - 1)]);
      expect(offsetFactors(m, f, side)).toBe(t); // cached
    }
  });
});
