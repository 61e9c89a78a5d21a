import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitDorefaQuantizer } from './dorefa.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The paper's formula in double precision. */
function dorefaWeights(w: number[], k: number): number[] {
  const n = 2 ** k - 1;
  const t = w.map(Math.tanh);
  const m = Math.max(...t.map(Math.abs));
  const rint = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
  return t.map((v) => (2 * rint(n * (v / (2 * m) + 0.5))) / n - 1);
}

describe('LowbitDorefaQuantizer', () => {
  it('weights: 2 quantize_k(tanh(w) / (2 max|tanh w|) + 1/2) - 1', () => {
    const w = [-2, -0.7, -0.1, 0.05, 0.3, 0.9, 1.4];
    for (const bits of [2, 3, 4, 8]) {
      const y = values(new LowbitDorefaQuantizer({ bits }).call(tf.tensor(w)));
      dorefaWeights(w, bits).forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    }
    expect(
      values(new LowbitDorefaQuantizer({ bits: 2 }).call(tf.tensor([-2, -0.5, 0.5, 2]))).map((v) => Math.round(v * 3)),
    ).toEqual([-3, -1, 1, 3]);
  });

  it('weights: gradient is the autodiff of the tanh normalisation with round passed straight through', () => {
    const q = new LowbitDorefaQuantizer({ bits: 3 });
    const x = tf.tensor([-0.6, 0.2, 0.4, 1.0]);
    const g = values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(x));
    // Reference: d/dw of sum(2 r - 1) with r = tanh(w) / (2 max|tanh w|) + 1/2 (round's gradient = 1).
    const ref = values(
      tf.grad((t: tf.Tensor) =>
        tf.sum(tf.sub(tf.mul(tf.add(tf.div(tf.tanh(t), tf.mul(tf.max(tf.abs(tf.tanh(t))), 2)), 0.5), 2), 1)),
      )(x),
    );
    g.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    // Not the identity: the gradient flows through tanh (and to the max element).
    expect(g[1]).not.toBeCloseTo(1, 2);
  });

  it('weights at k = 1: sign(w) * mean|w| with identity gradient', () => {
    const q = new LowbitDorefaQuantizer({ bits: 1 });
    expect(values(q.call(tf.tensor([-1, 3])))).toEqual([-2, 2]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(tf.tensor([-5, 0.1])))).toEqual([1, 1]);
  });

  it('activations: quantize_k(clip(a, 0, 1)), gradient zero outside [0, 1]', () => {
    const q = new LowbitDorefaQuantizer({ bits: 2, mode: 'activation' });
    const x = tf.tensor([-1, 0.2, 0.5, 0.9, 2]);
    const y = values(q.call(x));
    [0, 1 / 3, 2 / 3, 1, 1].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6)); // 0.5*3 = 1.5 -> 2 (half to even)
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(x))).toEqual([0, 1, 1, 1, 0]);
  });

  it('precision, integer export equal to call(), config round trip', () => {
    expect(new LowbitDorefaQuantizer({ bits: 3 }).precision()).toEqual({ kind: 'int', bits: 3, signed: true });
    expect(new LowbitDorefaQuantizer({ bits: 1 }).precision()).toEqual({ kind: 'binary', bits: 1, signed: true });
    expect(new LowbitDorefaQuantizer({ bits: 4, mode: 'activation' }).precision()).toEqual({
      kind: 'int',
      bits: 4,
      signed: false,
    });
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 5);
    for (const config of [{ bits: 1 }, { bits: 3 }, { bits: 4, mode: 'activation' as const }]) {
      const q = new LowbitDorefaQuantizer(config);
      expect(Array.from(q.quantize(x).dequantize())).toEqual(values(q.call(x)));
    }
    const qt = new LowbitDorefaQuantizer({ bits: 2 }).quantize(tf.tensor([-2, -0.5, 0.5, 2]));
    expect(Array.from(qt.codes)).toEqual([-3, -1, 1, 3]);
    expect(qt.bits).toBe(3);
    const back = getQuantizer(serializeQuantizer(new LowbitDorefaQuantizer({ bits: 5, mode: 'activation' }))!);
    expect(back).toBeInstanceOf(LowbitDorefaQuantizer);
    expect(back!.getConfig()).toEqual({ bits: 5, mode: 'activation' });
    expect(getQuantizer('dorefa')).toBeInstanceOf(LowbitDorefaQuantizer);
  });

  it('rejects bad bits with LowbitConfigError', () => {
    for (const bits of [0, 33, 2.5, NaN]) expect(() => new LowbitDorefaQuantizer({ bits })).toThrow(LowbitConfigError);
    expect(() => new LowbitDorefaQuantizer({ mode: 'x' } as never)).toThrow(/mode = "x"/);
  });
});
