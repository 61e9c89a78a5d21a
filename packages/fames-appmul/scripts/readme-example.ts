/**
 * The README's example, end to end on a tiny dense layer with random data:
 * library -> simulated layer -> counting matrix -> per-layer choice under a loss budget.
 * Run: `npm run example -w packages/fames-appmul`
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  appMulLibrary,
  appMulMatMul,
  denseCountingMatrix,
  estimateLossChange,
  exactMultiplier,
  layerChoices,
  selectMultipliers,
} from '../src/index.js';

tf.enableProdMode();
await tf.setBackend('cpu');
const a = { bits: 4, signed: false }; // activation codes 0..15
const w = { bits: 4, signed: true }; // weight codes -8..7
const scale = 0.01; // s_a * s_w: y = scale * sum_k M(a_k, w_k)

// 1. The library for 4-bit x 4-bit operands.
const library = appMulLibrary({ a, w });
console.log(
  `${library.length} multipliers for a4u x w4s, e.g.`,
  library[5].name,
  library[5].metrics().maePercent.toFixed(3),
  'MAE%',
);

// 2. A dense layer on integer codes through an AppMul (bit-exact), and its loss.
const x = tf.randomUniformInt([32, 16], 0, 16, 1) as tf.Tensor2D;
const kernel = tf.randomUniformInt([16, 10], -8, 8, 2) as tf.Tensor2D;
// Labels the exact layer predicts (as for a trained net), so approximation errors cost loss.
const labels = tf.tidy(() => tf.oneHot(tf.argMax(appMulMatMul(x, kernel, exactMultiplier({ a, w })), 1), 10));
const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y);
const lossWith = (m = exactMultiplier({ a, w })) =>
  tf.tidy(() => loss(tf.mul(appMulMatMul(x, kernel, m), scale)).dataSync()[0]);

// 3. Counting matrix at the exact multiplier: dL/dY on calibration data.
const yExact = tf.mul(appMulMatMul(x, kernel, exactMultiplier({ a, w })), scale);
const dLdY = tf.grad(loss)(yExact) as tf.Tensor2D;
// perSample: one matrix per calibration sample as well, for the second-order term.
const G = denseCountingMatrix(x, kernel, dLdY, { a, w }, scale, { perSample: true });

// 4. Estimated (first order, and with the second-order term) vs measured loss change for a few designs.
const base = lossWith();
for (const m of library.slice(1, 8)) {
  const first = estimateLossChange(G, m, { order: 1 }).toExponential(2);
  console.log(
    m.name.padEnd(20),
    'first order',
    first,
    'second order',
    estimateLossChange(G, m).toExponential(2),
    'measured',
    (lossWith(m) - base).toExponential(2),
  );
}

// 5. Pick the cheapest multiplier within a loss budget (one layer here; one entry per layer in general).
const choices = [layerChoices('dense', G, library, 16 * 10)];
const { choice, energy, loss: estimated } = selectMultipliers(choices, 0.01);
console.log(
  'chosen:',
  choices[0].multipliers[choice[0]].name,
  `energy ${energy.toFixed(2)} pJ per sample (exact ${choices[0].options[0].energy.toFixed(2)})`,
  `estimated dL ${estimated.toExponential(2)}`,
);
tf.dispose([x, kernel, labels, yExact, dLdY]);
