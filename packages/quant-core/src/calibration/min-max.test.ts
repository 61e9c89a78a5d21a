import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { calibrateMinMax } from './min-max.js';

describe('calibrateMinMax', () => {
  it('returns the range of the whole tensor', () => {
    const x = tf.tensor([
      [-1, 2],
      [3, -4],
    ]);
    expect(calibrateMinMax(x)).toEqual([-4, 3]);
    expect(calibrateMinMax(tf.tensor([5]))).toEqual([5, 5]);
    expect(calibrateMinMax(tf.tensor([1, 7, 3], [3], 'int32'))).toEqual([1, 7]);
  });

  it('returns one range per channel along axis (negative axes count from the end)', () => {
    // shape [2, 3, 2]: channel along axis 1 collects x[:, c, :].
    const x = tf.tensor3d([
      [
        [1, -2],
        [30, 4],
        [-5, 6],
      ],
      [
        [7, 8],
        [9, -10],
        [11, 120],
      ],
    ]);
    expect(calibrateMinMax(x, { axis: 1 })).toEqual([
      [-2, 8],
      [-10, 30],
      [-5, 120],
    ]);
    expect(calibrateMinMax(x, { axis: -1 })).toEqual([
      [-5, 30],
      [-10, 120],
    ]);
    expect(calibrateMinMax(x, { axis: 0 })).toEqual([
      [-5, 30],
      [-10, 120],
    ]);
    x.dispose();
  });

  it('rejects NaN and Inf with a LowbitDataError naming the index', () => {
    expect(() => calibrateMinMax(tf.tensor([1, NaN]))).toThrow(LowbitDataError);
    expect(() => calibrateMinMax(tf.tensor([1, 2, -Infinity]))).toThrow(/-Infinity at flat index 2/);
  });

  it('rejects empty data, bad axes, bad options and non-tensors', () => {
    expect(() => calibrateMinMax(tf.tensor([]))).toThrow(/no values/);
    expect(() => calibrateMinMax(tf.zeros([3, 0]), { axis: 0 })).toThrow(LowbitDataError);
    expect(() => calibrateMinMax(tf.zeros([2, 2]), { axis: 2 })).toThrow(/axis = 2 .*-2 to 1/);
    expect(() => calibrateMinMax(tf.zeros([2, 2]), { axis: 0.5 })).toThrow(LowbitConfigError);
    expect(() => calibrateMinMax(tf.scalar(1), { axis: 0 })).toThrow(/scalar has no channel axis/);
    expect(() => calibrateMinMax(tf.zeros([2]), { axsi: 0 } as never)).toThrow(/axsi/);
    expect(() => calibrateMinMax([1, 2] as never)).toThrow(/x = \[1, 2\] is invalid: expected a tf.Tensor/);
    expect(() => calibrateMinMax(tf.tensor(['a']) as never)).toThrow(/dtype/);
    expect(() => calibrateMinMax(tf.zeros([2]), null as never)).toThrow(LowbitConfigError);
  });

  it('creates no tensors', () => {
    const x = tf.tensor([1, 2, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) calibrateMinMax(x, { axis: 0 });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
