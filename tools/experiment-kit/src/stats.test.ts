import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { accuracyOf, bootstrap, concatSeeds, mcnemar, spread } from './stats.js';

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

describe('spread', () => {
  it('gives mean, sample sd, min and max', () => {
    const s = spread([1, 2, 3, 4]);
    expect(s).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4 });
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(spread([7]).sd).toBe(0);
  });
  it('rejects empty and non-finite input by name', () => {
    expect(() => spread([])).toThrow(LowbitConfigError);
    expect(() => spread([1, NaN])).toThrow(/values/);
  });
});

describe('mcnemar', () => {
  it('matches the exact binomial tail by hand', () => {
    // 5 discordant images, all in A's favour: p = 2 * 0.5^5 = 0.0625.
    const r = mcnemar(bits('1111100000'), bits('0000000000'));
    expect(r).toMatchObject({ aOnly: 5, bOnly: 0 });
    expect(r.pValue).toBeCloseTo(0.0625, 12);
    // 2 vs 1 discordant: P(X <= 1 | n = 3) = 4/8, two-sided 1.
    expect(mcnemar(bits('110'), bits('001')).pValue).toBeCloseTo(1, 12);
    expect(mcnemar(bits('1010'), bits('1010')).pValue).toBe(1);
  });
  it('stays finite and small for thousands of one-sided discordant images', () => {
    const a = new Uint8Array(5000).fill(1);
    const b = new Uint8Array(5000);
    const p = mcnemar(a, b).pValue;
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-300);
  });
  it('is symmetric', () => {
    fc.assert(
      fc.property(fc.uint8Array({ min: 0, max: 1, minLength: 1, maxLength: 60 }), fc.integer(), (a, shift) => {
        const b = a.map((_, i) => a[(i + Math.abs(shift)) % a.length]);
        expect(mcnemar(a, b).pValue).toBeCloseTo(mcnemar(b, a).pValue, 12);
      }),
      { numRuns: 200 },
    );
  });
  it('rejects unpaired vectors', () => {
    expect(() => mcnemar(bits('10'), bits('101'))).toThrow(/length/);
    expect(() => mcnemar(Uint8Array.of(2), Uint8Array.of(1))).toThrow(LowbitConfigError);
  });
});

describe('bootstrap', () => {
  it('returns the statistic on the data inside its interval', () => {
    const a = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 < 9 ? 1 : 0)); // 90%
    const b = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 < 8 ? 1 : 0)); // 80%, b right => a right
    const r = bootstrap([a, b], ([x, y]) => x - y);
    expect(r.value).toBeCloseTo(10, 10);
    expect(r.lo).toBeLessThan(10);
    expect(r.hi).toBeGreaterThan(10);
    // Paired: every discordant image favours a, so the interval is far from 0.
    expect(r.lo).toBeGreaterThan(7);
  });
  it('is deterministic for a seed and narrower for paired than for shuffled pairing', () => {
    const n = 2000;
    const a = Uint8Array.from({ length: n }, (_, i) =>
      Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1 < 0.85 ? 1 : 0,
    );
    const b = a.map((v, i) => (i % 50 === 0 ? 0 : v)); // b = a minus 2% of images
    const stat = ([x, y]: number[]) => x - y;
    expect(bootstrap([a, b], stat, { seed: 3 })).toEqual(bootstrap([a, b], stat, { seed: 3 }));
    const paired = bootstrap([a, b], stat);
    const shuffledB = b.slice().reverse();
    const unpaired = bootstrap([a, shuffledB], stat);
    expect(paired.hi - paired.lo).toBeLessThan((unpaired.hi - unpaired.lo) / 2);
  });
  it('widens when seed blocks disagree (hierarchical resampling)', () => {
    const m = 500;
    const same = concatSeeds([new Uint8Array(m).fill(1), new Uint8Array(m).fill(1), new Uint8Array(m).fill(1)]);
    const varied = concatSeeds([new Uint8Array(m).fill(1), new Uint8Array(m).fill(0), new Uint8Array(m).fill(1)]);
    const rSame = bootstrap([same], ([x]) => x, { seeds: 3 });
    const rVaried = bootstrap([varied], ([x]) => x, { seeds: 3 });
    expect(rSame.hi - rSame.lo).toBe(0);
    expect(rVaried.hi - rVaried.lo).toBeGreaterThan(30);
    expect(accuracyOf(varied)).toBeCloseTo(2 / 3, 12);
  });
  it('rejects bad options by name', () => {
    const a = bits('1010');
    expect(() => bootstrap([a], ([x]) => x, { seeds: 3 })).toThrow(/seeds/);
    expect(() => bootstrap([a], ([x]) => x, { resamples: 5 })).toThrow(/resamples/);
    expect(() => bootstrap([], ([x]) => x)).toThrow(/vectors/);
  });
});
