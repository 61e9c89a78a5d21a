/**
 * The 4-bit WRPN LeNet that did not train: a classic 32-64-512 LeNet built by hand from
 * `wrpnConv2d` / `wrpnDense` (batch norm, WRPN activations), 50 Adam steps on 3,200 MNIST images,
 * once with tfjs' Glorot-uniform kernels (the factories' old default) and once with the factories'
 * default `LowbitWrpnUniform`; prints the share of each kernel that quantizes to 0 and the test
 * accuracy on 1,000 MNIST test images (cited in packages/wrpn-layers/README.md).
 *
 *   npx tsx --conditions=@lowbit/source examples/wrpn/src/init-check.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadMnist } from '@lowbit/datasets';
import { selectBackend } from '@lowbit/training-kernels';
import { wrpnActivation, wrpnConv2d, wrpnDense } from '@lowbit/wrpn-layers';
import { LowbitWrpnQuantizer } from '@lowbit/quant-core';

function handNet(bits: number, bn: boolean, glorot = false) {
  const g = glorot ? { kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) } : {};
  const m = tfl.sequential();
  m.add(wrpnConv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, weightBits: 8, useBias: !bn, ...g }));
  if (bn) m.add(tfl.layers.batchNormalization());
  m.add(wrpnActivation({ outputBits: bits }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(wrpnConv2d({ filters: 64, kernelSize: 5, weightBits: bits, inputBits: bits, useBias: !bn, ...g }));
  if (bn) m.add(tfl.layers.batchNormalization());
  m.add(wrpnActivation({ outputBits: bits }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(wrpnDense({ units: 512, weightBits: bits, inputBits: bits, useBias: !bn, ...g }));
  if (bn) m.add(tfl.layers.batchNormalization());
  m.add(wrpnActivation({ outputBits: 8 }));
  m.add(wrpnDense({ units: 10, weightBits: 8, inputBits: 8, activation: 'softmax', ...g }));
  return m;
}

function zeroFractions(m: tfl.LayersModel) {
  return m.layers
    .filter((l) => (l as { kernelQuantizer?: unknown }).kernelQuantizer instanceof LowbitWrpnQuantizer)
    .map((l) => {
      const q = (l as unknown as { kernelQuantizer: LowbitWrpnQuantizer }).kernelQuantizer;
      const w = l.getWeights()[0];
      const z = tf.tidy(() => tf.mean(tf.cast(tf.equal(q.call(w), 0), 'float32')).dataSync()[0]);
      return `${l.name}(${q.bits}b) ${(100 * z).toFixed(0)}%`;
    })
    .join(', ');
}

async function main() {
  tf.enableProdMode();
  await selectBackend({ log: false, threads: 1 });
  const train = await loadMnist({ split: 'train', limit: 3200 });
  const test = await loadMnist({ split: 'test', limit: 1000 });
  const y = tf.cast(tf.oneHot(train.labels, 10), 'float32');
  const nets: [string, () => tfl.Sequential][] = [
    ['Glorot-uniform kernels (the old default)', () => handNet(4, true, true)],
    ['default kernels (LowbitWrpnUniform)', () => handNet(4, true)],
  ];
  for (const [name, make] of nets) {
    const m = make();
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = zeroFractions(m);
    const h = await m.fit(train.images, y, { epochs: 1, batchSize: 64, verbose: 0 });
    const acc = tf.tidy(
      () =>
        tf
          .mean(tf.cast(tf.equal(tf.argMax(m.predict(test.images) as tf.Tensor, -1), test.labels), 'float32'))
          .dataSync()[0],
    );
    console.log(
      `${name}: zero weights at init: ${before}; after 50 steps: ${zeroFractions(m)}; loss ${Number(h.history.loss[0]).toFixed(3)}, test acc ${(100 * acc).toFixed(1)}%`,
    );
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
