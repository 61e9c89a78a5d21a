/**
 * The input check every lowbit layer runs at the top of `call`: a typed error naming the layer,
 * the tensor's shape or dtype and what the layer accepts, instead of an untyped tfjs error deep in
 * a kernel (or a silent broadcast). NaN values propagate as in tfjs (checking them would read the
 * tensor back on every call); quantizers map NaN to NaN.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';

export interface LayerInputSpec {
  /** Exact rank required. */
  rank?: number;
  /** Smallest rank accepted. */
  minRank?: number;
  /** Axis holding the channels (checked against `channels` when both are known). */
  channelAxis?: number;
  /** Channel count the layer was built for; null before build. */
  channels?: number | null;
}

export function checkLayerInput(layerName: string, x: tf.Tensor, spec: LayerInputSpec): void {
  const argument = `${layerName}.inputs`;
  if (x === null || typeof x !== 'object' || !Array.isArray((x as { shape?: unknown }).shape)) {
    throw new LowbitConfigError(argument, x, 'expected a tf.Tensor');
  }
  if (x.dtype !== 'float32')
    throw new LowbitConfigError(
      `${argument}.dtype`,
      x.dtype,
      'expected a float32 tensor (cast integer data with tf.cast first)',
    );
  if (spec.rank !== undefined && x.rank !== spec.rank) {
    throw new LowbitConfigError(`${argument}.shape`, x.shape, `expected rank ${spec.rank}, got rank ${x.rank}`);
  }
  if (spec.minRank !== undefined && x.rank < spec.minRank) {
    throw new LowbitConfigError(`${argument}.shape`, x.shape, `expected rank >= ${spec.minRank}, got rank ${x.rank}`);
  }
  if (x.size === 0) throw new LowbitConfigError(`${argument}.shape`, x.shape, 'expected a non-empty tensor');
  if (spec.channelAxis !== undefined && spec.channels != null) {
    const got = x.shape[spec.channelAxis];
    if (got !== spec.channels) {
      throw new LowbitConfigError(
        `${argument}.shape`,
        x.shape,
        `expected ${spec.channels} channels on axis ${spec.channelAxis}, got ${got}`,
      );
    }
  }
}
