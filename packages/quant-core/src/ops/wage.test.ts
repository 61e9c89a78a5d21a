import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { SeededRng } from '../random.js';
import {
  shiftPow2,
  wageAlpha,
  wageClip,
  wageInitLimit,
  wageQ,
  wageQuantizeError,
  wageQuantizeGradient,
  wageSigma,
} from './wage.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('WAGE math', () => {
  it('sigma, clip and Q', () => {
    expect([1, 2, 3, 8].map(wageSigma)).toEqual([1, 0.5, 0.25, 1 / 128]);
    expect(values(wageClip(tf.tensor([-2, -0.5, 0.9]), 2))).toEqual([-0.5, -0.5, 0.5]);
    expect(values(wageQ(tf.tensor([0.1, 0.125, 0.375, -0.3]), 3))).toEqual([0, 0, 0.5, -0.25]); // 0.5, 1.5 -> even
    expect(() => wageSigma(0)).toThrow(LowbitConfigError);
    expect(() => wageSigma(2.5)).toThrow(/k = 2.5/);
  });

  it('shiftPow2 rounds to the nearest power of two in the log domain, guarding 0', () => {
    expect([0.3, 1, 5, 6, 0.7].map((v) => shiftPow2(v))).toEqual([0.25, 1, 4, 8, 0.5]);
    expect(shiftPow2(0)).toBe(1);
    expect(values(shiftPow2(tf.tensor([0.3, 0, 6, -2])))).toEqual([0.25, 1, 8, 1]);
    expect(() => shiftPow2(-1)).toThrow(/x = -1/);
    expect(() => shiftPow2(NaN)).toThrow(LowbitConfigError);
  });

  it('init limit and alpha follow the paper', () => {
    // k_W = 2: sigma 0.5, L_min = 0.75. fanIn 25*1: L0 = sqrt(3/25) = 0.3464 -> L = 0.75, alpha = Shift(2.165) = 2.
    expect(wageInitLimit(2, 25)).toBe(0.75);
    expect(wageAlpha(2, 25)).toBe(2);
    // fanIn 1: L0 = sqrt(3) > L_min -> alpha = max(Shift(1), 1) = 1.
    expect(wageAlpha(2, 1)).toBe(1);
    expect(() => wageInitLimit(2, 0)).toThrow(/fanIn = 0/);
  });

  it('error quantizer scales by Shift(max|e|) then quantizes to k_E bits; all-zero errors stay 0', () => {
    const e = tf.tensor([0.003, -0.0061, 0.0001]); // max 0.0061 -> Shift = 2^-7 = 0.0078125
    const q = values(wageQuantizeError(e, 4)); // sigma 1/8, clip to +-7/8
    const ref = [0.003, -0.0061, 0.0001].map((v) =>
      Math.max(-7 / 8, Math.min(7 / 8, Math.round((v / 0.0078125) * 8) / 8)),
    );
    expect(q).toEqual(ref);
    expect(values(wageQuantizeError(tf.zeros([3]), 8))).toEqual([0, 0, 0]);
  });

  it('gradient quantizer: multiples of sigma(k_G), unbiased stochastic rounding, reproducible', () => {
    const g = tf.fill([4000], 0.01);
    // max|g| = 0.01 -> Shift = 2^-7; x = 1.28; n = lr x = 0.32 with lr 0.25 -> floor 0 + Bernoulli(0.32).
    const dW = values(wageQuantizeGradient(g, 8, 0.25, new SeededRng(4)));
    const s = 1 / 128;
    expect(new Set(dW)).toEqual(new Set([0, s]));
    expect(dW.reduce((a, b) => a + b, 0) / dW.length / s).toBeCloseTo(0.32, 1);
    expect(values(wageQuantizeGradient(g, 8, 0.25, new SeededRng(4)))).toEqual(dW);
    const neg = values(wageQuantizeGradient(tf.tensor([-0.015625, 0.01]), 8, 1, new SeededRng(0)));
    expect(neg[0]).toBe(-s); // max = 2^-6 = its own Shift, so n = -1 exactly: floor 1 + Bernoulli(0)
    expect(() => wageQuantizeGradient(g, 8, 0, new SeededRng(0))).toThrow(/lr = 0/);
  });
});
