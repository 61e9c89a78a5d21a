import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist, oneHotLabels, type LabeledImages } from '@lowbit/datasets';
import { registerTrainingKernels } from '@lowbit/training-kernels';
import { trainSaveReload, type TrainSaveReloadResult } from './train-save-reload.js';

// issue 2's end-to-end check, on a small subset: a Fashion-MNIST model with quant-core
// quantizers on weights and activations trains with model.fit, saves through fileIO and
// reloads with identical predictions.
let train: LabeledImages;
let test: LabeledImages;
let result: TrainSaveReloadResult;

beforeAll(async () => {
  // The stock cpu filter-gradient kernel is far too slow to train even a tiny conv net.
  registerTrainingKernels({ backends: ['cpu'] });
  train = await loadFashionMnist({ split: 'train', limit: 300 });
  test = await loadFashionMnist({ split: 'test', limit: 100 });
  result = await trainSaveReload({
    train,
    test,
    epochs: 3,
    batchSize: 32,
    dir: mkdtempSync(join(tmpdir(), 'qc-e2e-')),
  });
});

afterAll(() => {
  result.model.dispose();
  for (const t of [train.images, train.labels, test.images, test.labels]) t.dispose();
});

describe('quantized Fashion-MNIST net: fit, save, reload', () => {
  it('learns: the loss falls and test accuracy is well above chance', () => {
    expect(result.losses.length).toBe(3);
    expect(result.losses[2]).toBeLessThan(result.losses[0]);
    expect(result.testAccuracy).toBeGreaterThan(0.3);
  });

  it('reloads from model.json + weights.bin with bit-identical predictions', () => {
    expect(result.identicalPredictions).toBe(true);
    expect(result.reloadedTestAccuracy).toBe(result.testAccuracy);
  });

  it('exports integer weights at the configured bit widths whose values are what the layer uses', () => {
    const byLayer = new Map(result.integerWeights.map((w) => [w.layer, w.codes]));
    expect([...byLayer.keys()]).toEqual(['conv1', 'conv2', 'dense1', 'classes']);
    expect(byLayer.get('conv1')!.bits).toBe(8);
    expect(byLayer.get('conv2')!.bits).toBe(4);
    expect(byLayer.get('dense1')!.bits).toBe(4);
    const dense1 = byLayer.get('dense1')!;
    const [lo, hi] = dense1.codeRange();
    expect(dense1.codes.every((c) => c >= lo && c <= hi)).toBe(true);
    // Per output channel: as many scales as units.
    expect(dense1.scale.length).toBe(64);
    // The dequantized codes are exactly the fake-quantized kernel the layer multiplies with.
    const layer = result.model.getLayer('dense1');
    const kernel = layer.getWeights()[0];
    const quantizer = (layer as unknown as { kernelQuantizer: { call(x: tf.Tensor): tf.Tensor } }).kernelQuantizer;
    const fake = tf.tidy(() => quantizer.call(kernel).dataSync());
    expect(Array.from(dense1.dequantize())).toEqual(Array.from(fake));
  });

  it('leaks no tensors across repeated training epochs', async () => {
    const model = result.model;
    const xs = tf.slice(train.images, 0, 64);
    const ys = tf.tidy(() => oneHotLabels(tf.slice(train.labels, 0, 64)));
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });
});
