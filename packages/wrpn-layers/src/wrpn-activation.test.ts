import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { LowbitWrpnActivation, wrpnActivation } from './wrpn-activation.js';

describe('wrpnActivation', () => {
  it('clips to [0, 1] and rounds to 2^k - 1 levels', () => {
    const x = tf.tensor1d([-0.2, 0.1, 0.5, 0.9, 1.3, 0.4]);
    const y2 = wrpnActivation({ bits: 2 }).apply(x) as tf.Tensor;
    // 2 bits: levels {0, 1/3, 2/3, 1}; 0.5 * 3 = 1.5 rounds half to even -> 2.
    expect(Array.from(y2.dataSync())).toEqual(Array.from(Float32Array.from([0, 0, 2 / 3, 1, 1, 1 / 3])));
    const y1 = wrpnActivation({ bits: 1 }).apply(x) as tf.Tensor;
    expect(Array.from(y1.dataSync())).toEqual([0, 0, 0, 1, 1, 0]);
    tf.dispose([x, y2, y1]);
  });

  it('passes gradients straight through inside [0, 1] and blocks them outside', () => {
    const layer = wrpnActivation({ bits: 3 });
    const x = tf.tensor1d([-0.5, 0.2, 0.77, 1.5]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor1d([1, 2, 3, 4]))))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 2, 3, 0]);
    tf.dispose([x, g]);
  });

  it('reports its output precision and survives getConfig/fromConfig', () => {
    const layer = wrpnActivation({ bits: 4, name: 'act' });
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 4, signed: false } });
    const copy = LowbitWrpnActivation.fromConfig(LowbitWrpnActivation, structuredClone(layer.getConfig())) as LowbitWrpnActivation;
    expect(copy.bits).toBe(4);
    expect(copy.name).toBe('act');
    const model = tfl.sequential({ layers: [wrpnActivation({ bits: 2, inputShape: [3] })] });
    expect(model.outputs[0].shape).toEqual([null, 3]);
  });

  it('rejects bad bit widths', () => {
    expect(() => wrpnActivation({ bits: 0 })).toThrow(LowbitConfigError);
    expect(() => wrpnActivation({ bits: 17 })).toThrow(/bits = 17/);
    expect(() => wrpnActivation({ bits: 2.5 })).toThrow(/bits = 2.5/);
    expect(() => wrpnActivation(undefined as never)).toThrow(LowbitConfigError);
  });
});
