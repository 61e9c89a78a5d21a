// The README example, runnable: npx tsx scripts/readme-example.ts
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../src/index.js';

// tfjs-node if installed, else wasm (SIMD) with our kernels, else cpu with our kernels.
const { backend, reason } = await selectBackend(); // logs "lowbit: backend wasm (...)"

const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, activation: 'relu' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const x = tf.randomUniform([64, 28, 28, 1]);
const y = tf.cast(tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10), 'float32');
const history = await model.fit(x, y, { epochs: 1, batchSize: 32 });
console.log(backend, reason, history.history.loss);
