/**
 * Test fixture: a tiny WAGE conv net and a separable synthetic data set, small enough for
 * unit tests (8x8 images, two classes: a bright top half or a bright bottom half, plus noise).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRng } from '@lowbit/quant-core';
import { wageActivation, wageErrorQuantizer } from './activation.js';
import { wageConv2d, wageDense } from './wage-layers.js';

export function tinyWageModel(seed = 1, bits = { W: 2, A: 8, E: 8 }): tfl.Sequential {
  return tfl.sequential({
    layers: [
      wageActivation({ inputShape: [8, 8, 1], relu: false, errorBits: null, outputBits: bits.A }),
      wageConv2d({ filters: 4, kernelSize: 3, weightBits: bits.W, inputBits: bits.A, seed }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      wageConv2d({ filters: 6, kernelSize: 2, padding: 'same', weightBits: bits.W, inputBits: bits.A, seed: seed + 1 }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E }),
      tfl.layers.flatten(),
      wageDense({ units: 2, weightBits: bits.W, inputBits: bits.A, seed: seed + 2 }),
      wageErrorQuantizer({ errorBits: bits.E }),
    ],
  });
}

/** `n` images in [-1, 1] with labels: class 0 bright on top, class 1 bright at the bottom. */
export function tinyData(n: number, seed = 7): { x: tf.Tensor4D; y: tf.Tensor2D; labels: tf.Tensor1D } {
  const u = new SeededRng(seed).uniform(n * 64);
  const x = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 64; p++) {
      const top = p < 32;
      const bright = (labels[i] === 0) === top;
      x[i * 64 + p] = (bright ? 0.6 : -0.6) + (u[i * 64 + p] - 0.5);
    }
  }
  const lab = tf.tensor1d(labels, 'int32');
  const y = tf.tidy(() => tf.cast(tf.oneHot(lab, 2), 'float32') as tf.Tensor2D);
  return { x: tf.tensor4d(x, [n, 8, 8, 1]), y, labels: lab };
}
