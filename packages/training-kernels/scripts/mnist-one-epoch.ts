// The real check: LeNet trained with model.fit for one epoch over the 60,000 MNIST training
// images (batch 64, Adam 1e-3) on the backend selectBackend picks (wasm, one thread per core
// here), then accuracy on the full 10,000-image test set.
//
//   npm run mnist -w packages/training-kernels [-- --prefer cpu] [-- --train 12800] [-- --threads 1] [-- --qat]
//
// --qat trains the WRPN 4-bit twin (bench/lenet.ts; with its glorot initialisation the 4-bit weights start
// at 0 almost everywhere and it does not learn: docs/results/training-kernels.md).
// Writes bench/results/mnist-one-epoch-<backend>[-qat].json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { loadMnist, oneHotLabels } from '@lowbit/datasets';
import { repoRoot } from '@lowbit/bench';
import { selectBackend, type BackendName } from '../src/index.js';
import { lenet, lenetQat } from '../bench/lenet.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const trainCount = Number(arg('train', '60000'));
const threadsArg = arg('threads', 'auto');
const qat = process.argv.includes('--qat');
tf.enableProdMode();
const loadAtStart = +loadavg()[0].toFixed(1);
const choice = await selectBackend({
  prefer: arg('prefer', 'wasm') as BackendName,
  threads: threadsArg === 'auto' ? 'auto' : Number(threadsArg),
});

const train = await loadMnist({ split: 'train', limit: trainCount < 60000 ? trainCount : undefined });
const test = await loadMnist({ split: 'test' });
const yTrain = oneHotLabels(train.labels);
const model = qat ? lenetQat() : lenet();

const t0 = performance.now();
await model.fit(train.images, yTrain, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
const fitSeconds = (performance.now() - t0) / 1000;

const t1 = performance.now();
let correct = 0;
for (let start = 0; start < test.count; start += 1000) {
  const size = Math.min(1000, test.count - start);
  correct += tf.tidy(() => {
    const x = tf.slice(test.images, [start, 0, 0, 0], [size, 28, 28, 1]);
    const predicted = tf.argMax(model.predict(x) as tf.Tensor, 1);
    return tf.sum(tf.cast(tf.equal(predicted, tf.slice(test.labels, [start], [size])), 'int32')).dataSync()[0];
  });
}
const evalSeconds = (performance.now() - t1) / 1000;
const accuracy = correct / test.count;

const result = {
  date: new Date().toISOString(),
  backend: choice.backend,
  reason: choice.reason,
  threads: choice.threads,
  model: qat ? 'LeNet, WRPN 4-bit weights and activations (QAT)' : 'LeNet (float32)',
  trainImages: train.count,
  testImages: test.count,
  batchSize: 64,
  epochs: 1,
  optimizer: 'adam(1e-3)',
  fitSeconds: +fitSeconds.toFixed(1),
  secondsPerStep: +(fitSeconds / Math.ceil(train.count / 64)).toFixed(3),
  evalSeconds: +evalSeconds.toFixed(1),
  testAccuracy: +accuracy.toFixed(4),
  // the machine is shared: the 1-minute load averages at the start and at the end say how busy it was
  loadAverage1mAtStart: loadAtStart,
  loadAverage1m: +loadavg()[0].toFixed(1),
};
console.log(result);
const dir = join(repoRoot(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, `mnist-one-epoch-${choice.backend}${qat ? '-qat' : ''}.json`),
  `${JSON.stringify(result, null, 2)}\n`,
);
tf.dispose([train.images, train.labels, test.images, test.labels, yTrain]);
