import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitWrpnQuantizer } from './wrpn.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** Round half to even, as the paper's round is read here (and as tf.round does). */
const rint = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
const grad = (q: LowbitWrpnQuantizer, x: tf.Tensor, dy: tf.Tensor) =>
  values(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), dy)))(x));

describe('LowbitWrpnQuantizer', () => {
  it('activations: round((2^k-1) clip(a,0,1)) / (2^k-1)', () => {
    const a = [-0.5, 0, 0.1, 0.33, 0.5, 0.97, 1, 1.7];
    for (const bits of [1, 2, 3, 4, 8]) {
      const n = 2 ** bits - 1;
      const y = values(new LowbitWrpnQuantizer({ bits, mode: 'activation' }).call(tf.tensor(a)));
      const expected = a.map((v) => rint(n * Math.min(1, Math.max(0, v))) / n);
      expect(y).toEqual(expected.map(Math.fround));
    }
  });

  it('activations: gradient dy inside [0, 1] (bounds included), 0 outside', () => {
    const q = new LowbitWrpnQuantizer({ bits: 3, mode: 'activation' });
    const x = tf.tensor([-0.01, 0, 0.4, 1, 1.01]);
    expect(grad(q, x, tf.tensor([1, 2, 3, 4, 5]))).toEqual([0, 2, 3, 4, 0]);
  });

  it('weights: round((2^(k-1)-1) clip(w,-1,1)) / (2^(k-1)-1), ternary at k = 2', () => {
    const w = [-3, -0.8, -0.2, 0, 0.26, 0.5, 0.9, 2];
    for (const bits of [3, 4, 8]) {
      const n = 2 ** (bits - 1) - 1;
      const y = values(new LowbitWrpnQuantizer({ bits }).call(tf.tensor(w)));
      const expected = w.map((v) => rint(n * Math.min(1, Math.max(-1, v))) / n);
      expect(y).toEqual(expected.map(Math.fround));
    }
    expect(values(new LowbitWrpnQuantizer({ bits: 2 }).call(tf.tensor(w)))).toEqual([-1, -1, 0, 0, 0, 0, 1, 1]);
  });

  it('weights at k = 1: sign(w) * mean|w|', () => {
    const y = values(new LowbitWrpnQuantizer({ bits: 1 }).call(tf.tensor([-3, 0, 1, 2])));
    expect(y).toEqual([-1.5, 1.5, 1.5, 1.5]);
  });

  it('weights: identity gradient to the shadow weight, even outside [-1, 1]', () => {
    for (const bits of [1, 2, 4]) {
      const q = new LowbitWrpnQuantizer({ bits });
      expect(grad(q, tf.tensor([-3, -0.3, 0.2, 5]), tf.tensor([1, 2, 3, 4]))).toEqual([1, 2, 3, 4]);
    }
  });

  it('reports its hardware precision', () => {
    expect(new LowbitWrpnQuantizer({ bits: 4 }).precision()).toEqual({ kind: 'int', bits: 4, signed: true });
    expect(new LowbitWrpnQuantizer({ bits: 2 }).precision()).toEqual({ kind: 'ternary', bits: 2, signed: true });
    expect(new LowbitWrpnQuantizer({ bits: 1 }).precision()).toEqual({ kind: 'binary', bits: 1, signed: true });
    expect(new LowbitWrpnQuantizer({ bits: 4, mode: 'activation' }).precision()).toEqual({
      kind: 'int',
      bits: 4,
      signed: false,
    });
    expect(new LowbitWrpnQuantizer({ bits: 1, mode: 'activation' }).precision()).toEqual({
      kind: 'zero-one',
      bits: 1,
      signed: false,
    });
  });

  it('integer export: codes in range and dequantize() equals call() bit for bit', () => {
    const x = tf.randomUniform([5, 7], -1.5, 1.5, 'float32', 3);
    for (const config of [{ bits: 1 }, { bits: 2 }, { bits: 5 }, { bits: 3, mode: 'activation' as const }]) {
      const q = new LowbitWrpnQuantizer(config);
      const qt = q.quantize(x);
      expect(Array.from(qt.dequantize())).toEqual(values(q.call(x)));
    }
    const qt = new LowbitWrpnQuantizer({ bits: 3 }).quantize(tf.tensor([-2, 0.5, 2]));
    expect(Array.from(qt.codes)).toEqual([-3, 2, 3]);
    expect(qt.bits).toBe(3);
  });

  it('round-trips through getConfig / the registry and the alias', () => {
    const q = new LowbitWrpnQuantizer({ bits: 3, mode: 'activation' });
    const back = getQuantizer(serializeQuantizer(q)!) as LowbitWrpnQuantizer;
    expect(back).toBeInstanceOf(LowbitWrpnQuantizer);
    expect(back.getConfig()).toEqual({ bits: 3, mode: 'activation' });
    expect(getQuantizer('wrpn')!.getConfig()).toEqual({ bits: 4, mode: 'weight' });
  });

  it('rejects bad bits, modes and options with LowbitConfigError', () => {
    for (const bits of [0, 33, 2.5, NaN, '4']) {
      expect(() => new LowbitWrpnQuantizer({ bits } as never)).toThrow(LowbitConfigError);
      expect(() => new LowbitWrpnQuantizer({ bits } as never)).toThrow(
        /bits = .* is invalid: expected an integer from 1 to 24/,
      );
    }
    expect(() => new LowbitWrpnQuantizer({ mode: 'weights' } as never)).toThrow(/mode = "weights"/);
    expect(() => new LowbitWrpnQuantizer({ bitz: 4 } as never)).toThrow(/LowbitWrpnQuantizer.bitz/);
    expect(() => new LowbitWrpnQuantizer().call(tf.tensor([1], undefined, 'int32'))).toThrow(/x.dtype/);
  });
});
