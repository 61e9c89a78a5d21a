import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { wageClip, wageQ } from '../ops/wage.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitWageQuantizer } from './wage.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('LowbitWageQuantizer', () => {
  it('forward is Q(C(x, k), k) / alpha', () => {
    const x = tf.tensor([-2, -0.3, -0.2, 0.1, 0.126, 0.4, 0.74, 3]);
    for (const bits of [2, 3, 8]) {
      expect(values(new LowbitWageQuantizer({ bits }).call(x))).toEqual(values(wageQ(wageClip(x, bits), bits)));
    }
    expect(values(new LowbitWageQuantizer({ bits: 2 }).call(x))).toEqual([-0.5, -0.5, 0, 0, 0, 0.5, 0.5, 0.5]);
    expect(values(new LowbitWageQuantizer({ bits: 3, alpha: 4 }).call(x))).toEqual(
      values(wageQ(wageClip(x, 3), 3)).map((v) => v / 4),
    );
  });

  it('weights: identity gradient (scaled by 1/alpha); activations: zero outside the clip', () => {
    const x = tf.tensor([-1, -0.5, 0.2, 0.75, 0.8]);
    const g = (q: LowbitWageQuantizer) => values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(x));
    expect(g(new LowbitWageQuantizer({ bits: 3 }))).toEqual([1, 1, 1, 1, 1]);
    expect(g(new LowbitWageQuantizer({ bits: 3, alpha: 2 }))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(g(new LowbitWageQuantizer({ bits: 3, mode: 'activation' }))).toEqual([0, 1, 1, 1, 0]); // clip +-0.75
  });

  it('stochastic rounding in training only, seeded, on the same grid', () => {
    const x = tf.fill([3000], 0.3);
    const cfg = { bits: 3, stochastic: true, seed: 2 }; // sigma 0.25: 0.3 -> 0.25 or 0.5
    const y = values(new LowbitWageQuantizer(cfg).call(x, { training: true }));
    expect(new Set(y)).toEqual(new Set([0.25, 0.5]));
    expect(y.reduce((a, b) => a + b, 0) / y.length).toBeCloseTo(0.3, 2);
    expect(values(new LowbitWageQuantizer(cfg).call(x, { training: true }))).toEqual(y);
    expect(new Set(values(new LowbitWageQuantizer(cfg).call(x)))).toEqual(new Set([0.25]));
    expect(Math.max(...values(new LowbitWageQuantizer(cfg).call(tf.fill([100], 5), { training: true })))).toBe(0.75);
  });

  it('integer export, precision, config round trip and errors', () => {
    const x = tf.randomNormal([30], 0, 0.6, 'float32', 8);
    for (const cfg of [{ bits: 2 }, { bits: 8, alpha: 8 }, { bits: 4, mode: 'activation' as const }]) {
      const q = new LowbitWageQuantizer(cfg);
      expect(Array.from(q.quantize(x).dequantize())).toEqual(values(q.call(x)));
    }
    expect(new LowbitWageQuantizer({ bits: 2 }).precision()).toEqual({ kind: 'ternary', bits: 2, signed: true });
    expect(new LowbitWageQuantizer({ bits: 8 }).precision()).toEqual({ kind: 'int', bits: 8, signed: true });
    const q = new LowbitWageQuantizer({ bits: 6, mode: 'activation', alpha: 2, stochastic: true, seed: 5 });
    expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual(q.getConfig());
    expect(getQuantizer('wage')).toBeInstanceOf(LowbitWageQuantizer);
    for (const bits of [0, 1, 33, 2.5, NaN]) expect(() => new LowbitWageQuantizer({ bits })).toThrow(LowbitConfigError);
    expect(() => new LowbitWageQuantizer({ alpha: 3 })).toThrow(/alpha = 3/);
    expect(() => new LowbitWageQuantizer({ alpha: 0.5 })).toThrow(/alpha = 0.5/);
  });

  it("alpha 'auto': derived from the kernel's fan-in in build, saved as 'auto'", () => {
    const q = new LowbitWageQuantizer({ bits: 2, alpha: 'auto' });
    expect(() => q.alpha).toThrow(/build/);
    expect(() => q.call(tf.ones([4, 2]))).toThrow(LowbitConfigError);
    q.build([512, 10]); // 0.75 / sqrt(3/512) = 9.8 -> 2^3
    expect([q.alpha, q.fanIn]).toEqual([8, 512]);
    const w = tf.tensor2d([
      [0.3, -0.6],
      [0.1, 0.9],
    ]);
    expect(values(q.call(w))).toEqual([0.5, -0.5, 0, 0.5].map((v) => v / 8));
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(w))).toEqual([0.125, 0.125, 0.125, 0.125]);
    expect(Array.from(q.quantize(w).scale)).toEqual([0.5 / 8]);
    expect(q.getConfig().alpha).toBe('auto');
    const copy = getQuantizer(serializeQuantizer(q)!) as LowbitWageQuantizer;
    copy.build([5, 5, 32, 64]); // fan-in 800: 0.75 / sqrt(3/800) = 12.2 -> 16
    expect(copy.alpha).toBe(16);
    const fixed = new LowbitWageQuantizer({ bits: 2, alpha: 2 });
    fixed.build([512, 10]);
    expect(fixed.alpha).toBe(2); // a number is kept
    expect(() => new LowbitWageQuantizer({ alpha: 'auto', mode: 'activation' })).toThrow(/mode 'weight'/);
    expect(() => new LowbitWageQuantizer({ alpha: 'auto' }).build([-1, 4])).toThrow(/kernelShape/);
    expect(() => new LowbitWageQuantizer({ alpha: 'Auto' as never })).toThrow(LowbitConfigError);
  });

  it('accumulatorBits: worst-case sum of fan-in products of the codes, sign included', () => {
    const q = new LowbitWageQuantizer({ bits: 2, alpha: 'auto' });
    expect(q.accumulatorBits({ kind: 'int', bits: 8, signed: true })).toBeUndefined(); // not built
    q.build([512, 10]);
    // 512 * 127 * 1 = 65024 < 2^16: 16 bits of magnitude + sign
    expect(q.accumulatorBits({ kind: 'int', bits: 8, signed: true })).toBe(17);
    expect(q.accumulatorBits({ kind: 'int', bits: 8, signed: false })).toBe(Math.ceil(Math.log2(512 * 255 + 1)) + 1);
    expect(q.accumulatorBits({ kind: 'ternary', bits: 2, signed: true })).toBe(11); // 512 -> log2(513) -> 10, + 1
    expect(q.accumulatorBits({ kind: 'float', bits: 32, signed: true })).toBeUndefined();
    const w8 = new LowbitWageQuantizer({ bits: 8 });
    w8.build([5, 5, 1, 4]); // fan-in 25: 25 * 127 * 127 = 403225 -> 19 bits, + 1
    expect(w8.accumulatorBits({ kind: 'int', bits: 8, signed: true })).toBe(20);
  });

  it('leaks no tensors', () => {
    const x = tf.randomNormal([32]);
    const qs = [
      new LowbitWageQuantizer({ bits: 2, alpha: 2 }),
      new LowbitWageQuantizer({ bits: 8, mode: 'activation', stochastic: true }),
    ];
    const step = () =>
      qs.forEach((q) =>
        tf
          .grad((t: tf.Tensor) => tf.sum(q.call(t, { training: true })))(x)
          .dispose(),
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
