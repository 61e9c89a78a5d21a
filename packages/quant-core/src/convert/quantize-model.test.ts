import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { LowbitQuantConv2D } from '../layers/quant-conv2d.js';
import { LowbitQuantDense } from '../layers/quant-dense.js';
import { quantizeModel } from './quantize-model.js';

/** Two classes of 12x12 images: a bright bar, horizontal (0) or vertical (1), at a random place, plus noise. */
function bars(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D; labels: number[] } {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const data = new Float32Array(n * 144);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels.push(label);
    const at = 2 + Math.floor(rand() * 8);
    for (let p = 0; p < 144; p++) data[i * 144 + p] = 0.2 * rand();
    for (let t = 0; t < 12; t++) data[i * 144 + (label === 0 ? at * 12 + t : t * 12 + at)] += 1;
  }
  return { x: tf.tensor4d(data, [n, 12, 12, 1]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 2) as tf.Tensor2D, labels };
}

function lenet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv1',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv2',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({
        units: 16,
        activation: 'relu',
        name: 'fc1',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
      tfl.layers.dense({
        units: 2,
        activation: 'softmax',
        name: 'fc2',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
      }),
    ],
  });
}

function accuracy(model: tfl.LayersModel, x: tf.Tensor, labels: number[]): number {
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
  return labels.filter((l, i) => pred[i] === l).length / labels.length;
}

describe('quantizeModel', () => {
  let floatModel: tfl.LayersModel;
  let test: ReturnType<typeof bars>;

  beforeAll(async () => {
    floatModel = lenet();
    floatModel.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const train = bars(256, 7);
    await floatModel.fit(train.x, train.y, { epochs: 8, batchSize: 32, verbose: 0, shuffle: false });
    tf.dispose([train.x, train.y]);
    test = bars(200, 99);
  }, 120_000);

  it('trained float model is accurate (the premise of the conversion checks)', () => {
    expect(accuracy(floatModel, test.x, test.labels)).toBeGreaterThan(0.95);
  });

  it('8-bit conversion of every layer keeps the accuracy and transfers the weights', async () => {
    const q = await quantizeModel(floatModel, { default: { weightBits: 8, inputBits: 8 } });
    expect(q.layers.map((l) => l.getClassName())).toEqual([
      'LowbitQuantConv2D',
      'MaxPooling2D',
      'LowbitQuantConv2D',
      'Flatten',
      'LowbitQuantDense',
      'LowbitQuantDense',
    ]);
    const floatAcc = accuracy(floatModel, test.x, test.labels);
    expect(accuracy(q, test.x, test.labels)).toBeGreaterThanOrEqual(floatAcc - 0.02);
    // The float kernels moved over unchanged (quantization happens in the forward pass).
    const k0 = floatModel.getLayer('conv2').getWeights()[0]!.dataSync();
    const k1 = q.getLayer('conv2').getWeights()[0]!.dataSync();
    expect(Array.from(k1)).toEqual(Array.from(k0));
    expect((q.getLayer('conv1') as LowbitQuantConv2D).lowbitPrecision().weight).toEqual({
      kind: 'int',
      bits: 8,
      signed: true,
    });
  });

  it('layers left unquantized are bit-identical; lookup is name, then class, then default', async () => {
    const q = await quantizeModel(floatModel, {
      default: { weightBits: 4 },
      Dense: null,
      conv2: { weightBits: 6, inputBits: 6 },
    });
    expect(q.getLayer('fc1').getClassName()).toBe('Dense');
    expect(q.getLayer('fc2').getClassName()).toBe('Dense');
    expect((q.getLayer('conv1') as LowbitQuantConv2D).lowbitPrecision().weight?.bits).toBe(4);
    expect((q.getLayer('conv2') as LowbitQuantConv2D).lowbitPrecision().weight?.bits).toBe(6);
    for (const name of ['fc1', 'fc2']) {
      const a = floatModel
        .getLayer(name)
        .getWeights()
        .map((t) => Array.from(t.dataSync()));
      const b = q
        .getLayer(name)
        .getWeights()
        .map((t) => Array.from(t.dataSync()));
      expect(b).toEqual(a);
      // Same input, same output, bit for bit.
      const x = tf.randomUniform([3, name === 'fc1' ? 72 : 16], -1, 1, 'float32', 5);
      const ya = floatModel.getLayer(name).apply(x) as tf.Tensor;
      const yb = q.getLayer(name).apply(x) as tf.Tensor;
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([x, ya, yb]);
    }
  });

  it('an empty config copies the model: predictions are bit-identical', async () => {
    const q = await quantizeModel(floatModel, {});
    const a = floatModel.predict(test.x) as tf.Tensor;
    const b = q.predict(test.x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
  });

  it('the quantized copy fine-tunes with model.fit without leaking tensors', async () => {
    const q = await quantizeModel(floatModel, { default: { weightBits: 4, inputBits: 4 } });
    q.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
    const train = bars(64, 3);
    await q.fit(train.x, train.y, { epochs: 1, batchSize: 32, verbose: 0 });
    const before = tf.memory().numTensors;
    await q.fit(train.x, train.y, { epochs: 3, batchSize: 32, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(q.getLayer('fc1')).toBeInstanceOf(LowbitQuantDense);
    tf.dispose([train.x, train.y]);
  });

  it('rejects bad configs with errors naming the key', async () => {
    await expect(quantizeModel(floatModel, { nosuch: { weightBits: 4 } })).rejects.toThrow(/config\.nosuch/);
    await expect(quantizeModel(floatModel, { conv1: { weightBits: 1 } })).rejects.toThrow(LowbitConfigError);
    await expect(quantizeModel(floatModel, { conv1: { bits: 4 } as never })).rejects.toThrow(
      /config\.conv1\.bits.*unknown key/,
    );
    await expect(quantizeModel(floatModel, { conv1: { weightBits: 4, kernelQuantizer: 'wrpn' } })).rejects.toThrow(
      /not both/,
    );
    await expect(quantizeModel({} as never, {})).rejects.toThrow(/model/);
  });
});
