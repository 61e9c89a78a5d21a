/**
 * Min/max calibration: the range of the data, per tensor or per channel.
 *
 * ```ts
 * calibrateMinMax(tf.tensor([[-1, 2], [3, -4]]));             // [-4, 3]
 * calibrateMinMax(tf.tensor([[-1, 2], [3, -4]]), { axis: 1 }); // [[-1, 3], [-4, 2]]
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { checkKnownKeys } from '../validate.js';
import { type CalibrationRange, channelData } from './channel-data.js';

export interface MinMaxOptions {
  /** Channel axis (negative counts from the end): one range per channel. */
  axis?: number;
}

/** `[min(x), max(x)]`, or one such range per channel when `axis` is given. */
export function calibrateMinMax(x: tf.Tensor, options?: MinMaxOptions & { axis?: undefined }): CalibrationRange;
export function calibrateMinMax(x: tf.Tensor, options: MinMaxOptions & { axis: number }): CalibrationRange[];
export function calibrateMinMax(x: tf.Tensor, options: MinMaxOptions = {}): CalibrationRange | CalibrationRange[] {
  if (options === null || typeof options !== 'object') {
    throw new LowbitConfigError('calibrateMinMax: options', options, 'expected { axis? }');
  }
  checkKnownKeys('calibrateMinMax options', options, ['axis']);
  const ranges = channelData('calibrateMinMax', x, options.axis).map(minMaxOf);
  return options.axis === undefined ? ranges[0] : ranges;
}

/** @internal */
export function minMaxOf(values: Float32Array): CalibrationRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
