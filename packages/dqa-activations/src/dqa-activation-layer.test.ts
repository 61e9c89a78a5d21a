import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { LowbitDqaActivation } from './dqa-activation-layer.js';
import { decodeActivations, encode } from './codec.js';

describe('LowbitDqaActivation', () => {
  const args = { bits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] };

  it('quantizes ordinary channels at N bits and important ones at N + m bits', () => {
    const layer = new LowbitDqaActivation(args);
    const x = tf.tensor2d([[0.33, 0.33], [-5, 5]]);
    const y = layer.apply(x) as tf.Tensor;
    // ch0: round(3.3) = 3 -> 0.3, clamp(-50) = -8 -> -0.8; ch1 step 0.025: round(13.2) = 13 -> 0.325; clamp(200) = 63 -> 1.575.
    const [s0, s1] = [Math.fround(0.1), Math.fround(0.2)];
    expect(Array.from(y.dataSync())).toEqual([3 * s0, (13 * s1) / 8, -8 * s0, (63 * s1) / 8].map(Math.fround));
    expect(Array.from(y.dataSync())).toEqual([0.3, 0.325, -0.8, 1.575].map((v) => expect.closeTo(v, 6)));
    tf.dispose([x, y]);
  });

  it('passes the gradient straight through', () => {
    const layer = new LowbitDqaActivation(args);
    const x = tf.tensor2d([[0.33, -0.1]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor1d([2, 3]))))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 3]);
    tf.dispose([x, g]);
  });

  it('saves and loads inside a model (config round trip), and its output decodes bit for bit', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'relu' }), new LowbitDqaActivation({ ...args, tableGranularity: 'channel' })],
    });
    const json = model.toJSON(null, false);
    const loaded = await tfl.models.modelFromJSON(json as never);
    loaded.setWeights(model.getWeights());
    const restored = loaded.layers[1] as LowbitDqaActivation;
    expect(restored).toBeInstanceOf(LowbitDqaActivation);
    expect(restored.getConfig()).toMatchObject({ bits: 4, extraBits: 3, scales: [Math.fround(0.1), Math.fround(0.2)], important: [1], tableGranularity: 'channel' });
    const x = tf.tensor2d([[1, -2, 0.5], [0.3, 0.2, -0.1]]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const hidden = model.layers[0].apply(x) as tf.Tensor;
    expect(Array.from(decodeActivations(encode(hidden, restored.dqaParams())).values)).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b, hidden]);
    model.dispose();
    loaded.dispose();
  });

  it('reports its precision', () => {
    expect(new LowbitDqaActivation(args).lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 4, signed: true } });
  });

  it('rejects bad settings and wrong input shapes', () => {
    expect(() => new LowbitDqaActivation({ ...args, bits: 1 })).toThrow(/bits = 1/);
    expect(() => new LowbitDqaActivation({ ...args, extraBits: 9 })).toThrow(/extraBits = 9/);
    expect(() => new LowbitDqaActivation({ ...args, important: [2] })).toThrow(/important\[0\] = 2/);
    expect(() => new LowbitDqaActivation(null as never)).toThrow(LowbitConfigError);
    const layer = new LowbitDqaActivation(args);
    const wrong = tf.zeros([2, 3]);
    const rank1 = tf.zeros([2]);
    expect(() => layer.apply(wrong)).toThrow(/last \(channel\) axis of 2/);
    expect(() => new LowbitDqaActivation(args).apply(rank1)).toThrow(/rank >= 2/);
    tf.dispose([wrong, rank1]);
  });

  it('leaks no tensors', () => {
    const layer = new LowbitDqaActivation(args);
    const x = tf.randomNormal([5, 2]);
    (layer.apply(x) as tf.Tensor).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) (layer.apply(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
