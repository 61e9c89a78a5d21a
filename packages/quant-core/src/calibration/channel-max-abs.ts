/**
 * Per-channel max-abs statistics over the last (channel) axis, for symmetric per-channel scales
 * (DQA's `delta_N = max|A| / 2^(N-1)`, per-channel weight scales), accumulated over batches.
 *
 * ```ts
 * const maxAbs = channelMaxAbs(Float32Array.of(1, -3, -2, 0.5), 2); // Float64Array [2, 3]
 * const acc = new ChannelMaxAbs(2); acc.update(values); acc.result();
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { checkInteger } from '../validate.js';

/** Max |value| of each channel of channels-last data (`values.length` a multiple of `channels`). */
export function channelMaxAbs(values: ArrayLike<number>, channels: number): Float64Array {
  const acc = new ChannelMaxAbs(channels);
  acc.update(values);
  return acc.result();
}

/** Running per-channel max |value|, for calibration over several batches. */
export class ChannelMaxAbs {
  readonly channels: number;
  private readonly max: Float64Array;

  constructor(channels: number) {
    this.channels = checkInteger('channels', channels, 1, 2 ** 31 - 1);
    this.max = new Float64Array(this.channels);
  }

  /** Adds a batch: a tensor whose last axis is the channel axis, or its flat channels-last values. */
  update(batch: tf.Tensor | ArrayLike<number>): void {
    let values: ArrayLike<number>;
    if (batch instanceof tf.Tensor) {
      const last = batch.shape[batch.rank - 1];
      if (batch.rank < 1 || last !== this.channels) {
        throw new LowbitConfigError('batch', batch, `expected a tensor whose last axis has ${this.channels} channels`);
      }
      values = batch.dataSync() as Float32Array;
    } else if (Array.isArray(batch) || (ArrayBuffer.isView(batch) && !(batch instanceof DataView))) {
      values = batch;
    } else {
      throw new LowbitConfigError('batch', batch, 'expected a tf.Tensor or an array of channels-last values');
    }
    const c = this.channels;
    if (values.length % c !== 0) {
      throw new LowbitConfigError('values.length', values.length, `expected a multiple of ${c} channels`);
    }
    const max = this.max;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (Number.isNaN(a)) throw new LowbitDataError('ChannelMaxAbs', `value at index ${i} is NaN`);
      const ch = i % c;
      if (a > max[ch]) max[ch] = a;
    }
  }

  /** A copy of the per-channel maxima so far. */
  result(): Float64Array {
    return Float64Array.from(this.max);
  }
}
