// docs/guides/wage.md: integers in training and inference (2-8-8-8).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  exportWageNetwork,
  runWageInteger,
  trainWage,
  wageActivation,
  wageDense,
  wageErrorQuantizer,
  wageErrorRate,
  wageInputCodes,
} from '@lowbit/wage-train';

const model = tfl.sequential({
  layers: [
    wageActivation({ inputShape: [16], relu: false, errorBits: null }), // inputs in [-1, 1], then Q_A (8 bits)
    wageDense({ units: 32, weightBits: 2, seed: 1 }), // a quantDense: ternary kernel / alpha, no bias
    wageActivation({ outputBits: 8, errorBits: 8 }), // a quantActivation: ReLU -> Q_E -> Q_A
    wageDense({ units: 4, weightBits: 2, seed: 2 }),
    wageErrorQuantizer({ errorBits: 8 }), // Q_E on the output
  ],
});
const x = tf.randomUniform([256, 16], -1, 1, 'float32', 1);
const labels = tf.argMax(tf.matMul(x, tf.randomNormal([16, 4], 0, 1, 'float32', 2)), 1);
const y = tf.cast(tf.oneHot(labels, 4), 'float32');
// Batch 16 (the paper uses 128) gives this small set enough integer update steps.
export const epochs = await trainWage(model, x, y, {
  epochs: 3,
  batchSize: 16,
  gradientBits: 8,
  weightBits: 2,
  seed: 7,
});
export const error = wageErrorRate(model, x, labels);

// The exported integer network predicts exactly what model.predict does.
const net = exportWageNetwork(model);
const integer = runWageInteger(net, wageInputCodes(net, x), 256);
export const integerPredictions = integer.predictions;
export const floatPredictions = tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync();
console.log(
  `training error ${(100 * error).toFixed(1)}%`,
  epochs.map((e) => e.loss),
);
tf.dispose([x, labels, y]);
