import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropInputComposed } from './conv2d-backprop-input.js';
import { expectClose, randn, runStock } from '../test-util.js';

type Pad = tf.Conv2DBackpropInputAttrs['pad'];
const cases: {
  x: [number, number, number, number];
  f: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
  round?: 'floor' | 'ceil' | 'round';
}[] = [
  { x: [2, 7, 7, 3], f: [3, 3], co: 4, strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], f: [3, 3], co: 4, strides: 1, pad: 'same' },
  { x: [1, 9, 8, 2], f: [3, 2], co: 5, strides: 2, pad: 'same' },
  { x: [3, 10, 11, 1], f: [5, 5], co: 2, strides: [2, 3], pad: 'valid' }, // last rows/cols unused
  { x: [1, 8, 8, 2], f: [4, 4], co: 3, strides: 2, pad: 'same' },
  { x: [2, 6, 7, 2], f: [3, 3], co: 2, strides: 2, pad: 1, round: 'ceil' },
  {
    x: [1, 6, 6, 2],
    f: [2, 3],
    co: 3,
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('Conv2DBackpropInput replacement (composed; registered on wasm)', () => {
  for (const c of cases) {
    it(`matches the stock cpu kernel: x ${c.x}, filter ${c.f}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}`, () => {
      const filter = randn([c.f[0], c.f[1], c.x[3], c.co], 1) as tf.Tensor4D;
      const dyShape = tf.tidy(
        () => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, filter, c.strides, c.pad as never, 'NHWC', 1, c.round).shape,
      );
      const dy = randn(dyShape, 2) as tf.Tensor4D;
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC' as const,
        dimRoundingMode: c.round,
        inputShape: c.x,
      };
      const expected = runStock(tf.Conv2DBackpropInput, { dy, filter }, attrs);
      const ours = tf.tidy(() => conv2dBackpropInputComposed(dy, filter, attrs));
      expect(ours.shape).toEqual(c.x);
      expectClose(ours.dataSync(), expected, c.f[0] * c.f[1] * c.co);
      tf.dispose([filter, dy, ours]);
    });
  }

  it('handles NCHW', () => {
    const filter = randn([3, 3, 2, 4], 3) as tf.Tensor4D;
    const dy = randn([2, 4, 3, 3], 4) as tf.Tensor4D; // NCHW
    const inputShape: [number, number, number, number] = [2, 2, 6, 6];
    const expectedNhwc = runStock(
      tf.Conv2DBackpropInput,
      { dy: tf.transpose(dy, [0, 2, 3, 1]), filter },
      { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 6, 6, 2] },
    );
    const ours = tf.tidy(() =>
      tf.transpose(
        conv2dBackpropInputComposed(dy, filter, { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape }),
        [0, 2, 3, 1],
      ),
    );
    expectClose(ours.dataSync(), expectedNhwc, 36);
    tf.dispose([filter, dy, ours]);
  });
});
