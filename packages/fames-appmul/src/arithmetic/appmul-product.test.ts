import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { QuantizedTensor, type ConvGeometry } from '@lowbit/quant-core';
import { exactMultiplier } from '../families/exact.js';
import { appMulProduct } from './appmul-product.js';

function rng(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Codes in [lo, hi] as a QuantizedTensor. */
function codes(
  shape: number[],
  lo: number,
  hi: number,
  seed: number,
  scale: number[] = [0.5],
  axis?: number,
): QuantizedTensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
  return new QuantizedTensor({
    codes: values,
    shape,
    bits: 4,
    signed: lo < 0,
    scale,
    ...(axis === undefined ? {} : { axis }),
  });
}

const exact = exactMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true } });

describe('appMulProduct', () => {
  it('with the exact table: the exact product of the codes times the scales, every operation and format', () => {
    const before = tf.memory().numTensors;
    const geometry = (dataFormat: ConvGeometry['dataFormat']): ConvGeometry => ({
      strides: [2, 1],
      padding: 'same',
      dataFormat,
      dilationRate: [1, 1],
    });
    for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
      for (const operation of ['conv2d', 'depthwise-conv2d'] as const) {
        const nhwc = [2, 5, 4, 3];
        const shape = dataFormat === 'channelsLast' ? nhwc : [2, 3, 5, 4];
        const input = codes(shape, 0, 15, 1, [0.25]);
        const kernel = codes([3, 2, 3, 2], -8, 7, 2, [1, 2], 3);
        const y = appMulProduct(
          'l',
          input,
          kernel,
          exact,
          { operation, geometry: geometry(dataFormat), inputShape: shape },
          'lut',
        );
        const reference = tf.tidy(() => {
          let x = tf.tensor4d(Float32Array.from(input.codes), shape as [number, number, number, number]);
          if (dataFormat === 'channelsFirst') x = tf.transpose(x, [0, 2, 3, 1]);
          const w = tf.tensor4d(Float32Array.from(kernel.codes), [3, 2, 3, 2]);
          const sums =
            operation === 'conv2d' ? tf.conv2d(x, w, [2, 1], 'same') : tf.depthwiseConv2d(x, w, [2, 1], 'same');
          const scale = operation === 'conv2d' ? [0.25, 0.5] : [0.25, 0.5, 0.25, 0.5, 0.25, 0.5];
          const out = tf.mul(sums, tf.tensor1d(scale));
          return dataFormat === 'channelsFirst' ? tf.transpose(out, [0, 3, 1, 2]) : out;
        });
        expect(y.shape).toEqual(reference.shape);
        expect(Array.from(y.dataSync())).toEqual(Array.from(reference.dataSync()));
        tf.dispose([y, reference]);
      }
    }
    const input = codes([2, 3, 6], 0, 15, 3, [0.125]);
    const kernel = codes([6, 4], -8, 7, 4, [0.5]);
    const y = appMulProduct(
      'l',
      input,
      kernel,
      exact,
      { operation: 'dense', geometry: null, inputShape: [2, 3, 6] },
      'low-rank',
    );
    const reference = tf.tidy(() => {
      const sums = tf.matMul(
        tf.tensor2d(Float32Array.from(input.codes), [6, 6]),
        tf.tensor2d(Float32Array.from(kernel.codes), [6, 4]),
      );
      return tf.reshape(tf.mul(sums, 0.0625), [2, 3, 4]);
    });
    expect(Array.from(y.dataSync())).toEqual(Array.from(reference.dataSync()));
    tf.dispose([y, reference]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
