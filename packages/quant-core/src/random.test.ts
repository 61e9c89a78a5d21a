import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from './errors.js';
import { mix32, SeededRng, shuffledIndices, stochasticRound } from './random.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('SeededRng', () => {
  it('is a pure function of (seed, position): same stream across instances, resumable from its state', () => {
    const a = new SeededRng(7);
    const first = Array.from(a.uniform(10));
    expect(Array.from(new SeededRng(7).uniform(10))).toEqual(first);
    const b = new SeededRng(7);
    b.uniform(4);
    const resumed = new SeededRng(b.state.seed, b.state.counter);
    expect(Array.from(resumed.uniform(6))).toEqual(first.slice(4));
    expect(b.state).toEqual({ seed: 7, counter: 4 });
    expect(Array.from(new SeededRng(8).uniform(10))).not.toEqual(first);
  });

  it('draws in [0, 1) with a near-uniform histogram and no correlation between neighbours', () => {
    const u = new SeededRng(1).uniform(20000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const bins = new Array(10).fill(0);
    for (const v of u) bins[Math.floor(v * 10)]++;
    const chi2 = bins.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 at 9 degrees of freedom
    let corr = 0;
    for (let i = 1; i < u.length; i++) corr += (u[i] - 0.5) * (u[i - 1] - 0.5);
    expect(Math.abs(corr / (u.length - 1) / (1 / 12))).toBeLessThan(0.05);
  });

  it('mix32 is a bijection-style mixer: distinct inputs give distinct outputs, flipping one bit changes about half', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(mix32(i));
    expect(seen.size).toBe(5000);
    let flipped = 0;
    for (let i = 0; i < 1000; i++) flipped += (mix32(i) ^ mix32(i ^ 1)).toString(2).split('1').length - 1;
    expect(flipped / 1000).toBeGreaterThan(14);
    expect(flipped / 1000).toBeLessThan(18);
  });

  it('rejects bad seeds and counts', () => {
    for (const seed of [-1, 1.5, NaN, 2 ** 32]) expect(() => new SeededRng(seed)).toThrow(LowbitConfigError);
    expect(() => new SeededRng(0, -1)).toThrow(/counter = -1/);
    expect(() => new SeededRng(0).uniform(-1)).toThrow(/n = -1/);
  });
});

describe('stochasticRound', () => {
  it('rounds to floor or ceil, is unbiased on average, and is reproducible from the seed', () => {
    const x = tf.fill([4000], 0.3);
    const y = values(stochasticRound(x, new SeededRng(3)));
    expect(new Set(y)).toEqual(new Set([0, 1]));
    expect(y.reduce((a, b) => a + b, 0) / y.length).toBeCloseTo(0.3, 1);
    expect(values(stochasticRound(x, new SeededRng(3)))).toEqual(y);
    const z = values(stochasticRound(tf.tensor([-1.75, 2, -3]), new SeededRng(0)));
    expect([-2, -1]).toContain(z[0]);
    expect(z.slice(1)).toEqual([2, -3]); // integers stay put (u < 1)
  });

  it('passes the gradient straight through and leaks no tensors', () => {
    const rng = new SeededRng(5);
    const x = tf.tensor([0.2, 1.7, -0.4]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stochasticRound(t, rng), tf.tensor([1, 2, 3]))))(x);
    expect(values(g)).toEqual([1, 2, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.grad((t: tf.Tensor) => tf.sum(stochasticRound(t, rng)))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => stochasticRound(x, {} as never)).toThrow(/rng/);
  });
});

describe('shuffledIndices', () => {
  it('is a seeded permutation, the same for the same seed, and rejects a bad length', () => {
    const a = shuffledIndices(50, new SeededRng(3));
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(Array.from(shuffledIndices(50, new SeededRng(3)))).toEqual(Array.from(a));
    expect(Array.from(shuffledIndices(50, new SeededRng(4)))).not.toEqual(Array.from(a));
    expect(Array.from(shuffledIndices(0, new SeededRng(1)))).toEqual([]);
    expect(() => shuffledIndices(-1, new SeededRng(1))).toThrow(/n/);
    expect(() => shuffledIndices(2.5, new SeededRng(1))).toThrow(LowbitConfigError);
  });
});
