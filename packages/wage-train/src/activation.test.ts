import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitQuantActivation } from '@lowbit/quant-core';
import { isWageActivation, isWageErrorQuantizer, wageActivation, wageErrorQuantizer } from './activation.js';
import { LowbitWageActivationQuantizer } from './wage-quantizers.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('Q_A (wageActivation without ReLU and Q_E)', () => {
  it('clips to +-(1 - sigma) and rounds to the k_A grid; STE inside the clip, 0 outside', () => {
    const quantizeActivation = (t: tf.Tensor, bits: number) =>
      wageActivation({ outputBits: bits, errorBits: null, relu: false }).apply(t) as tf.Tensor;
    const x = tf.tensor([-1.2, -0.3, 0.0041, 0.5, 0.995, 1.5]);
    // 8 bits: grid 2^-7, clip +-127/128; 0.0041 * 128 = 0.52 -> 1; -0.3 * 128 = -38.4 -> -38
    expect(plain(quantizeActivation(x, 8))).toEqual([-127 / 128, -38 / 128, 1 / 128, 0.5, 127 / 128, 127 / 128]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(quantizeActivation(t, 8)))(x);
    expect(plain(g)).toEqual([0, 1, 1, 1, 0, 0]);
    // 2 bits: grid 0.5, clip +-0.5; 0.25 -> round(0.5) = 0 (ties to even)
    expect(plain(quantizeActivation(tf.tensor([0.25, 0.26, -0.9]), 2))).toEqual([0, 0.5, -0.5]);
  });
});

describe('wageActivation', () => {
  it('is a quantActivation with ReLU and the WAGE activation part', () => {
    const layer = wageActivation({ outputBits: 6, errorBits: 5 });
    expect(layer).toBeInstanceOf(LowbitQuantActivation);
    expect(layer.activation).toBe('relu');
    expect(layer.outputQuantizer).toBeInstanceOf(LowbitWageActivationQuantizer);
    expect(layer.outputQuantizer!.getConfig()).toEqual({ bits: 6, errorBits: 5, signed: false });
    expect(isWageActivation(layer)).toBe(true);
    expect(isWageErrorQuantizer(layer)).toBe(false);
  });

  it('ReLU -> Q_E -> Q_A forward, and the backward in reverse order (hand-computed)', () => {
    const layer = wageActivation({ outputBits: 8, errorBits: 8 });
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
    const layer = wageActivation({ relu: false, errorBits: null, outputBits: 8 });
    expect(layer.activation).toBe('linear');
    expect(plain(layer.apply(tf.tensor([-1, -0.5, 0.999])) as tf.Tensor)).toEqual([-127 / 128, -0.5, 127 / 128]);
    const c = tf.tensor([0.3, -0.05, 0.001]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, c)))(tf.tensor([0.1, -0.5, 0.2]));
    // no error quantizer: the upstream error passes unchanged inside the clip range
    expect(plain(g)).toEqual(plain(c));
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 8, signed: true } });
  });

  it('serializes as a quantActivation and rejects bad arguments', () => {
    const layer = wageActivation({ outputBits: 6, errorBits: 5, name: 'act' });
    const config = layer.getConfig();
    expect(config).toMatchObject({
      activation: 'relu',
      outputQuantizer: { className: 'LowbitWageActivationQuantizer', config: { bits: 6, errorBits: 5, signed: false } },
      name: 'act',
    });
    const back = tfl.layers.Layer.fromConfig(LowbitQuantActivation, config) as LowbitQuantActivation;
    expect(isWageActivation(back)).toBe(true);
    expect(back.outputQuantizer!.getConfig()).toEqual({ bits: 6, errorBits: 5, signed: false });
    const x = tf.tensor([[-0.2, 0.3, 0.77, 2]]);
    expect(plain(back.apply(x) as tf.Tensor)).toEqual(plain(layer.apply(x) as tf.Tensor));
    expect(wageActivation({ errorBits: null }).outputQuantizer!.getConfig().errorBits).toBeNull();
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 6, signed: false } });
    expect(() => wageActivation({ outputBits: 1 })).toThrow(LowbitConfigError);
    expect(() => wageActivation({ outputBits: 17 })).toThrow(/outputBits/);
    expect(() => wageActivation({ errorBits: 2.5 })).toThrow(/errorBits/);
    expect(() => wageActivation({ relu: 'yes' as never })).toThrow(/relu/);
    expect(() => wageActivation({ units: 3 } as never)).toThrow(/units/);
    expect(() => wageActivation({ bitsA: 8 } as never)).toThrow(/bitsA.*renamed: use outputBits/);
    expect(() => wageActivation({ bitsE: 8 } as never)).toThrow(/renamed: use errorBits/);
    expect(() => wageActivation({ activation: 'tanh' } as never)).toThrow(/relu: true or false/);
    expect(() => wageActivation({ outputQuantizer: 'wage' } as never)).toThrow(/outputQuantizer/);
  });

  it('leaks no tensors over repeated fit steps', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 6, kernelInitializer: 'glorotUniform' }),
        wageActivation({ outputBits: 8, errorBits: 8 }),
        tfl.layers.dense({ units: 2 }),
        wageErrorQuantizer({ errorBits: 8 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = tf.randomUniform([8, 4], -1, 1, 'float32', 3);
    const y = tf.randomUniform([8, 2], -1, 1, 'float32', 4);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
