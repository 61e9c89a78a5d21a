import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { getQuantizer, LowbitConfigError, LowbitDataError, serializeQuantizer } from '@lowbit/quant-core';
import { LowbitWageActivationQuantizer, LowbitWagePassThroughQuantizer } from './wage-quantizers.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('LowbitWageActivationQuantizer', () => {
  it('Q_A forward; signed: false clips at 0 (the same values after a ReLU)', () => {
    const x = tf.tensor([-0.3, 0, 0.0041, 0.5, 1.5]);
    const signed = new LowbitWageActivationQuantizer({ bits: 8, errorBits: null });
    expect(plain(signed.call(x))).toEqual([-38 / 128, 0, 1 / 128, 0.5, 127 / 128]);
    const unsigned = new LowbitWageActivationQuantizer({ bits: 8, errorBits: null, signed: false });
    expect(plain(unsigned.call(x))).toEqual([0, 0, 1 / 128, 0.5, 127 / 128]);
    const relu = tf.relu(x);
    expect(plain(unsigned.call(relu))).toEqual(plain(signed.call(relu)));
    // the same gradient on ReLU outputs: 1 inside [0, 1 - sigma], 0 above
    const grad = (q: LowbitWageActivationQuantizer) => plain(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(relu));
    expect(grad(unsigned)).toEqual([1, 1, 1, 1, 0]);
    expect(grad(signed)).toEqual(grad(unsigned));
  });

  it('backward: Q_A mask, then Q_E; bits: null is Q_E alone', () => {
    const q = new LowbitWageActivationQuantizer({ bits: 8, errorBits: 8 });
    const x = tf.tensor([0, 0.0041, 0.5, 1.5]);
    const c = tf.tensor([0.2, 0.3, -0.05, 0.7]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), c)))(x);
    // mask [0.2, 0.3, -0.05, 0]; Shift(0.3) = 0.25 -> [0.8, 1.2, -0.2, 0] -> [102, 127, -26, 0] / 128
    expect(plain(g)).toEqual([102 / 128, 127 / 128, -26 / 128, 0]);
    const qe = new LowbitWageActivationQuantizer({ bits: null, errorBits: 8 });
    expect(plain(qe.call(x))).toEqual(plain(x));
    const ge = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(qe.call(t), c)))(x);
    // no mask: max 0.7 -> Shift 0.5: [0.4, 0.6, -0.1, 1.4] -> [51, 77, -13, 127] / 128
    expect(plain(ge)).toEqual([51 / 128, 77 / 128, -13 / 128, 127 / 128]);
  });

  it('precision, integer export, config round trip and errors', () => {
    const q = new LowbitWageActivationQuantizer({ bits: 4, errorBits: 6, signed: false });
    expect(q.precision()).toEqual({ kind: 'int', bits: 4, signed: false });
    const x = tf.tensor([-0.4, 0.1, 0.3, 0.9]);
    const codes = q.quantize(x);
    expect(Array.from(codes.codes)).toEqual([0, 1, 2, 7]); // grid 1/8, codes 0..7
    expect(Array.from(codes.dequantize())).toEqual(plain(q.call(x)));
    expect(new LowbitWageActivationQuantizer({ bits: null }).precision()).toEqual({
      kind: 'float',
      bits: 32,
      signed: true,
    });
    expect(() => new LowbitWageActivationQuantizer({ bits: null }).quantize(x)).toThrow(LowbitConfigError);
    expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual({ bits: 4, errorBits: 6, signed: false });
    expect(getQuantizer('wage-activation')!.getConfig()).toEqual({ bits: 8, errorBits: 8, signed: true });
    expect(() => new LowbitWageActivationQuantizer({ bits: null, errorBits: null })).toThrow(/nothing to do/);
    expect(() => new LowbitWageActivationQuantizer({ bits: 1 })).toThrow(/bits/);
    expect(() => new LowbitWageActivationQuantizer({ errorBits: 17 })).toThrow(/errorBits/);
    expect(() => new LowbitWageActivationQuantizer({ outputBits: 4 } as never)).toThrow(/outputBits/);
  });
});

describe('LowbitWagePassThroughQuantizer', () => {
  it('does not change values or gradients, reports int k_A, exports codes of on-grid values', () => {
    const q = new LowbitWagePassThroughQuantizer({ bits: 8 });
    const x = tf.tensor([-127 / 128, -0.5, 0, 3 / 128, 127 / 128]);
    expect(plain(q.call(x))).toEqual(plain(x));
    expect(plain(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), 3)))(x))).toEqual([3, 3, 3, 3, 3]);
    expect(q.precision()).toEqual({ kind: 'int', bits: 8, signed: true });
    const codes = q.quantize(x);
    expect(Array.from(codes.codes)).toEqual([-127, -64, 0, 3, 127]);
    expect(Array.from(codes.dequantize())).toEqual(plain(x));
    expect(() => q.quantize(tf.tensor([0.3]))).toThrow(LowbitDataError); // not a multiple of 2^-7
    expect(() => q.quantize(tf.tensor([1]))).toThrow(/WAGE grid/); // outside the clip
    expect(() => new LowbitWagePassThroughQuantizer({ bits: 4, signed: false }).quantize(tf.tensor([-0.125]))).toThrow(
      LowbitDataError,
    );
    expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual({ bits: 8, signed: true });
    expect(getQuantizer('wage-pass-through')).toBeInstanceOf(LowbitWagePassThroughQuantizer);
    expect(() => new LowbitWagePassThroughQuantizer({ bits: 20 })).toThrow(/bits/);
  });

  it('leaks no tensors', () => {
    const x = tf.randomUniform([16], -1, 1, 'float32', 2);
    const parts = [
      new LowbitWagePassThroughQuantizer(),
      new LowbitWageActivationQuantizer(),
      new LowbitWageActivationQuantizer({ bits: null }),
    ];
    const step = () =>
      parts.forEach((p) =>
        tf
          .grad((t: tf.Tensor) => tf.sum(p.call(t, { training: true })))(x)
          .dispose(),
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
