/**
 * Shared input handling of the calibration helpers: checks the tensor and the axis, reads the
 * values once, rejects non-finite data and splits the values per channel.
 *
 * ```ts
 * const channels = channelData('calibrateMinMax', x, -1); // one Float32Array per last-axis channel
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError } from '../errors.js';

/** A calibrated clipping range `[lo, hi]` with `lo <= hi`. */
export type CalibrationRange = [number, number];

/**
 * The values of `x`, one array per channel along `axis` (negative counts from the end), or a
 * single array when `axis` is undefined. Throws {@link LowbitConfigError} for a non-tensor or bad
 * axis, {@link LowbitDataError} for NaN/Inf or a channel without values.
 * @internal
 */
export function channelData(fn: string, x: unknown, axis: unknown): Float32Array[] {
  if (!(x instanceof tf.Tensor)) throw new LowbitConfigError(`${fn}: x`, x, 'expected a tf.Tensor');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new LowbitConfigError(`${fn}: x.dtype`, x.dtype, 'expected "float32" or "int32"');
  }
  const values = x.dataSync() as Float32Array | Int32Array;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new LowbitDataError(fn, `x holds ${values[i]} at flat index ${i}; calibration needs finite values`);
    }
  }
  if (axis === undefined) {
    if (values.length === 0)
      throw new LowbitDataError(fn, `x (shape [${x.shape.join(', ')}]) has no values to calibrate on`);
    return [Float32Array.from(values)];
  }
  const rank = x.rank;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new LowbitConfigError(
      `${fn}: axis`,
      axis,
      rank === 0
        ? 'a scalar has no channel axis: omit axis'
        : `expected an integer from ${-rank} to ${rank - 1} for a rank-${rank} tensor`,
    );
  }
  const a = axis < 0 ? axis + rank : axis;
  const channels = x.shape[a];
  const perChannel = channels === 0 ? 0 : values.length / channels;
  if (perChannel === 0) {
    throw new LowbitDataError(fn, `x (shape [${x.shape.join(', ')}]) has no values per channel along axis ${axis}`);
  }
  let inner = 1;
  for (let d = a + 1; d < rank; d++) inner *= x.shape[d];
  const out = Array.from({ length: channels }, () => new Float32Array(perChannel));
  const filled = new Int32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[c][filled[c]++] = values[i];
  }
  return out;
}
