import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, randn, runOurs, runStock } from '../test-util.js';

const cases: {
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
}[] = [
  { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [1, 7, 7, 2], filterSize: 3, strides: 1, pad: 'same' }, // overlapping windows
  { x: [2, 9, 6, 1], filterSize: [3, 2], strides: [2, 1], pad: 'same' },
  { x: [1, 6, 6, 2], filterSize: 3, strides: 2, pad: 1 },
  { x: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: 'valid' }, // 2x2 fast path, odd sizes
  { x: [1, 5, 5, 2], filterSize: 2, strides: 2, pad: 'same' }, // 2x2 with padding: general path
];

describe('MaxPoolGrad cpu replacement', () => {
  for (const c of cases) {
    it(`matches the stock cpu kernel: x ${c.x}, window ${c.filterSize}, strides ${c.strides}, pad ${c.pad}`, () => {
      const x = randn(c.x, 1) as tf.Tensor4D;
      const y = tf.maxPool(x, c.filterSize, c.strides, c.pad);
      const dy = randn(y.shape, 2);
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      const expected = runStock(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs);
      const ours = runOurs(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs);
      expect(ours.shape).toEqual(c.x);
      expectClose(ours.values, expected, 9);
      tf.dispose([x, y, dy]);
    });
  }

  it('sends a tied window (all zeros after ReLU) to its first maximum only, like the stock kernel', () => {
    const x = tf.tensor4d([0, 0, 0, 0, 0, 0, 2, 2], [1, 2, 4, 1]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.tensor4d([10, 20], [1, 1, 2, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const ours = runOurs(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs).values;
    expect(Array.from(ours)).toEqual([10, 0, 0, 0, 0, 0, 20, 0]);
    expect(Array.from(runStock(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs))).toEqual(Array.from(ours));
    tf.dispose([x, y, dy]);
  });
});
