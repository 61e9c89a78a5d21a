import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { clipSte, floorSte, passInRange, roundSte, signSte, straightThrough } from './ste.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('STE ops', () => {
  it('roundSte rounds half to even and passes the gradient through', () => {
    const x = tf.tensor([-1.5, -0.5, 0.4, 0.5, 1.5, 2.5]);
    expect(values(roundSte(x))).toEqual([-2, 0, 0, 0, 2, 2]);
    const dy = tf.tensor([1, 2, 3, 4, 5, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(roundSte(t), dy)))(x);
    expect(values(g)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('floorSte floors and passes the gradient through', () => {
    const x = tf.tensor([-0.5, 0.5, 1.9]);
    expect(values(floorSte(x))).toEqual([-1, 0, 1]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(floorSte(t)))(x))).toEqual([1, 1, 1]);
  });

  it('clipSte clips and masks the gradient outside the range (bounds included)', () => {
    const x = tf.tensor([-2, -1, 0.3, 1, 3]);
    expect(values(clipSte(x, -1, 1))).toEqual([-1, -1, 0.30000001192092896, 1, 1]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(clipSte(t, -1, 1)))(x))).toEqual([0, 1, 1, 1, 0]);
  });

  it('passInRange keeps dy inside [lo, hi] (bounds included), 0 outside and for NaN x', () => {
    const x = tf.tensor([-2, -1, 0.3, 1, 3, NaN]);
    const dy = tf.tensor([1, 2, -3, 4, 5, 6]);
    expect(values(passInRange(dy, x, -1, 1))).toEqual([0, 2, -3, 4, 0, 0]);
    // The same as the five-op form it replaces, on random values
    const xr = tf.randomNormal([500], 0, 2, 'float32', 3);
    const dyr = tf.randomNormal([500], 0, 1, 'float32', 4);
    const reference = tf.where(tf.logicalAnd(tf.greaterEqual(xr, -1.5), tf.lessEqual(xr, 0.5)), dyr, tf.zerosLike(dyr));
    const plusZero = (v: number[]) => v.map((e) => e + 0); // a masked-out negative dy is -0 here
    expect(plusZero(values(passInRange(dyr, xr, -1.5, 0.5)))).toEqual(values(reference));
  });

  it('passInRange takes per-channel bounds as tensors that broadcast against x', () => {
    const x = tf.tensor([
      [0.5, 0.5],
      [2, 2],
      [-3, -0.5],
    ]);
    const dy = tf.ones([3, 2]);
    const lo = tf.tensor([[-1, 0]]);
    const hi = tf.tensor([[1, 3]]);
    expect(values(passInRange(dy, x, lo, hi))).toEqual([1, 1, 0, 1, 0, 0]);
  });

  it('passInRange names the bad argument: non-tensors, int32, mismatched dy, NaN or crossed bounds', () => {
    const x = tf.tensor([0.5, 2]);
    expect(() => passInRange(null as unknown as tf.Tensor, x, 0, 1)).toThrow(/dy.*expected a tf.Tensor/);
    expect(() => passInRange(x, tf.tensor([1, 2], undefined, 'int32'), 0, 1)).toThrow(/x\.dtype.*float32/);
    expect(() => passInRange(tf.tensor([1]), x, 0, 1)).toThrow(/dy\.shape.*shape of x/);
    expect(() => passInRange(x, x, NaN, 1)).toThrow(/lo.*number/);
    expect(() => passInRange(x, x, 1, 0)).toThrow(/hi.*hi >= lo/);
    expect(() => passInRange(x, x, tf.tensor([0]), NaN)).toThrow(/hi.*number or a float32 tensor/);
    expect(() => passInRange(x, x, {} as unknown as tf.Tensor, 1)).toThrow(/lo.*expected a tf.Tensor/);
  });

  it('signSte maps 0 to +1 and uses the clipped straight-through gradient', () => {
    const x = tf.tensor([-3, -0.5, 0, 0.7, 1, 2]);
    expect(values(signSte(x))).toEqual([-1, -1, 1, 1, 1, 1]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(signSte(t)))(x))).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('straightThrough keeps the custom gradient when forward returns its input', () => {
    const x = tf.tensor([1, 2]);
    const g = tf.grad((t: tf.Tensor) =>
      tf.sum(
        tf.mul(
          straightThrough(t, (u) => u),
          3,
        ),
      ),
    )(x);
    expect(values(g)).toEqual([3, 3]);
  });

  it('leaks no tensors across repeated forward and backward passes', () => {
    const x = tf.randomNormal([64]);
    const step = () => {
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.addN([clipSte(roundSte(tf.mul(t, 4)), -3, 3), signSte(t), floorSte(t)])),
      )(x);
      g.dispose();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
