import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core';
import { oneHotLabels, toLabeledImages } from './labeled-images.js';

describe('oneHotLabels', () => {
  it('makes float32 one-hot rows without leaking tensors', () => {
    const labels = tf.tensor1d([2, 0, 9], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const y = oneHotLabels(labels);
      expect(y.dtype).toBe('float32');
      expect(y.shape).toEqual([3, 10]);
      const rows = y.arraySync();
      expect(rows[0][2]).toBe(1);
      expect(rows[1][0]).toBe(1);
      expect(rows[2][9]).toBe(1);
      expect(rows.flat().reduce((a, b) => a + b, 0)).toBe(3);
      y.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    labels.dispose();
  });

  it('rejects float labels, wrong rank and a bad class count', () => {
    const f = tf.tensor1d([1, 2], 'float32');
    const m = tf.tensor2d([[1]], [1, 1], 'int32');
    const i = tf.tensor1d([1], 'int32');
    expect(() => oneHotLabels(f as tf.Tensor1D)).toThrow(LowbitConfigError);
    expect(() => oneHotLabels(m as unknown as tf.Tensor1D)).toThrow(/rank 1, got int32 of rank 2/);
    expect(() => oneHotLabels(i, 1)).toThrow(/numClasses = 1 is invalid/);
    tf.dispose([f, m, i]);
  });
});

describe('toLabeledImages', () => {
  it('takes the examples in the given order and scales bytes by 1/255', () => {
    const pixels = new Uint8Array(3 * 784);
    pixels.fill(255, 0, 784);
    pixels.fill(51, 2 * 784);
    const { images, labels, count } = toLabeledImages(pixels, [4, 5, 6], [2, 0], ['a']);
    expect(count).toBe(2);
    expect(Array.from(labels.dataSync())).toEqual([6, 4]);
    const px = images.dataSync();
    expect(px[0]).toBeCloseTo(0.2, 6);
    expect(px[784]).toBe(1);
    tf.dispose([images, labels]);
  });
});
