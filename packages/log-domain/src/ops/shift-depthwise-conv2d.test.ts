import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { randomCodes, unitValues } from '../testing/codes.test-util.js';
import { shiftDepthwiseConv2d } from './shift-depthwise-conv2d.js';

describe('shiftDepthwiseConv2d', () => {
  it('equals tf.depthwiseConv2d on the values, with per-output-channel scales', () => {
    const x = randomCodes([2, 6, 5, 3], 5, 31);
    const f = randomCodes([3, 3, 3, 2], 5, 32);
    const scale = [1, 0.5, 0.25, 2, 1, 4];
    const options: { strides: number; dilations: number; pad: 'same' | 'valid' }[] = [
      { strides: 1, dilations: 1, pad: 'same' },
      { strides: 2, dilations: 1, pad: 'valid' },
      { strides: 1, dilations: 2, pad: 'same' },
    ];
    for (const o of options) {
      const y = shiftDepthwiseConv2d(x, f, { xKind: 'pow2', filterKind: 'int', scale, ...o });
      const want = tf.tidy(() => {
        const xv = tf.tensor(
          Array.from(unitValues(x.dataSync(), 'pow2')),
          x.shape as [number, number, number, number],
        ) as tf.Tensor4D;
        const fv = tf.tensor(
          Array.from(unitValues(f.dataSync(), 'int')),
          f.shape as [number, number, number, number],
        ) as tf.Tensor4D;
        return tf.mul(tf.depthwiseConv2d(xv, fv, o.strides, o.pad, 'NHWC', o.dilations), tf.tensor1d(scale));
      });
      expect(y.shape).toEqual(want.shape);
      expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([y, want]);
    }
    tf.dispose([x, f]);
  });

  it('does not leak and rejects mismatched channels and scales', () => {
    const x = randomCodes([1, 4, 4, 2], 3, 1);
    const f = randomCodes([2, 2, 2, 2], 3, 2);
    const before = tf.memory().numTensors;
    tf.dispose(shiftDepthwiseConv2d(x, f, { xKind: 'pow2', filterKind: 'pow2' }));
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      shiftDepthwiseConv2d(x, randomCodes([2, 2, 3, 1], 3, 3), { xKind: 'pow2', filterKind: 'pow2' }),
    ).toThrow(/input channels/);
    expect(() => shiftDepthwiseConv2d(x, f, { xKind: 'pow2', filterKind: 'pow2', scale: [1, 2] })).toThrow(
      LowbitConfigError,
    );
    tf.dispose([x, f]);
  });
});
