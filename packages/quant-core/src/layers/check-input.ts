/**
 * The input check every lowbit layer runs at the top of `call`: a typed error naming the layer,
 * the tensor's shape or dtype and what the layer accepts, instead of an untyped tfjs error deep in
 * a kernel (or a silent broadcast). NaN values propagate as in tfjs (checking them would read the
 * tensor back on every call); quantizers map NaN to NaN.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { checkKnownKeys, checkObject, isTensorLike } from '../validate.js';

export interface LayerInputSpec {
  /** Exact rank required. */
  rank?: number;
  /** Smallest rank accepted. */
  minRank?: number;
  /** Axis holding the channels, negative counting from the end (checked against `channels` when both are known). */
  channelAxis?: number;
  /** Channel count the layer was built for; null before build. */
  channels?: number | null;
}

const SPEC_KEYS = ['rank', 'minRank', 'channelAxis', 'channels'];

export function checkLayerInput(layerName: string, x: tf.Tensor, spec: LayerInputSpec): void {
  if (typeof layerName !== 'string' || layerName.length === 0) {
    throw new LowbitConfigError('layerName', layerName, 'expected the layer name (a non-empty string)');
  }
  checkKnownKeys('spec', checkObject('spec', spec, '{ rank?, minRank?, channelAxis?, channels? }'), SPEC_KEYS);
  const argument = `${layerName}.inputs`;
  if (!isTensorLike(x)) throw new LowbitConfigError(argument, x, 'expected a tf.Tensor');
  if ((x as { isDisposed?: boolean }).isDisposed === true)
    throw new LowbitConfigError(argument, x, 'the tensor is disposed');
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
    const axis = spec.channelAxis < 0 ? x.rank + spec.channelAxis : spec.channelAxis;
    const got = x.shape[axis];
    if (got !== spec.channels) {
      throw new LowbitConfigError(
        `${argument}.shape`,
        x.shape,
        `expected ${spec.channels} channels on axis ${axis}, got ${got}`,
      );
    }
  }
}
