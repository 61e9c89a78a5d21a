import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { crossEntropy, layerChain, oneHotLabels, runLayers, scoreOutputs } from './layer-chain.js';

describe('layer chain helpers', () => {
  it('accepts Sequential models only and detects softmax outputs', () => {
    const soft = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    const logits = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(layerChain(soft).outputsProbabilities).toBe(true);
    expect(layerChain(logits).outputsProbabilities).toBe(false);
    expect(() => layerChain(null as never)).toThrow(LowbitConfigError);
    expect(() => layerChain({} as never)).toThrow(/Sequential/);
    soft.dispose();
    logits.dispose();
  });

  it('runs a slice of the layers, with a hook after each', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'identity', biasInitializer: 'ones' }),
        tfl.layers.reLU(),
      ],
    });
    const x = tf.tensor2d([[-3, 2]]);
    const seen: number[] = [];
    const y = runLayers(m.layers, x, 0, 2, (i, t) => (seen.push(i), t));
    expect(Array.from(y.dataSync())).toEqual([0, 3]);
    expect(seen).toEqual([0, 1]);
    const none = runLayers(m.layers, x, 1, 1);
    expect(none).not.toBe(x);
    expect(Array.from(none.dataSync())).toEqual([-3, 2]);
    tf.dispose([x, y, none]);
    m.dispose();
  });

  it('computes cross-entropy from probabilities or logits, and accuracy', () => {
    const probs = tf.tensor2d([
      [0.25, 0.75],
      [0.5, 0.5],
    ]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const ce = crossEntropy(probs, labels, true);
    expect(ce.dataSync()[0]).toBeCloseTo(-(Math.log(0.75) + Math.log(0.5)) / 2, 6);
    const logits = tf.log(probs);
    expect(crossEntropy(logits, oneHotLabels(labels, 2), false).dataSync()[0]).toBeCloseTo(ce.dataSync()[0], 5);
    const s = scoreOutputs(probs, labels, true);
    expect(s.correct).toBe(2); // argmax ties pick the first class
    expect(s.lossSum).toBeCloseTo(2 * ce.dataSync()[0], 5);
    tf.dispose([probs, labels, ce, logits]);
  });
});
