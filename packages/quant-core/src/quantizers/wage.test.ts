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
    expect(values(new LowbitWageQuantizer({ bits: 3, alpha: 4 }).call(x))).toEqual(values(wageQ(wageClip(x, 3), 3)).map((v) => v / 4));
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

  it('leaks no tensors', () => {
    const x = tf.randomNormal([32]);
    const qs = [new LowbitWageQuantizer({ bits: 2, alpha: 2 }), new LowbitWageQuantizer({ bits: 8, mode: 'activation', stochastic: true })];
    const step = () => qs.forEach((q) => tf.grad((t: tf.Tensor) => tf.sum(q.call(t, { training: true })))(x).dispose());
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
