import { describe, expect, it } from 'vitest';
import { claim, claimLine, verdictOf } from './claims.js';

const vec = (n: number, rightEvery: (i: number) => boolean) =>
  Uint8Array.from({ length: n }, (_, i) => (rightEvery(i) ? 1 : 0));

describe('verdictOf', () => {
  it('decides from where the interval lies', () => {
    expect(verdictOf(0.1, 0.9, 0, 'above')).toBe('holds');
    expect(verdictOf(-0.9, -0.1, 0, 'above')).toBe('does not hold');
    expect(verdictOf(-0.1, 0.9, 0, 'above')).toBe('inconclusive');
    expect(verdictOf(-0.9, -0.6, -0.5, 'below')).toBe('holds');
    expect(verdictOf(-0.4, 0.2, -0.5, 'below')).toBe('does not hold');
  });
});

describe('claim', () => {
  const n = 5000;
  const good = vec(n, (i) => i % 10 !== 0); // 90%
  const worse = vec(n, (i) => i % 10 !== 0 && i % 7 !== 0); // about 77%
  it('holds for a clear paired difference, fails the other way round, and prints it', () => {
    const c = claim('good > worse', { vectors: [good, worse], statistic: ([a, b]) => a - b, describe: 'diff' });
    expect(c.verdict).toBe('holds');
    expect(c.pValue).toBeLessThan(1e-6);
    expect(claimLine(c)).toMatch(/^\*\*holds\*\*: good > worse\. diff = \+1[23]\.\d\d/);
    const r = claim('worse > good', { vectors: [worse, good], statistic: ([a, b]) => a - b, describe: 'diff' });
    expect(r.verdict).toBe('does not hold');
  });
  it('states an unbounded interval (one seed) in words and keeps it inconclusive', () => {
    const lo = -Infinity;
    const hi = Infinity;
    const verdict = verdictOf(lo, hi, 0, 'above');
    expect(verdict).toBe('inconclusive');
    const line = claimLine({
      name: 'x',
      statistic: 'mean',
      value: 1.5,
      lo,
      hi,
      level: 0.95,
      threshold: 0,
      direction: 'above',
      verdict,
    });
    expect(line).toBe('**inconclusive**: x. mean = +1.50 (no interval: too few samples; claimed > 0)');
    expect(
      claimLine({
        name: 'x',
        statistic: 'mean',
        value: 1.5,
        lo: 1,
        hi: 2,
        level: 0.95,
        threshold: 0,
        direction: 'above',
        verdict: 'holds',
      }),
    ).toContain('95% CI +1.00 to +2.00');
  });
  it('does not hold for identical arms and is inconclusive for equally accurate ones', () => {
    const c = claim('good > good', { vectors: [good, good.slice()], statistic: ([a, b]) => a - b, describe: 'diff' });
    expect(c.verdict).toBe('does not hold'); // interval is exactly [0, 0]: touches the threshold from below
    // 30 images flipped each way: the same accuracy, a different set of errors.
    const noisy = good.slice();
    let up = 0;
    let down = 0;
    for (let i = 0; i < n && (up < 30 || down < 30); i++) {
      if (good[i] && down < 30) {
        noisy[i] = 0;
        down++;
      } else if (!good[i] && up < 30) {
        noisy[i] = 1;
        up++;
      }
    }
    const d = claim('noisy > good', { vectors: [noisy, good], statistic: ([a, b]) => a - b, describe: 'diff' });
    expect(d.verdict).toBe('inconclusive');
  });
  it('rejects a missing description', () => {
    expect(() => claim('x', { vectors: [good], statistic: ([a]) => a } as never)).toThrow(/describe/);
  });
});
