import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { LowbitWageActivation, wageActivation } from './activation.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('Q_A (wageActivation without ReLU and Q_E)', () => {
  it('clips to +-(1 - sigma) and rounds to the k_A grid; STE inside the clip, 0 outside', () => {
    const qa = (bits: number) => { const l = wageActivation({ bitsA: bits, bitsE: null, relu: false }); return (t: tf.Tensor) => l.apply(t) as tf.Tensor; };
    const quantizeActivation = (t: tf.Tensor, bits: number) => qa(bits)(t);
    const x = tf.tensor([-1.2, -0.3, 0.0041, 0.5, 0.995, 1.5]);
    // 8 bits: grid 2^-7, clip +-127/128; 0.0041 * 128 = 0.52 -> 1; -0.3 * 128 = -38.4 -> -38
    expect(plain(quantizeActivation(x, 8))).toEqual([-127 / 128, -38 / 128, 1 / 128, 0.5, 127 / 128, 127 / 128]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(quantizeActivation(t, 8)))(x);
    expect(plain(g)).toEqual([0, 1, 1, 1, 0, 0]);
    // 2 bits: grid 0.5, clip +-0.5; 0.25 -> round(0.5) = 0 (ties to even)
    expect(plain(quantizeActivation(tf.tensor([0.25, 0.26, -0.9]), 2))).toEqual([0, 0.5, -0.5]);
  });
});

describe('LowbitWageActivation', () => {
  it('ReLU -> Q_E -> Q_A forward, and the backward in reverse order (hand-computed)', () => {
    const layer = wageActivation({ bitsA: 8, bitsE: 8 });
    const x = tf.tensor([-0.3, 0.0041, 0.5, 1.5]);
    expect(plain(layer.apply(x) as tf.Tensor)).toEqual([0, 1 / 128, 0.5, 127 / 128]);
    // upstream error c; Q_A masks the clipped element (1.5): [0.2, 0.3, -0.05, 0]
    // Q_E: max 0.3 -> Shift 0.25: [0.8, 1.2, -0.2, 0] -> clip, round: [102, 127, -26, 0] / 128
    // ReLU masks x <= 0: [0, 127, -26, 0] / 128
    const c = tf.tensor([0.2, 0.3, -0.05, 0.7]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, c)))(x);
    expect(plain(g)).toEqual([0, 127 / 128, -26 / 128, 0]);
  });

  it('without Q_E and ReLU is the input quantizer', () => {
    const layer = wageActivation({ relu: false, bitsE: null, bitsA: 8 });
    expect(plain(layer.apply(tf.tensor([-1, -0.5, 0.999])) as tf.Tensor)).toEqual([-127 / 128, -0.5, 127 / 128]);
    const c = tf.tensor([0.3, -0.05, 0.001]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, c)))(tf.tensor([0.1, -0.5, 0.2]));
    // no error quantizer: the upstream error passes unchanged inside the clip range
    expect(plain(g)).toEqual(plain(c));
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 8, signed: true } });
  });

  it('serializes and rejects bad arguments', () => {
    const layer = wageActivation({ bitsA: 6, bitsE: 5, name: 'act' });
    const config = layer.getConfig();
    expect(config).toMatchObject({ bitsA: 6, bitsE: 5, relu: true, name: 'act' });
    const back = tfl.layers.Layer.fromConfig(LowbitWageActivation, config) as LowbitWageActivation;
    expect([back.bitsA, back.bitsE, back.relu]).toEqual([6, 5, true]);
    expect(wageActivation({ bitsE: null }).getConfig().bitsE).toBeNull();
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 6, signed: false } });
    expect(() => wageActivation({ bitsA: 1 })).toThrow(LowbitConfigError);
    expect(() => wageActivation({ bitsA: 17 })).toThrow(/bitsA/);
    expect(() => wageActivation({ bitsE: 2.5 })).toThrow(/bitsE/);
    expect(() => wageActivation({ relu: 'yes' as never })).toThrow(/relu/);
    expect(() => wageActivation({ units: 3 } as never)).toThrow(/units/);
  });
});
