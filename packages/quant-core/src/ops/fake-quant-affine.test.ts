import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { LowbitFakeQuantAffine } from '../kernels/fake-quant-affine-kernel.js';
import {
  fakeQuantAffine,
  fakeQuantAffineComposed,
  hasFusedFakeQuantAffine,
  quantizeAffine,
} from './fake-quant-affine.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Kernel names run by `f` (tf.profile lists every kernel executed). */
async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => f());
  (info.result as tf.Tensor).dispose();
  return info.kernels.map((k) => k.name);
}

describe('fakeQuantAffine', () => {
  it('computes (clip(round(x/s)+zp, qmin, qmax) - zp) * s with half-to-even rounding', () => {
    const x = tf.tensor([-1, -0.25, -0.05, 0, 0.05, 0.15, 0.26, 2]);
    // scale 0.1, zp 2, codes [0, 7]: representable values -0.2 .. 0.5.
    const y = fakeQuantAffine(x, { scale: 0.1, zeroPoint: 2, qmin: 0, qmax: 7 });
    const expected = [-0.2, -0.2, -0.0, 0, 0.0, 0.2, 0.3, 0.5].map((v) =>
      Math.fround(Math.fround(Math.round(v / 0.1)) * Math.fround(0.1)),
    );
    expect(values(y)).toEqual(expected.map((v) => (Object.is(v, -0) ? 0 : v)));
    // -0.05/0.1 = -0.5 -> 0 (even), 0.05/0.1 = 0.5 -> 0, 0.15/0.1 = 1.5 -> 2 (even).
  });

  it('dispatches to the fused kernel on cpu and to the composed ops otherwise', async () => {
    expect(hasFusedFakeQuantAffine()).toBe(true);
    const x = tf.tensor([0.3, -0.7]);
    const p = { scale: 0.25, qmin: -4, qmax: 3 };
    expect(await kernelsRun(() => fakeQuantAffine(x, p))).toEqual([LowbitFakeQuantAffine]);
    expect(await kernelsRun(() => fakeQuantAffineComposed(x, p))).not.toContain(LowbitFakeQuantAffine);
  });

  it('fused and composed values are bit-identical, per tensor and per channel', () => {
    const x = tf.mul(tf.randomNormal([3, 4, 5], 0, 2, 'float32', 7), 1);
    const cases = [
      { scale: 0.037, zeroPoint: 3, qmin: -8, qmax: 7 },
      { scale: 1 / 15, qmin: 0, qmax: 15 },
      { scale: [0.1, 0.2, 0.3, 0.4, 0.5], zeroPoint: [0, 1, -1, 2, 0], qmin: -8, qmax: 7, axis: -1 },
      { scale: [0.05, 0.5, 1.5], qmin: -127, qmax: 127, axis: 0 },
    ];
    for (const p of cases) {
      const fused = values(fakeQuantAffine(x, p));
      const composed = values(fakeQuantAffineComposed(x, p));
      expect(new Float32Array(fused)).toEqual(new Float32Array(composed));
    }
    // Exact ties and extreme values, where float32 rounding matters most.
    const ties = tf.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 1e30, -1e30, 3.4e38, 1e-40, NaN]);
    const p = { scale: 1, zeroPoint: 0, qmin: -2, qmax: 2 };
    expect(values(fakeQuantAffine(ties, p))).toEqual(values(fakeQuantAffineComposed(ties, p)));
  });

  it('masks the straight-through gradient to the representable range (both paths)', () => {
    const x = tf.tensor([
      [-1, -0.4, 0.1],
      [0.35, 0.36, 2],
    ]);
    const p = { scale: 0.1, zeroPoint: 1, qmin: -3, qmax: 4 }; // range [-0.4, 0.3] per tensor
    const dy = tf.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    for (const op of [fakeQuantAffine, fakeQuantAffineComposed]) {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t, p), dy)))(x);
      expect(values(g)).toEqual([0, 2, 3, 0, 0, 0]);
    }
    // Per channel along axis 1: ranges [-0.4, 0.4], [-0.8, 0.8], [-0.04, 0.04].
    const pc = { scale: [0.1, 0.2, 0.01], qmin: -4, qmax: 4, axis: 1 };
    for (const op of [fakeQuantAffine, fakeQuantAffineComposed]) {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t, pc), dy)))(x);
      expect(values(g)).toEqual([0, 2, 0, 4, 5, 0]);
    }
  });

  it('quantizeAffine exports codes whose dequantization equals the op bit for bit', () => {
    const x = tf.randomUniform([4, 6], -3, 3, 'float32', 11);
    const p = { scale: [0.11, 0.3, 0.07, 0.5], zeroPoint: [0, 3, -2, 1], qmin: -8, qmax: 7, axis: 0 };
    const q = quantizeAffine(x, p, { bits: 4, signed: true });
    expect(q.axis).toBe(0);
    expect(Math.min(...q.codes)).toBeGreaterThanOrEqual(-8);
    expect(Array.from(q.dequantize())).toEqual(values(fakeQuantAffine(x, p)));
  });

  it('rejects bad parameters with typed errors naming the argument', () => {
    const x = tf.zeros([2, 3]);
    const bad: [unknown, RegExp][] = [
      [{ scale: 0, qmin: 0, qmax: 3 }, /scale\[0\] = 0/],
      [{ scale: NaN, qmin: 0, qmax: 3 }, /scale\[0\] = NaN/],
      [{ scale: [], qmin: 0, qmax: 3 }, /scale/],
      [{ scale: 1, qmin: 3, qmax: 3 }, /qmax = 3/],
      [{ scale: 1, qmin: 0.5, qmax: 3 }, /qmin = 0.5/],
      [{ scale: 1, zeroPoint: 0.5, qmin: 0, qmax: 3 }, /zeroPoint\[0\] = 0.5/],
      [{ scale: [1, 2], qmin: 0, qmax: 3 }, /axis = undefined/],
      [{ scale: [1, 2], qmin: 0, qmax: 3, axis: 1 }, /expected 1 or 3 values/],
      [{ scale: 1, qmin: 0, qmax: 3, axis: 2 }, /axis = 2/],
      [null, /params/],
    ];
    for (const [p, msg] of bad) {
      expect(() => fakeQuantAffine(x, p as never)).toThrow(LowbitConfigError);
      expect(() => fakeQuantAffine(x, p as never)).toThrow(msg);
      expect(() => fakeQuantAffineComposed(x, p as never)).toThrow(msg);
    }
    expect(() => fakeQuantAffine(tf.zeros([2], 'int32'), { scale: 1, qmin: 0, qmax: 1 })).toThrow(/x.dtype = "int32"/);
    expect(() => quantizeAffine(tf.tensor([NaN]), { scale: 1, qmin: 0, qmax: 1 }, { bits: 1, signed: false })).toThrow(
      /NaN/,
    );
  });

  it('leaks no tensors across repeated forward and backward passes', () => {
    const x = tf.randomNormal([2, 16]);
    const step = () => {
      for (const op of [fakeQuantAffine, fakeQuantAffineComposed]) {
        const g = tf.grad((t: tf.Tensor) => tf.sum(op(t, { scale: [0.1, 0.2], qmin: -8, qmax: 7, axis: 0 } as never)))(
          x,
        );
        g.dispose();
      }
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fakeQuantAffine with inverseScale', () => {
  it('computes round(x * d) / d exactly (ties are not moved by a rounded 1/d)', () => {
    const x = tf.tensor([0.5, -0.5, 0.3, 1.2, -2]);
    const p = { inverseScale: 7, qmin: -7, qmax: 7 };
    const expected = [4 / 7, -4 / 7, 2 / 7, 1, -1].map(Math.fround); // 3.5 -> 4 (even), 2.1 -> 2
    expect(values(fakeQuantAffine(x, p))).toEqual(expected);
    expect(values(fakeQuantAffineComposed(x, p))).toEqual(expected);
    expect(Array.from(quantizeAffine(x, p, { bits: 4, signed: true }).dequantize())).toEqual(expected);
    expect(values(fakeQuantAffine(x, { scale: 1 / 7, qmin: -7, qmax: 7 }))[0]).toBeCloseTo(3 / 7, 6); // the tie moved
  });

  it('matches the composed path per channel, with its gradient mask', () => {
    const x = tf.randomUniform([3, 8], -2, 2, 'float32', 9);
    const p = { inverseScale: [3, 15, 127], zeroPoint: [0, 1, 0], qmin: -16, qmax: 15, axis: 0 };
    expect(values(fakeQuantAffine(x, p))).toEqual(values(fakeQuantAffineComposed(x, p)));
    const g1 = values(tf.grad((t: tf.Tensor) => tf.sum(fakeQuantAffine(t, p)))(x));
    const g2 = values(tf.grad((t: tf.Tensor) => tf.sum(fakeQuantAffineComposed(t, p)))(x));
    expect(g1).toEqual(g2);
    expect(g1.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(() => fakeQuantAffine(x, { scale: 1, inverseScale: 1, qmin: 0, qmax: 1 })).toThrow(
      /exactly one of scale and inverseScale/,
    );
    expect(() => fakeQuantAffine(x, { inverseScale: -1, qmin: 0, qmax: 1 })).toThrow(/inverseScale\[0\] = -1/);
  });
});
