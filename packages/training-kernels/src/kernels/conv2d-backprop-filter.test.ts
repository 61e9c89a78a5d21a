import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterComposed } from './conv2d-backprop-filter.js';
import { expectClose, randn, runOurs, runStock } from '../test-util.js';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];
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
  { x: [3, 10, 10, 1], f: [5, 5], co: 2, strides: [2, 3], pad: 'valid' },
  { x: [1, 8, 8, 2], f: [4, 4], co: 3, strides: 2, pad: 'same' }, // uneven SAME padding
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

describe('Conv2DBackpropFilter replacement', () => {
  for (const c of cases) {
    const label = `x ${c.x}, filter ${c.f}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}`;
    it(`matches the stock cpu kernel: ${label}`, () => {
      const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.co];
      const x = randn(c.x, 1) as tf.Tensor4D;
      const dyShape = tf.tidy(
        () => tf.conv2d(x, tf.zeros(filterShape) as tf.Tensor4D, c.strides, c.pad as never, 'NHWC', 1, c.round).shape,
      );
      const dy = randn(dyShape, 2) as tf.Tensor4D;
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC' as const,
        dimRoundingMode: c.round,
        filterShape,
      };
      const expected = runStock(tf.Conv2DBackpropFilter, { x, dy }, attrs);
      const terms = c.x[0] * dyShape[1] * dyShape[2];
      // the cpu JS-loop kernel, through the registry
      const loop = runOurs(tf.Conv2DBackpropFilter, { x, dy }, attrs);
      expect(loop.shape).toEqual(filterShape);
      expectClose(loop.values, expected, terms);
      // the composed kernel (the one wasm runs)
      const composed = tf.tidy(() => conv2dBackpropFilterComposed(x, dy, attrs));
      expect(composed.shape).toEqual(filterShape);
      expectClose(composed.dataSync(), expected, terms);
      tf.dispose([x, dy, composed]);
    });
  }

  it('handles NCHW input through the composed path', () => {
    const x = randn([2, 3, 6, 6], 3) as tf.Tensor4D; // NCHW
    const dy = randn([2, 4, 3, 3], 4) as tf.Tensor4D;
    const attrs = {
      strides: 2,
      pad: 'same' as const,
      dataFormat: 'NCHW' as const,
      filterShape: [3, 3, 3, 4] as [number, number, number, number],
    };
    const xNhwc = tf.transpose(x, [0, 2, 3, 1]);
    const dyNhwc = tf.transpose(dy, [0, 2, 3, 1]);
    const expected = runStock(tf.Conv2DBackpropFilter, { x: xNhwc, dy: dyNhwc }, { ...attrs, dataFormat: 'NHWC' });
    expectClose(runOurs(tf.Conv2DBackpropFilter, { x, dy }, attrs).values, expected, 18);
    tf.dispose([x, dy, xNhwc, dyNhwc]);
  });

  it('leaks no tensors and leaves its inputs alive', () => {
    const x = randn([2, 6, 6, 2], 5) as tf.Tensor4D;
    const dy = randn([2, 4, 4, 3], 6) as tf.Tensor4D;
    const attrs = {
      strides: 1,
      pad: 'valid' as const,
      dataFormat: 'NHWC' as const,
      filterShape: [3, 3, 2, 3] as [number, number, number, number],
    };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      runOurs(tf.Conv2DBackpropFilter, { x, dy }, attrs);
      tf.tidy(() => conv2dBackpropFilterComposed(x, dy, attrs)).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed || dy.isDisposed).toBe(false);
    expect(x.dataSync().length).toBe(144);
    tf.dispose([x, dy]);
  });
});
