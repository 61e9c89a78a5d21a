import { describe, expect, it } from 'vitest';
import { binomialBand, judge, seedRange } from './redesign-compare.js';

describe('judge', () => {
  it('calls equal figures identical and a missing before new', () => {
    expect(judge({ name: 'bit-ops', kind: 'cost', before: 10, after: 10 }).verdict).toBe('identical');
    expect(judge({ name: 'acc', kind: 'stat', before: null, after: 0.5 }).verdict).toBe('new');
  });

  it('never lets a cost figure move, whatever the seeds do', () => {
    const j = judge({ name: 'energy', kind: 'cost', before: 100, after: 101, seeds: [90, 110], why: 'new table' });
    expect(j.verdict).toBe('changed');
    expect(j.how).toContain('new table');
  });

  it('measures a training figure against the seed range', () => {
    const seeds = [0.6, 0.55, 0.63];
    expect(judge({ name: 'acc', kind: 'stat', before: 0.58, after: 0.6, seeds, percent: true })).toEqual({
      verdict: 'within noise',
      how: 'difference 2.00 pts vs the spread 8.00 pts (3 runs of the after code)',
    });
    expect(judge({ name: 'acc', kind: 'stat', before: 0.4, after: 0.6, seeds, percent: true }).verdict).toBe('changed');
  });

  it('never asks an accuracy to agree closer than one test image', () => {
    const stuck = { name: 'acc', kind: 'stat' as const, seeds: [0.1, 0.1, 0.1], percent: true, binomialN: 200 };
    expect(judge({ ...stuck, before: 0.095, after: 0.1 }).verdict).toBe('within noise');
    expect(judge({ ...stuck, before: 0.09, after: 0.1 }).verdict).toBe('changed');
  });

  it('falls back to the binomial band without seed runs', () => {
    const band = binomialBand(0.85, 5000);
    expect(band).toBeCloseTo(2 * Math.sqrt((2 * 0.85 * 0.15) / 5000), 12);
    const near = judge({
      name: 'acc',
      kind: 'stat',
      before: 0.85,
      after: 0.85 + band / 2,
      binomialN: 5000,
      percent: true,
    });
    expect(near.verdict).toBe('within noise');
    const far = judge({
      name: 'acc',
      kind: 'stat',
      before: 0.85,
      after: 0.85 + 2 * band,
      binomialN: 5000,
      percent: true,
    });
    expect(far.verdict).toBe('changed');
    expect(judge({ name: 'loss', kind: 'stat', before: 1, after: 2 }).verdict).toBe('changed');
  });

  it('counts a choice that differs as noise only when the seeds choose differently too', () => {
    expect(judge({ name: 'm', kind: 'text', before: 'a', after: 'b', seeds: ['b', 'c'] }).verdict).toBe('within noise');
    expect(judge({ name: 'm', kind: 'text', before: 'a', after: 'b', seeds: ['b', 'b'] }).verdict).toBe('changed');
  });

  it('puts differences of float32 rounding within noise, and no further', () => {
    const j = judge({ name: 'loss', kind: 'stat', before: 2.1962872, after: 2.1962874 });
    expect(j.verdict).toBe('within noise');
    expect(j.how).toContain('float32 rounding');
    expect(judge({ name: 'loss', kind: 'stat', before: 2.19, after: 2.2 }).verdict).toBe('changed');
  });

  it('ignores non-numeric seed values in the range', () => {
    expect(seedRange([1, null, 3])).toBe(2);
    expect(seedRange([1])).toBeNull();
  });
});
