import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { calibrateMse, clippingMse } from './mse.js';
import { SeededRng } from '../random.js';

/** n samples of a Laplace(0, b) distribution by inverting its CDF. */
function laplace(n: number, b: number, seed: number): number[] {
  // Uniform draws moved off 0 by half a step (24-bit draws), so |v| < 0.5 and the log stays finite.
  const u = new SeededRng(seed).uniform(n);
  return Array.from(u, (draw) => {
    const v = draw + 2 ** -25 - 0.5;
    return -b * Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
  });
}

const maxAbs = (v: number[]) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('clippingMse', () => {
  it('matches hand-computed errors', () => {
    // 2-bit signed grid {-t, 0, t}. Ten 1s and one 4:
    // t = 1: only the 4 clips to 1 -> 9 / 11. t = 4: 1 / 4 rounds to 0 -> 10 * 1 / 11.
    const data = [...new Array(10).fill(1), 4];
    expect(clippingMse(data, 1, { bits: 2, signed: true })).toBeCloseTo(9 / 11, 12);
    expect(clippingMse(data, 4, { bits: 2, signed: true })).toBeCloseTo(10 / 11, 12);
    // t = 2: 1 / 2 = 0.5 rounds half to even (0) -> each 1 costs 1; 4 clips to 2 -> 4. (10 + 4) / 11.
    expect(clippingMse(data, 2, { bits: 2, signed: true })).toBeCloseTo(14 / 11, 12);
    // Unsigned 1-bit grid {0, t}: negatives clip to 0.
    expect(clippingMse([-1, 3], 3, { bits: 1, signed: false })).toBeCloseTo(1 / 2, 12);
    expect(clippingMse([-1, 3], 0, { bits: 1, signed: false })).toBeCloseTo(10 / 2, 12);
  });

  it('rejects bad grids, thresholds and values', () => {
    expect(() => clippingMse([1], 1, { bits: 1, signed: true })).toThrow(/bits = 1 .*2 to 16/);
    expect(() => clippingMse([1], 1, { bits: 17, signed: false })).toThrow(LowbitConfigError);
    expect(() => clippingMse([1], 1, { bits: 4, signed: 'yes' } as never)).toThrow(/signed/);
    expect(() => clippingMse([1], -1, { bits: 4, signed: true })).toThrow(/threshold = -1/);
    expect(() => clippingMse([], 1, { bits: 4, signed: true })).toThrow(/values/);
    expect(() => clippingMse([1, NaN], 1, { bits: 4, signed: true })).toThrow(/values\[1\] = NaN/);
  });
});

describe('calibrateMse', () => {
  it('finds the hand-computed optimum among the candidates', () => {
    // Ten 1s and one -4, 2-bit signed, candidates t = 1, 2, 3, 4:
    // SSE t=1: 9; t=2: 10 + 4 = 14; t=3: 1/3 -> 0 so 10, -4/3 -> -1 -> -3 so 1: 11; t=4: 10. Best t = 1.
    const x = tf.tensor([...new Array(10).fill(1), -4]);
    expect(calibrateMse(x, { bits: 2, signed: true, candidates: 4 })).toEqual([-1, 1]);
    // Unsigned 1-bit {0, t}, values 1,1,1,1,1,3 and t = 1, 2, 3:
    // t=1: 4; t=2: 0.5 -> 0 so 5, 1.5 -> 2 -> clipped to 1 level = 2 so 1: 6; t=3: 5. Best t = 1.
    expect(calibrateMse(tf.tensor([1, 1, 1, 1, 1, 3]), { bits: 1, signed: false, candidates: 3 })).toEqual([0, 1]);
    // Values 1,1,1,3: t=1: 4; t=2: 3 + 1 = 4 (tie); t=3: 3. Best t = 3 = max (no clipping).
    expect(calibrateMse(tf.tensor([1, 1, 1, 3]), { bits: 1, signed: false, candidates: 3 })).toEqual([0, 3]);
  });

  it('clips a Laplace sample below max|x| and never does worse than min/max', () => {
    const sample = laplace(2000, 1, 7);
    const m = maxAbs(sample);
    for (const bits of [2, 3, 4, 8]) {
      const [lo, hi] = calibrateMse(tf.tensor(sample), { bits, signed: true });
      expect(lo).toBe(-hi);
      expect(clippingMse(sample, hi, { bits, signed: true })).toBeLessThanOrEqual(
        clippingMse(sample, m, { bits, signed: true }),
      );
      if (bits <= 4) expect(hi).toBeLessThan(0.8 * m);
    }
    // For Laplace(0, 1) at 4 bits the MSE-optimal clip is near 5 (ACIQ, Banner et al. 2019, reports
    // about 5.03 b for a 16-level grid); the sample's max|x| is about ln(2000) ~ 7.6 or more.
    const [, hi4] = calibrateMse(tf.tensor(sample), { bits: 4, signed: true });
    expect(hi4).toBeGreaterThan(3.5);
    expect(hi4).toBeLessThan(6.5);
  });

  it('finer candidate grids never raise the error (candidates nest)', () => {
    const sample = laplace(300, 0.5, 3);
    const x = tf.tensor(sample);
    const coarse = calibrateMse(x, { bits: 3, signed: true, candidates: 10 })[1];
    const fine = calibrateMse(x, { bits: 3, signed: true, candidates: 100 })[1];
    expect(clippingMse(sample, fine, { bits: 3, signed: true })).toBeLessThanOrEqual(
      clippingMse(sample, coarse, { bits: 3, signed: true }),
    );
    x.dispose();
  });

  it('uses the positive part for unsigned grids and works per channel', () => {
    // Channel 0 is Laplace magnitudes (heavy tail), channel 1 is all zeros, channel 2 negatives only.
    const mags = laplace(200, 1, 11).map(Math.abs);
    const rows = mags.map((v) => [v, 0, -v]);
    const x = tf.tensor2d(rows);
    const ranges = calibrateMse(x, { bits: 2, signed: false, axis: 1 });
    expect(ranges[0][0]).toBe(0);
    expect(ranges[0][1]).toBeLessThan(Math.max(...mags));
    expect(ranges[0]).toEqual(calibrateMse(tf.tensor(mags), { bits: 2, signed: false }));
    expect(ranges[1]).toEqual([0, 0]);
    expect(ranges[2]).toEqual([0, 0]);
    x.dispose();
  });

  it('rejects bad options and non-finite data', () => {
    const x = tf.tensor([1, 2]);
    expect(() => calibrateMse(x, { bits: 0, signed: false })).toThrow(/bits = 0/);
    expect(() => calibrateMse(x, { bits: 1, signed: true })).toThrow(LowbitConfigError);
    expect(() => calibrateMse(x, { bits: 4, signed: true, candidates: 0 })).toThrow(/candidates = 0/);
    expect(() => calibrateMse(x, { bits: 4 } as never)).toThrow(/signed = undefined/);
    expect(() => calibrateMse(x, { bits: 4, signed: true, clip: 1 } as never)).toThrow(/clip/);
    expect(() => calibrateMse(x, null as never)).toThrow(LowbitConfigError);
    expect(() => calibrateMse(tf.tensor([1, NaN]), { bits: 4, signed: true })).toThrow(LowbitDataError);
  });
});
