// docs/guides/training-kernels.md: train a conv net in Node without tfjs-node.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '@lowbit/training-kernels';

// tfjs-node if installed, else wasm (SIMD) with the lowbit kernels, else cpu with them.
export const choice = await selectBackend({ log: false });
console.log(`backend ${choice.backend}: ${choice.reason}`);

const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({
      inputShape: [12, 12, 1],
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    }),
  ],
});
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const x = tf.randomUniform([16, 12, 12, 1], 0, 1, 'float32', 3);
const y = tf.oneHot(tf.randomUniform([16], 0, 3, 'int32', 4) as tf.Tensor1D, 3);
// Stock wasm would throw "Kernel 'Conv2DBackpropFilter' not registered"; with the kernels it trains.
const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
export const losses = history.history.loss.map(Number);
console.log(losses);
tf.dispose([x, y]);
model.dispose();
