import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { depthwiseBackpropFilterComposed } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputComposed } from './depthwise-backprop-input.js';
import { expectClose, randn, runStock } from '../test-util.js';

type Pad = tf.DepthwiseConv2dNativeBackpropFilterAttrs['pad'];
// tfjs allows strides > 1 or dilations > 1, not both.
const cases: {
  x: [number, number, number, number];
  f: [number, number];
  m: number;
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
}[] = [
  { x: [2, 7, 7, 3], f: [3, 3], m: 1, strides: 1, dilations: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], f: [3, 3], m: 2, strides: 1, dilations: 1, pad: 'same' },
  { x: [1, 9, 8, 2], f: [3, 2], m: 3, strides: 2, dilations: 1, pad: 'same' },
  { x: [2, 10, 9, 2], f: [3, 3], m: 2, strides: 1, dilations: 2, pad: 'same' },
  { x: [1, 11, 11, 1], f: [2, 3], m: 1, strides: 1, dilations: [2, 3], pad: 'valid' },
  { x: [1, 8, 8, 2], f: [3, 3], m: 1, strides: [2, 3], dilations: 1, pad: 1 },
];

/**
 * The stock cpu backprop kernels ignore dilations (tfjs has no gradient for dilated depthwise
 * convolutions), so dilated cases are checked against the stock kernels run on the equivalent
 * undilated convolution: the filter spread out with zeros between its taps.
 */
function dilate(filter: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, c, m] = filter.shape;
    const spread = tf.pad(tf.reshape(filter, [fh, 1, fw, 1, c, m]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ]);
    return tf.slice(
      tf.reshape(spread, [fh * dh, fw * dw, c, m]),
      [0, 0, 0, 0],
      [(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m],
    ) as tf.Tensor4D;
  });
}
const pairOf = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

describe('DepthwiseConv2dNative backprop replacements (composed; registered on wasm)', () => {
  for (const c of cases) {
    const label = `x ${c.x}, filter ${c.f}x${c.m}, strides ${c.strides}, dilations ${c.dilations}, pad ${c.pad}`;
    const filterShape: [number, number, number, number] = [c.f[0], c.f[1], c.x[3], c.m];
    const setup = () => {
      const x = randn(c.x, 1) as tf.Tensor4D;
      const filter = randn(filterShape, 2) as tf.Tensor4D;
      const dyShape = tf.tidy(
        () => tf.depthwiseConv2d(x, filter, c.strides, c.pad as never, 'NHWC', c.dilations).shape,
      );
      const dy = randn(dyShape, 3) as tf.Tensor4D;
      return { x, filter, dy, dyShape };
    };

    it(`filter gradient matches the stock cpu kernel: ${label}`, () => {
      const { x, filter, dy, dyShape } = setup();
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape };
      const [dh, dw] = pairOf(c.dilations);
      const wide = dilate(filter, [dh, dw]);
      const wideGrad = tf.tensor(
        runStock(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x, dy },
          { ...attrs, dilations: 1, filterShape: wide.shape },
        ),
        wide.shape,
      );
      const expected = tf.stridedSlice(wideGrad, [0, 0, 0, 0], wide.shape, [dh, dw, 1, 1]).dataSync();
      tf.dispose([wide, wideGrad]);
      const ours = tf.tidy(() => depthwiseBackpropFilterComposed(x, dy, attrs));
      expect(ours.shape).toEqual(filterShape);
      expectClose(ours.dataSync(), expected, dyShape[0] * dyShape[1] * dyShape[2]);
      tf.dispose([x, filter, dy, ours]);
    });

    it(`input gradient matches the stock cpu kernel: ${label}`, () => {
      const { x, filter, dy } = setup();
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x };
      const wide = dilate(filter, pairOf(c.dilations));
      const expected = runStock(
        tf.DepthwiseConv2dNativeBackpropInput,
        { dy, filter: wide },
        { ...attrs, dilations: 1 },
      );
      wide.dispose();
      const ours = tf.tidy(() => depthwiseBackpropInputComposed(dy, filter, attrs));
      expect(ours.shape).toEqual(c.x);
      expectClose(ours.dataSync(), expected, c.f[0] * c.f[1] * c.m);
      tf.dispose([x, filter, dy, ours]);
    });
  }
});
