import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { calibrateMinMax } from './min-max.js';
import { calibratePercentile } from './percentile.js';

describe('calibratePercentile', () => {
  it('takes the p-th and (100-p)-th percentiles with linear interpolation', () => {
    const x = tf.range(0, 101); // 0..100: the k-th percentile is k
    expect(calibratePercentile(x, { percentile: 99 })).toEqual([1, 99]);
    expect(calibratePercentile(x, { percentile: 50 })).toEqual([50, 50]);
    // 4 values 0, 10, 20, 100 (shuffled): position q * 3; 90th -> 2.7 -> 20 + 0.7 * 80 = 76,
    // 10th -> 0.3 -> 3.
    const y = tf.tensor([100, 0, 20, 10]);
    const [lo, hi] = calibratePercentile(y, { percentile: 90 });
    expect(lo).toBeCloseTo(3, 5);
    expect(hi).toBeCloseTo(76, 5);
  });

  it('equals min/max at 100 and clips an outlier below 100', () => {
    const x = tf.tensor([...Array.from({ length: 99 }, (_, i) => i / 98), 1000]);
    expect(calibratePercentile(x, { percentile: 100 })).toEqual(calibrateMinMax(x));
    const [, hi] = calibratePercentile(x, { percentile: 98 });
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('works per channel', () => {
    // Columns: [0, 1, 2, 3, 4] and [0, -10, -20, -30, -40].
    const x = tf.tensor2d([0, 1, 2, 3, 4].map((v) => [v, -10 * v]));
    const ranges = calibratePercentile(x, { percentile: 75, axis: 1 });
    expect(ranges).toEqual([
      [1, 3],
      [-30, -10],
    ]);
  });

  it('rejects bad percentiles, options and data', () => {
    const x = tf.tensor([1, 2]);
    for (const percentile of [49, 100.5, NaN, '90']) {
      expect(() => calibratePercentile(x, { percentile } as never)).toThrow(LowbitConfigError);
    }
    expect(() => calibratePercentile(x, {} as never)).toThrow(/percentile = undefined/);
    expect(() => calibratePercentile(x, undefined as never)).toThrow(LowbitConfigError);
    expect(() => calibratePercentile(x, { percentile: 90, axis: 3 })).toThrow(LowbitConfigError);
    expect(() => calibratePercentile(tf.tensor([Infinity]), { percentile: 90 })).toThrow(LowbitDataError);
  });
});
