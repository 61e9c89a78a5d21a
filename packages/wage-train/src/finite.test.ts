import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { checkFiniteValues, checkNoNaN, firstNonFinite } from './finite.js';

describe('finite-value checks', () => {
  it('finds the first tensor holding NaN or Infinity, and leaks nothing', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor2d([0, Infinity], [1, 2]);
    const c = tf.tensor1d([Number.NaN]);
    const before = tf.memory().numTensors;
    expect(firstNonFinite([])).toBe(-1);
    expect(firstNonFinite([a, tf.zeros([0])])).toBe(-1);
    expect(firstNonFinite([a, b, c])).toBe(1);
    expect(firstNonFinite([a, c])).toBe(1);
    expect(tf.memory().numTensors).toBe(before + 1); // the zeros([0]) made above
  });

  it('throws LowbitDataError naming the source', () => {
    expect(() => checkFiniteValues('y', tf.tensor1d([1, Infinity]))).toThrow(LowbitDataError);
    expect(() => checkFiniteValues('y', tf.tensor1d([1, Infinity]))).toThrow(/^y: contains NaN or Infinity/);
    expect(() => checkFiniteValues('y', tf.tensor1d([1, 2]))).not.toThrow();
    expect(() => checkNoNaN('x', tf.tensor1d([Number.NaN]))).toThrow(/^x: contains NaN/);
    expect(() => checkNoNaN('x', tf.tensor1d([-Infinity, 3]))).not.toThrow();
  });
});
