import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom, seededShuffle, stratifiedSubset } from './stratify.js';

describe('seededRandom / seededShuffle', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('returns a permutation, deterministic per seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 50 }), fc.nat(), (items, seed) => {
        const s1 = seededShuffle([...items], seed);
        const s2 = seededShuffle([...items], seed);
        expect(s1).toEqual(s2);
        expect([...s1].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });

  it('actually reorders a long list', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect(seededShuffle([...xs], 1)).not.toEqual(xs);
  });
});

describe('stratifiedSubset', () => {
  it('keeps each class share and the earliest positions of each class', () => {
    expect(stratifiedSubset([0, 0, 1, 1, 1, 1], 3, 2)).toEqual([0, 2, 3]);
    expect(stratifiedSubset([2, 0, 2, 0], 2, 3)).toEqual([0, 1]);
  });

  it('returns everything when limit >= n', () => {
    expect(stratifiedSubset([1, 0, 1], 5, 2)).toEqual([0, 1, 2]);
  });

  it('has exactly `limit` increasing positions, each class within one of its exact share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 200 }),
        (labels, rawLimit) => {
          const limit = Math.min(rawLimit, labels.length);
          const picked = stratifiedSubset(labels, limit, 5);
          expect(picked.length).toBe(limit);
          for (let k = 1; k < picked.length; k++) expect(picked[k]).toBeGreaterThan(picked[k - 1]);
          for (let c = 0; c < 5; c++) {
            const total = labels.filter((l) => l === c).length;
            const got = picked.filter((i) => labels[i] === c).length;
            expect(Math.abs(got - (total * limit) / labels.length)).toBeLessThan(1);
          }
        },
      ),
    );
  });
});
