// docs/guides/wage.md: integers in training and inference (2-8-8-8).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportWageNetwork, runWageInteger, trainWage, wageActivation, wageDense, wageErrorQuantizer, wageErrorRate, wageInputCodes } from '@lowbit/wage-train';

const model = tfl.sequential({
  layers: [
    wageActivation({ inputShape: [16], relu: false, bitsE: null }), // inputs in [-1, 1], then Q_A
    wageDense({ units: 32, seed: 1 }),
    wageActivation({}),
    wageDense({ units: 4, seed: 2 }),
    wageErrorQuantizer({}),
  ],
});
const x = tf.randomUniform([256, 16], -1, 1, 'float32', 1);
const labels = tf.argMax(tf.matMul(x, tf.randomNormal([16, 4], 0, 1, 'float32', 2)), 1);
const y = tf.cast(tf.oneHot(labels, 4), 'float32');
export const epochs = await trainWage(model, x, y, { epochs: 3, bitsG: 8, bitsW: 2, seed: 7 });
export const error = wageErrorRate(model, x, labels);

// The exported integer network predicts exactly what model.predict does.
const net = exportWageNetwork(model);
const integer = runWageInteger(net, wageInputCodes(net, x), 256);
export const integerPredictions = integer.predictions;
export const floatPredictions = tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync();
console.log(`training error ${(100 * error).toFixed(1)}%`, epochs.map((e) => e.loss));
tf.dispose([x, labels, y]);
