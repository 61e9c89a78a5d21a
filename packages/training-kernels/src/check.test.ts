import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { checkGeometry } from './check.js';
import { conv2dBackpropFilterComposed, conv2dBackpropFilterLoop } from './kernels/conv2d-backprop-filter.js';
import { extractPatchesLoop } from './kernels/extract-patches.js';
import { geometry } from './kernels/patches.js';

describe('argument checks of the exported kernels', () => {
  it("accept every geometry tfjs computes for 'valid' and 'same' padding (strides, dilations, filters beyond the input)", () => {
    let checked = 0;
    for (const size of [1, 2, 5, 8])
      for (const taps of [1, 2, 3, 5, 7])
        for (const stride of [1, 2, 3])
          for (const dilation of [1, 2, 4])
            for (const pad of ['valid', 'same'] as const) {
              if (stride > 1 && dilation > 1) continue; // tfjs convolutions take one or the other
              const extent = (taps - 1) * dilation + 1;
              if (pad === 'valid' && extent > size) continue; // no output at all
              if ((taps - 1) * (dilation - 1) > 2 * size) continue; // the documented limit on dilation gaps
              const info = tf.backend_util.computeConv2DInfo(
                [2, size, size + 1, 3],
                [taps, taps, 3, 4],
                stride,
                dilation,
                pad,
              );
              expect(
                () => checkGeometry('g', geometry(info)),
                JSON.stringify({ size, taps, stride, dilation, pad }),
              ).not.toThrow();
              checked++;
            }
    expect(checked).toBe(137);
  });

  it('reject geometries whose taps or outputs miss the input, before allocating', () => {
    const info = tf.backend_util.computeConv2DInfo([1, 4, 4, 1], [3, 3, 1, 2], 1, 1, 'same');
    const g = geometry(info);
    const x = new Float32Array(16);
    const dy = new Float32Array(32);
    expect(Array.from(conv2dBackpropFilterLoop(x, dy, g, 2))).toEqual(new Array(18).fill(0));
    const bad = (patch: object, message: RegExp) =>
      expect(() => conv2dBackpropFilterLoop(x, dy, { ...g, ...patch }, 2)).toThrow(message);
    bad({ filterHeight: 1e9 }, /filterHeight = 1000000000 .*exceeds the input/);
    bad({ padTop: 3 }, /padHeight = 3 .*at most the filter extent - 1 \(2\)/);
    bad({ dilationWidth: 1e6 }, /dilationWidth .*span more than twice the input/);
    bad({ outHeight: 6 }, /outHeight = 6 .*expected at most 5/);
    bad({ batch: -1 }, /g\)\.batch = -1 .*integer >= 0/);
    bad({ extra: 1 }, /g\)\.extra = 1 .*unknown key/);
    expect(() => conv2dBackpropFilterLoop(x.subarray(1), dy, g, 2)).toThrow(/\(x\) = .*expected 16 values, got 15/);
    expect(() =>
      extractPatchesLoop(x, [1, 4, 4, 1], {
        kh: 3,
        kw: 3,
        strideH: 1,
        strideW: 1,
        padTop: 1,
        padLeft: 1,
        outH: 1e9,
        outW: 4,
      }),
    ).toThrow(LowbitConfigError);
  });

  it('reject tensors that do not fit the attrs, and leak nothing either way', () => {
    const x = tf.ones([2, 4, 4, 2]) as tf.Tensor4D;
    const dy = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
    const attrs = {
      strides: 1,
      pad: 'same' as const,
      dataFormat: 'NHWC' as const,
      filterShape: [3, 3, 2, 3] as [number, number, number, number],
    };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const dw = conv2dBackpropFilterComposed(x, dy, attrs);
      expect(dw.shape).toEqual([3, 3, 2, 3]);
      dw.dispose();
      expect(() => conv2dBackpropFilterComposed(x, dy, { ...attrs, filterShape: [3, 3, 1, 3] })).toThrow(
        /conv2dBackpropFilterComposed\(x\) = .*expected 1 channels/,
      );
      expect(() => conv2dBackpropFilterComposed(x, dy, { ...attrs, pad: 'full' as 'same' })).toThrow(/\(attrs\)\.pad/);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });
});
