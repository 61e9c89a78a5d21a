import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { ChannelMaxAbs, channelMaxAbs } from './channel-max-abs.js';

describe('per-channel max |A|', () => {
  it('takes the max magnitude over every axis but the last', () => {
    expect(Array.from(channelMaxAbs(Float32Array.of(1, -3, -2, 0.5), 2))).toEqual([2, 3]);
  });

  it('accumulates over batches, from tensors or arrays', () => {
    const acc = new ChannelMaxAbs(3);
    const t = tf.tensor3d([[[1, -5, 0]], [[-2, 1, 0]]]);
    acc.update(t);
    acc.update([0, 0, -0.5, 7, 0, 0]);
    expect(Array.from(acc.result())).toEqual([7, 5, 0.5]);
    t.dispose();
  });

  it('rejects a wrong channel count, ragged data and NaN', () => {
    const acc = new ChannelMaxAbs(3);
    const t = tf.zeros([2, 4]);
    expect(() => acc.update(t)).toThrow(LowbitConfigError);
    expect(() => acc.update([1, 2])).toThrow(/values.length = 2/);
    expect(() => acc.update([1, Number.NaN, 2])).toThrow(LowbitDataError);
    expect(() => new ChannelMaxAbs(0)).toThrow(/channels = 0/);
    t.dispose();
  });
});
