// The LeNet used by the bench and scripts: 32C5-MP2-64C5-MP2-512-10 ('valid' convolutions), and
// its QAT twin: the same net with WRPN 4-bit fake quantization (quant-core's generic layers) on
// the weights of every layer and on the inputs of every layer but the first (the activations).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { quantConv2d, quantDense, type QuantizerIdentifier } from '@lowbit/quant-core';

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

function compile(model: tfl.Sequential): tfl.Sequential {
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export function lenet(seed = 1): tfl.Sequential {
  return compile(
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 32,
          kernelSize: 5,
          activation: 'relu',
          kernelInitializer: init(seed),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 64, kernelSize: 5, activation: 'relu', kernelInitializer: init(seed + 1) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(seed + 2) }),
        tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(seed + 3) }),
      ],
    }),
  );
}

/** WRPN k-bit weight quantizer (signed, identity gradient) and activation quantizer ([0, 1]). */
export const wrpnWeights = (bits = 4): QuantizerIdentifier => ({
  className: 'LowbitWrpnQuantizer',
  config: { bits, mode: 'weight' },
});
export const wrpnInputs = (bits = 4): QuantizerIdentifier => ({
  className: 'LowbitWrpnQuantizer',
  config: { bits, mode: 'activation' },
});

export function lenetQat(seed = 1, bits = 4): tfl.Sequential {
  const w = () => wrpnWeights(bits);
  const a = () => wrpnInputs(bits);
  return compile(
    tfl.sequential({
      layers: [
        quantConv2d({
          inputShape: [28, 28, 1],
          filters: 32,
          kernelSize: 5,
          activation: 'relu',
          kernelInitializer: init(seed),
          kernelQuantizer: w(),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        quantConv2d({
          filters: 64,
          kernelSize: 5,
          activation: 'relu',
          kernelInitializer: init(seed + 1),
          kernelQuantizer: w(),
          inputQuantizer: a(),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        quantDense({
          units: 512,
          activation: 'relu',
          kernelInitializer: init(seed + 2),
          kernelQuantizer: w(),
          inputQuantizer: a(),
        }),
        quantDense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: init(seed + 3),
          kernelQuantizer: w(),
          inputQuantizer: a(),
        }),
      ],
    }),
  );
}

/** A random batch: images in [0, 1], one-hot labels. */
export function randomBatch(batch: number, seed = 7): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
    const labels = tf.randomUniform([batch], 0, 10, 'int32', seed + 1) as tf.Tensor1D;
    const y = tf.cast(tf.oneHot(labels, 10), 'float32') as tf.Tensor2D;
    return { x, y };
  });
}
