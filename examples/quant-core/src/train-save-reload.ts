/**
 * The quant-core round trip a user does: train a quantized net with `model.fit`, save it with
 * `fileIO(dir)` (model.json + weights.bin with a SHA-256), load it back, check the reloaded
 * model predicts exactly the same, and export each layer's integer weights.
 *
 * ```ts
 * const r = await trainSaveReload({ train, test, epochs: 1, dir: '/tmp/net' });
 * r.identicalPredictions; // true
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitQuantLayer, type QuantizedTensor } from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { oneHotLabels, type LabeledImages } from '@lowbit/datasets';
import { buildQuantizedNet } from './model.js';

export interface TrainSaveReloadOptions {
  train: LabeledImages;
  test: LabeledImages;
  epochs: number;
  batchSize?: number;
  /** Folder the model is saved in. */
  dir: string;
  seed?: number;
  bits?: number;
  /** Called after each epoch with its loss and accuracy. */
  onEpoch?: (epoch: number, logs: tfl.Logs | undefined) => void;
}

export interface IntegerLayerExport {
  layer: string;
  codes: QuantizedTensor;
}

export interface TrainSaveReloadResult {
  model: tfl.LayersModel;
  losses: number[];
  testAccuracy: number;
  reloadedTestAccuracy: number;
  /** Every output probability of the reloaded model equals the original's bit for bit. */
  identicalPredictions: boolean;
  integerWeights: IntegerLayerExport[];
  trainSeconds: number;
}

function accuracy(model: tfl.LayersModel, data: LabeledImages): { accuracy: number; probabilities: Float32Array } {
  return tf.tidy(() => {
    const p = model.predict(data.images, { batchSize: 256 }) as tf.Tensor;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), data.labels), 'float32')).dataSync()[0];
    return { accuracy: correct / data.labels.shape[0], probabilities: p.dataSync() as Float32Array };
  });
}

export async function trainSaveReload(options: TrainSaveReloadOptions): Promise<TrainSaveReloadResult> {
  const { train, test, epochs, batchSize = 64, dir, seed = 1, bits = 4, onEpoch } = options;
  const model = buildQuantizedNet({ bits, seed });
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const ys = oneHotLabels(train.labels);
  const t0 = performance.now();
  let history: tfl.History;
  try {
    history = await model.fit(train.images, ys, {
      epochs,
      batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: { onEpochEnd: async (epoch, logs) => onEpoch?.(epoch, logs) },
    });
  } finally {
    ys.dispose();
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const before = accuracy(model, test);
  await saveModel(model, dir);
  const reloaded = await loadModel(dir);
  const after = accuracy(reloaded, test);
  let identical = before.probabilities.length === after.probabilities.length;
  for (let i = 0; identical && i < before.probabilities.length; i++) {
    identical = Object.is(before.probabilities[i], after.probabilities[i]);
  }
  const integerWeights = reloaded.layers
    .filter((l): l is LowbitQuantLayer => l instanceof LowbitQuantLayer && l.kernelQuantizer !== null)
    .map((l) => ({ layer: l.name, codes: l.exportQuantized().kernel }));
  reloaded.dispose();
  return {
    model,
    losses: (history.history.loss as number[]).map(Number),
    testAccuracy: before.accuracy,
    reloadedTestAccuracy: after.accuracy,
    identicalPredictions: identical,
    integerWeights,
    trainSeconds,
  };
}
