import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitQuantActivation } from '@lowbit/quant-core';
import { isWageErrorQuantizer, wageErrorQuantizer } from './activation.js';
import { errorQuantizerOp } from './error-quantizer.js';

/** The error errorQuantizerOp passes down when `e` arrives from above. */
function quantizeError(e: tf.Tensor, errorBits: number): tf.Tensor {
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(errorQuantizerOp(t, errorBits), e)))(tf.zerosLike(e));
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
    const q = quantizeError(
      tf.tensor2d([
        [4, -2],
        [0.01, 0.05],
      ]),
      4,
    );
    expect(plain(q)).toEqual([7 / 8, -4 / 8, 0, 0]);
  });

  it('leaves an all-zero error zero (no NaN)', () => {
    expect(plain(quantizeError(tf.zeros([3]), 8))).toEqual([0, 0, 0]);
  });

  it('rejects bad bit widths and inputs', () => {
    expect(() => errorQuantizerOp(tf.tensor([1]), 1)).toThrow(LowbitConfigError);
    expect(() => errorQuantizerOp(tf.tensor([1]), 17)).toThrow(/errorBits/);
    expect(() => errorQuantizerOp(tf.tensor([1], [1], 'int32'), 8)).toThrow(LowbitConfigError);
    expect(() => errorQuantizerOp(tf.tensor([1]), 3.5)).toThrow(/errorBits/);
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

  it('passes NaN through the forward pass (documented: it is the identity)', () => {
    expect(Array.from(errorQuantizerOp(tf.tensor([Number.NaN, 0.5]), 8).dataSync())).toEqual([Number.NaN, 0.5]);
  });
});

describe('wageErrorQuantizer (a quantActivation with Q_E only)', () => {
  it('passes values through, quantizes gradients, serializes and reports a float output', () => {
    const layer = wageErrorQuantizer({ errorBits: 4, name: 'qe' });
    expect(layer).toBeInstanceOf(LowbitQuantActivation);
    expect(isWageErrorQuantizer(layer)).toBe(true);
    const e = tf.tensor2d([
      [4, -2],
      [0.01, 0.05],
    ]);
    const x = tf.tensor2d([
      [1.7, -2.25],
      [0.3, 9],
    ]);
    expect(plain(layer.apply(x) as tf.Tensor)).toEqual(plain(x));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, e)))(x);
    expect(plain(g)).toEqual([7 / 8, -4 / 8, 0, 0]);
    const config = layer.getConfig();
    expect(config.outputQuantizer).toEqual({
      className: 'LowbitWageActivationQuantizer',
      config: { bits: null, errorBits: 4, signed: true },
    });
    const back = tfl.layers.Layer.fromConfig(LowbitQuantActivation, config) as LowbitQuantActivation;
    expect(isWageErrorQuantizer(back)).toBe(true);
    expect(back.name).toBe('qe');
    expect(plain(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(back.apply(t) as tf.Tensor, e)))(x))).toEqual(plain(g));
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'float', bits: 32, signed: true } });
    expect(() => wageErrorQuantizer({ errorBits: 0 })).toThrow(LowbitConfigError);
    expect(() => wageErrorQuantizer({ errorBits: null as never })).toThrow(/errorBits/);
    expect(() => wageErrorQuantizer({ bits: 8 } as never)).toThrow(/bits/);
    expect(() => wageErrorQuantizer({ bitsE: 8 } as never)).toThrow(/renamed: use errorBits/);
  });
});
