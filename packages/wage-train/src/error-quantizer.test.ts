import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { errorQuantizerOp, LowbitWageErrorQuantizer, wageErrorQuantizer } from './error-quantizer.js';

/** The error errorQuantizerOp passes down when `e` arrives from above. */
function quantizeError(e: tf.Tensor, bitsE: number): tf.Tensor {
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(errorQuantizerOp(t, bitsE), e)))(tf.zerosLike(e));
}

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0); // -0 -> 0

describe('quantizeError (Q_E)', () => {
  it('normalises by Shift(max|e|), clips and rounds to k_E bits (hand-computed)', () => {
    // max|e| = 0.3, Shift = 2^round(log2 0.3) = 2^-2; e / 0.25 = [1.2, -0.2, 0.004]
    // C(., 8) clips to +-(1 - 2^-7); Q(., 8) rounds to multiples of 2^-7: 127, -25.6 -> -26, 0.512 -> 1
    const q = quantizeError(tf.tensor([0.3, -0.05, 0.001]), 8);
    expect(plain(q)).toEqual([127 / 128, -26 / 128, 1 / 128]);
    // k_E = 2: grid 0.5, clip +-0.5: [1.2, -0.2, 0.004] -> [0.5, 0, 0]
    expect(plain(quantizeError(tf.tensor([0.3, -0.05, 0.001]), 2))).toEqual([0.5, 0, 0]);
  });

  it('takes the max over the whole tensor, batch included', () => {
    // max 4 -> Shift 4: row 2 is tiny relative to row 1 and rounds to 0 at 4 bits (grid 1/8)
    const q = quantizeError(tf.tensor2d([[4, -2], [0.01, 0.05]]), 4);
    expect(plain(q)).toEqual([7 / 8, -4 / 8, 0, 0]);
  });

  it('leaves an all-zero error zero (no NaN)', () => {
    expect(plain(quantizeError(tf.zeros([3]), 8))).toEqual([0, 0, 0]);
  });

  it('rejects bad bit widths and inputs', () => {
    expect(() => errorQuantizerOp(tf.tensor([1]), 1)).toThrow(LowbitConfigError);
    expect(() => errorQuantizerOp(tf.tensor([1]), 17)).toThrow(/bitsE/);
    expect(() => errorQuantizerOp(tf.tensor([1], [1], 'int32'), 8)).toThrow(LowbitConfigError);
    expect(() => errorQuantizerOp(tf.tensor([1]), 3.5)).toThrow(/bitsE/);
  });
});

describe('errorQuantizerOp', () => {
  it('is the identity forward and quantizes the error backward', () => {
    const x = tf.tensor([0.7, -1.3, 2]);
    expect(plain(errorQuantizerOp(x, 8))).toEqual(plain(x));
    const upstream = tf.tensor([0.3, -0.05, 0.001]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(errorQuantizerOp(t, 8), upstream)))(x);
    expect(plain(g)).toEqual([127 / 128, -26 / 128, 1 / 128]);
  });
});

describe('LowbitWageErrorQuantizer layer', () => {
  it('passes values through, quantizes gradients, serializes and reports precision', () => {
    const layer = wageErrorQuantizer({ bitsE: 4, name: 'qe' });
    const x = tf.tensor2d([[4, -2], [0.01, 0.05]]);
    expect(plain(layer.apply(x) as tf.Tensor)).toEqual(plain(x));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor2d([[4, -2], [0.01, 0.05]]))))(x);
    expect(plain(g)).toEqual([7 / 8, -4 / 8, 0, 0]);
    const config = layer.getConfig();
    expect(config.bitsE).toBe(4);
    const back = tfl.layers.Layer.fromConfig(LowbitWageErrorQuantizer, config) as LowbitWageErrorQuantizer;
    expect(back.bitsE).toBe(4);
    expect(back.name).toBe('qe');
    expect(layer.lowbitPrecision()).toEqual({});
    expect(() => wageErrorQuantizer({ bitsE: 0 })).toThrow(LowbitConfigError);
    expect(() => wageErrorQuantizer({ bits: 8 } as never)).toThrow(/bits/);
  });
});
