/**
 * Percentile calibration: clip the tails. `percentile: 99.9` gives the 0.1th and 99.9th
 * percentiles of the data as `[lo, hi]` (linear interpolation between order statistics, the
 * default of numpy.percentile); `percentile: 100` equals min/max.
 *
 * ```ts
 * const x = tf.range(0, 101);                       // 0, 1, ..., 100
 * calibratePercentile(x, { percentile: 99 });        // [1, 99]
 * calibratePercentile(w, { percentile: 99.9, axis: -1 }); // one range per output channel
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { checkFinite, checkKnownKeys } from '../validate.js';
import { type CalibrationRange, channelData } from './channel-data.js';

export interface PercentileOptions {
  /** Upper percentile in [50, 100]; the lower one is `100 - percentile`. */
  percentile: number;
  /** Channel axis (negative counts from the end): one range per channel. */
  axis?: number;
}

/** `[P(100 - p), P(p)]` of the data, or one such range per channel when `axis` is given. */
export function calibratePercentile(x: tf.Tensor, options: PercentileOptions & { axis?: undefined }): CalibrationRange;
export function calibratePercentile(x: tf.Tensor, options: PercentileOptions & { axis: number }): CalibrationRange[];
export function calibratePercentile(x: tf.Tensor, options: PercentileOptions): CalibrationRange | CalibrationRange[] {
  if (options === null || typeof options !== 'object') {
    throw new LowbitConfigError('calibratePercentile: options', options, 'expected { percentile, axis? }');
  }
  checkKnownKeys('calibratePercentile options', options, ['percentile', 'axis']);
  const p = checkFinite('calibratePercentile: percentile', options.percentile, { min: 50, max: 100 });
  const ranges = channelData('calibratePercentile', x, options.axis).map((values): CalibrationRange => {
    const sorted = values.slice().sort();
    // (100 - p) / 100 rather than 1 - p / 100: exact for whole percentiles like 99.
    return [quantileOfSorted(sorted, (100 - p) / 100), quantileOfSorted(sorted, p / 100)];
  });
  return options.axis === undefined ? ranges[0] : ranges;
}

/** The q-quantile (q in [0, 1]) of ascending `sorted`, interpolating linearly. @internal */
export function quantileOfSorted(sorted: Float32Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const below = Math.floor(pos);
  const above = Math.min(below + 1, sorted.length - 1);
  const frac = pos - below;
  return sorted[below] + frac * (sorted[above] - sorted[below]);
}
