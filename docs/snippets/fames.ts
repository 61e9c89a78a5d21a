// docs/guides/fames.md: choose an approximate multiplier per layer within a loss budget.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitWrpnQuantizer, type LowbitQuantDense } from '@lowbit/quant-core';
import {
  appMulDense,
  appMulLibrary,
  countingMatricesOf,
  layerChoices,
  multiplierOf,
  selectMultipliers,
  setMultiplier,
} from '@lowbit/fames-appmul';

// Zero-point-free integer operands: WRPN weights (signed) and activations (unsigned).
const q = (bits: number, mode: 'weight' | 'activation' = 'weight') => new LowbitWrpnQuantizer({ bits, mode });
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
// appMulDense: quant-core's quantDense with an AppMul arithmetic (no multiplier yet: exact products).
const model = tfl.sequential({
  layers: [
    appMulDense({
      inputShape: [16],
      units: 12,
      activation: 'relu',
      kernelInitializer: init(1),
      inputQuantizer: q(4, 'activation'),
      kernelQuantizer: q(4),
    }),
    appMulDense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: init(2),
      inputQuantizer: q(6, 'activation'),
      kernelQuantizer: q(4),
    }),
  ],
});
// (train with exact products first: model.fit works as for any quantized layer)
const x = tf.randomUniform([64, 16], 0, 1, 'float32', 3);
const yTrue = tf.oneHot(tf.argMax(model.predict(x) as tf.Tensor, 1), 3);
const loss = (yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, tf.log(tf.add(yPred, 1e-7))) as tf.Scalar;

// One backward pass gives every layer's counting matrix; each (layer, multiplier) estimate is a dot product.
const counting = countingMatricesOf(model, x, loss);
const choices = counting.map((c) =>
  layerChoices(c.layer.name, c.counting, appMulLibrary({ a: c.counting.a, w: c.counting.w }), c.multiplications),
);
const selection = selectMultipliers(choices, 0.01);
counting.forEach((c, l) => setMultiplier(c.layer, choices[l].multipliers[selection.choice[l]]));
export const chosen = model.layers.map((l) => multiplierOf(l as LowbitQuantDense)?.name ?? 'exact');
export const estimatedLoss = selection.loss;
export const energy = { exact: choices.reduce((s, c) => s + c.options[0].energy, 0), chosen: selection.energy };
console.log(chosen, estimatedLoss, energy);
tf.dispose([x, yTrue]);
model.dispose();
