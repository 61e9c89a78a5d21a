// docs/guides/dqa.md: post-training activation quantization with DQA.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  applyDqa,
  decode,
  dqaLayers,
  dqaParamsOf,
  dqaStorageReport,
  encode,
  formatStorageReport,
} from '@lowbit/dqa-activations';

const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ units: 16, inputShape: [8], activation: 'relu', kernelInitializer: glorot(1) }),
    tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(2) }),
  ],
});
// (train the float model first; calibration labels should be real ones)
const x = tf.randomNormal([64, 8], 0, 1, 'float32', 3);
const y = tf.argMax(model.predict(x) as tf.Tensor, -1);

// A new model with a DQA activation layer after each hidden activation; `model` is untouched.
const dqa = await applyDqa(model, { x, y }, { bits: 3, extraBits: 3, importantFraction: 0.5 });
const direct = await applyDqa(model, { x, y }, { bits: 3, importantFraction: 0 }); // the baseline

// What a device would store for the hidden activations, and back, bit for bit.
const hidden = model.layers[0].apply(x) as tf.Tensor;
const layer = dqaLayers(dqa)[0];
export const bytes = encode(hidden, dqaParamsOf(layer));
const restored = decode(bytes);
const quantized = layer.apply(hidden) as tf.Tensor;
export const roundTripExact = tf.all(tf.equal(restored, quantized)).dataSync()[0] === 1;
export const report = formatStorageReport(dqaStorageReport(dqa, x));
console.log(report);
tf.dispose([x, y, hidden, restored, quantized]);
[model, dqa, direct].forEach((m) => m.dispose());
