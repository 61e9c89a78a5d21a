import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { im2colCodes } from './log-accumulate-product.js';

describe('im2colCodes', () => {
  const cases = [
    { strides: [1, 1], dilations: [1, 1], pad: 'same' },
    { strides: [2, 1], dilations: [1, 1], pad: 'valid' },
    { strides: [1, 1], dilations: [2, 2], pad: 'same' },
    { strides: [1, 1], dilations: [1, 2], pad: 'valid' },
  ] as const;
  for (const c of cases) {
    it(`patches times the filter equal tf.conv2d (${JSON.stringify(c)})`, () => {
      const shape = [2, 6, 7, 3];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Int32Array.from({ length: n }, (_, i) => ((i * 7) % 11) - 5);
      const f = Int32Array.from({ length: 3 * 2 * 3 * 2 }, (_, i) => ((i * 5) % 7) - 3);
      const p = im2colCodes(x, shape, { fh: 3, fw: 2, c0: 0, channels: 3 }, c.strides, c.dilations, c.pad);
      const got = tf.tidy(() =>
        tf.matMul(
          tf.tensor2d(Float32Array.from(p.codes), [p.rows, p.columns]),
          tf.tensor2d(Float32Array.from(f), [18, 2]),
        ),
      );
      const want = tf.tidy(() =>
        tf.conv2d(
          tf.tensor4d(Float32Array.from(x), shape as never),
          tf.tensor4d(Float32Array.from(f), [3, 2, 3, 2]),
          c.strides as never,
          c.pad,
          'NHWC',
          c.dilations as never,
        ),
      );
      expect([2, p.outH, p.outW, 2]).toEqual(want.shape);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([got, want]);
    });
  }

  it('takes a channel range (depthwise: one channel at a time)', () => {
    const x = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [1, 2, 2, 2]
    const p = im2colCodes(x, [1, 2, 2, 2], { fh: 2, fw: 2, c0: 1, channels: 1 }, [1, 1], [1, 1], 'valid');
    expect(Array.from(p.codes)).toEqual([2, 4, 6, 8]);
  });
});
