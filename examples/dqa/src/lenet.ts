/**
 * The float net of the experiment: LeNet-5 with ReLU and max pooling
 * (6C5-MP2-16C5-MP2-120-84-10), seeded initialisation, trained with Adam on a cosine schedule and
 * the kit's seeded data order, so every seed's net is reproducible.
 *
 * ```ts
 * const model = lenet5(1);
 * const curve = await trainFloat(model, train, test, settings, 1);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { accuracyOf, correctness, cosineSchedule, fitSeeded, type CurveRow } from '@lowbit/experiment-kit';

export const LENET5 = 'LeNet-5: 6C5-relu-MP2-16C5-relu-MP2-120-relu-84-relu-10-softmax';

export function lenet5(seed: number): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  const conv = (name: string, filters: number, k: number, inputShape?: number[]) =>
    tfl.layers.conv2d({ name, filters, kernelSize: 5, activation: 'relu', kernelInitializer: init(k), inputShape });
  return tfl.sequential({
    layers: [
      conv('conv1', 6, 1, [28, 28, 1]),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      conv('conv2', 16, 2),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(3), name: 'fc1' }),
      tfl.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(4), name: 'fc2' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(5), name: 'out' }),
    ],
  });
}

/** `model.predict` in batches of 500 (its default, 32, is several times slower here). */
export function predictor(model: tfl.LayersModel): (x: tf.Tensor) => tf.Tensor {
  return (x) => model.predict(x, { batchSize: 500 }) as tf.Tensor;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  minLearningRate: number;
}

/** Trains `model` in place; returns the learning curve (test accuracy after every epoch, for the record only). */
export async function trainFloat(
  model: tfl.LayersModel,
  train: { images: tf.Tensor; labels: tf.Tensor },
  test: { images: tf.Tensor; labels: Int32Array },
  o: TrainOptions,
  seed: number,
  log: (msg: string) => void,
): Promise<CurveRow[]> {
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = tf.oneHot(train.labels as tf.Tensor1D, 10);
  try {
    return await fitSeeded(model, train.images, y, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed,
      learningRate: cosineSchedule(o.learningRate, o.epochs, o.minLearningRate),
      // Test accuracy per epoch measured here, not through fitSeeded's `validation`: its predict runs
      // tfjs's default batches of 32, several times slower than one batch of 500.
      onEpoch: (r) => {
        r.testAccuracy = accuracyOf(correctness(predictor(model), test.images, test.labels));
        log(
          `seed ${seed} epoch ${r.epoch}: lr ${r.learningRate.toExponential(2)}, loss ${r.loss.toFixed(4)}, ` +
            `test ${(100 * r.testAccuracy).toFixed(2)}% (${r.seconds.toFixed(0)} s)`,
        );
      },
    });
  } finally {
    y.dispose();
  }
}
