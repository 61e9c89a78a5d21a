import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitBinaryQuantizer } from './binary.js';
import { LowbitTernaryQuantizer } from './ternary.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('LowbitBinaryQuantizer', () => {
  it('sign forward (0 -> +1), clipped straight-through backward', () => {
    const q = new LowbitBinaryQuantizer();
    const x = tf.tensor([-3, -0.5, 0, 0.7, 1, 2]);
    expect(values(q.call(x))).toEqual([-1, -1, 1, 1, 1, 1]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(x))).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('scaled: sign * mean|x|, gradient scaled by the same constant', () => {
    const q = new LowbitBinaryQuantizer({ scaled: true });
    const x = tf.tensor([-3, 0.5, 0.5, 2]);
    expect(values(q.call(x))).toEqual([-1.5, 1.5, 1.5, 1.5]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(x))).toEqual([0, 1.5, 1.5, 0]);
  });

  it('precision, export, config round trip, errors', () => {
    expect(new LowbitBinaryQuantizer().precision()).toEqual({ kind: 'binary', bits: 1, signed: true });
    const x = tf.randomNormal([17], 0, 1, 'float32', 3);
    for (const q of [new LowbitBinaryQuantizer(), new LowbitBinaryQuantizer({ scaled: true })]) {
      const qt = q.quantize(x);
      expect(new Set(qt.codes)).toEqual(new Set([-1, 1]));
      expect(Array.from(qt.dequantize())).toEqual(values(q.call(x)));
      expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual(q.getConfig());
    }
    expect(getQuantizer('binary')).toBeInstanceOf(LowbitBinaryQuantizer);
    expect(() => new LowbitBinaryQuantizer({ scaled: 1 } as never)).toThrow(LowbitConfigError);
  });
});

describe('LowbitTernaryQuantizer', () => {
  it('TWN: threshold 0.7 mean|w|, alpha = mean of |w| above it', () => {
    const q = new LowbitTernaryQuantizer();
    // mean|w| = 0.5125, delta = 0.35875: kept -1 and 0.9, alpha = 0.95.
    const x = tf.tensor([-1, -0.1, 0.05, 0.9]);
    expect(values(q.call(x))).toEqual([-0.95, 0, 0, 0.95].map(Math.fround));
    const q2 = new LowbitTernaryQuantizer({ threshold: 0.1 }); // delta 0.05125: kept -1, -0.1, 0.9
    expect(values(q2.call(x))).toEqual([-2 / 3, -2 / 3, 0, 2 / 3].map(Math.fround));
    expect(values(q.call(tf.zeros([3])))).toEqual([0, 0, 0]);
  });

  it('identity gradient', () => {
    const q = new LowbitTernaryQuantizer();
    expect(
      values(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), tf.tensor([1, 2, 3]))))(tf.tensor([-5, 0.01, 3]))),
    ).toEqual([1, 2, 3]);
  });

  it('precision, export, config round trip, errors, no leaks', () => {
    const q = new LowbitTernaryQuantizer({ threshold: 0.5 });
    expect(q.precision()).toEqual({ kind: 'ternary', bits: 2, signed: true });
    const x = tf.randomNormal([25], 0, 1, 'float32', 6);
    const qt = q.quantize(x);
    expect(new Set(qt.codes)).toEqual(new Set([-1, 0, 1]));
    expect(Array.from(qt.dequantize())).toEqual(values(q.call(x)));
    expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual({ threshold: 0.5 });
    expect(getQuantizer('ternary')).toBeInstanceOf(LowbitTernaryQuantizer);
    for (const threshold of [0, -1, NaN, 11])
      expect(() => new LowbitTernaryQuantizer({ threshold })).toThrow(/threshold/);
    const step = () =>
      tf
        .grad((t: tf.Tensor) => tf.sum(q.call(t)))(x)
        .dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('magnitudes near the float32 maximum give a finite scale (the mean is taken without overflow)', () => {
    const q = new LowbitTernaryQuantizer();
    const x = tf.tensor([3.4e38, -3.4e38, 1e30, 0.5, 0]);
    const y = values(q.call(x));
    expect(y.every(Number.isFinite)).toBe(true);
    expect(y[0]).toBeCloseTo(3.4e38, -33);
    expect(y[1]).toBe(-y[0]!);
    expect(Array.from(q.quantize(x).dequantize())).toEqual(y);
    // Ordinary magnitudes keep the plain mean (unchanged values).
    expect(values(q.call(tf.tensor([-1, -0.1, 0.05, 0.9])))).toEqual([-0.949999988079071, 0, 0, 0.949999988079071]);
    x.dispose();
  });

  it('rejects bad call options', () => {
    const q = new LowbitTernaryQuantizer();
    const x = tf.tensor([1, -1]);
    expect(() => q.call(x, 'train' as never)).toThrow(LowbitConfigError);
    expect(() => q.call(x, { training: 'yes' } as never)).toThrow(/options.training = "yes"/);
    expect(values(q.call(x, null as never))).toEqual([1, -1]);
    x.dispose();
  });
});
