/**
 * Training with a seeded data order and a learning-rate schedule, so every arm of an experiment
 * sees the same images in the same order for the same budget, and a run can be repeated exactly.
 *
 * ```ts
 * const curve = await fitSeeded(model, xTrain, yTrain, {
 *   epochs: 8, batchSize: 64, seed: 1,
 *   learningRate: stepSchedule(0.003, { dropEvery: 3, factor: 0.3 }),
 *   validation: { x: xTest, labels: testLabels },
 * });
 * const right = correctness(model, xTest, testLabels); // Uint8Array per test image
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, mix32, SeededRng, shuffledIndices } from '@lowbit/quant-core';
import { accuracyOf } from './stats.js';

export interface CurveRow {
  epoch: number;
  learningRate: number;
  loss: number;
  trainAccuracy?: number;
  testAccuracy?: number;
  seconds: number;
}

/** The training order of one epoch: a permutation of 0..n-1 fixed by (seed, epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  if (!Number.isInteger(seed) || seed < 0) throw new LowbitConfigError('seed', seed, 'expected an integer >= 0');
  if (!Number.isInteger(epoch) || epoch < 0) throw new LowbitConfigError('epoch', epoch, 'expected an integer >= 0');
  return shuffledIndices(n, new SeededRng(mix32(seed * 7919 + epoch)));
}

/** `base` times `factor` every `dropEvery` epochs. */
export function stepSchedule(base: number, o: { dropEvery: number; factor: number }): (epoch: number) => number {
  if (!(base > 0)) throw new LowbitConfigError('base', base, 'expected a learning rate > 0');
  if (!Number.isInteger(o?.dropEvery) || o.dropEvery < 1) {
    throw new LowbitConfigError('dropEvery', o?.dropEvery, 'expected an integer >= 1');
  }
  if (!(o.factor > 0 && o.factor <= 1)) throw new LowbitConfigError('factor', o.factor, 'expected a number in (0, 1]');
  return (epoch) => base * o.factor ** Math.floor(epoch / o.dropEvery);
}

/**
 * Cosine decay from `base` at epoch 0 to `min` at the last epoch, which trains at `min`: the default
 * `base / 20` keeps that epoch useful (with 0 it would change nothing).
 */
export function cosineSchedule(base: number, epochs: number, min = base / 20): (epoch: number) => number {
  if (!(base > 0)) throw new LowbitConfigError('base', base, 'expected a learning rate > 0');
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new LowbitConfigError('epochs', epochs, 'expected an integer >= 1');
  if (!(min >= 0 && min <= base)) throw new LowbitConfigError('min', min, `expected a number in [0, ${base}]`);
  return (epoch) => (epochs === 1 ? base : min + ((base - min) * (1 + Math.cos((Math.PI * epoch) / (epochs - 1)))) / 2);
}

type Predictor = tfl.LayersModel | ((x: tf.Tensor) => tf.Tensor);

/** Per test image, 1 when the argmax of the prediction is the label. Creates no lasting tensors. */
export function correctness(model: Predictor, x: tf.Tensor, labels: ArrayLike<number>, batchSize = 500): Uint8Array {
  if (!(x instanceof tf.Tensor)) throw new LowbitConfigError('x', x, 'expected a tf.Tensor of test inputs');
  const n = x.shape[0];
  if (labels?.length !== n) throw new LowbitConfigError('labels.length', labels?.length, `expected ${n} (x's batch)`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LowbitConfigError('batchSize', batchSize, 'expected an integer >= 1');
  }
  // model.predict would split each slice again into tfjs's default batches of 32 (3-4x slower here).
  const predict = typeof model === 'function' ? model : (t: tf.Tensor) => model.predict(t, { batchSize }) as tf.Tensor;
  const out = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const guess = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      return tf.argMax(predict(xb), -1);
    });
    const g = guess.dataSync();
    guess.dispose();
    for (let i = 0; i < size; i++) out[start + i] = g[i] === labels[start + i] ? 1 : 0;
  }
  return out;
}

export interface FitSeededOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate: (epoch: number) => number;
  /** Test accuracy every `everyEpochs` epochs (default 1) and after the last. */
  validation?: { x: tf.Tensor; labels: ArrayLike<number>; everyEpochs?: number };
  onEpoch?: (row: CurveRow) => void;
}

/** Sets a tfjs optimizer's learning rate (Adam, SGD, ...); throws for one that has none. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (v: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else if (typeof o.learningRate === 'number') o.learningRate = lr;
  else throw new LowbitConfigError('model.optimizer', optimizer.getClassName(), 'has no learning rate to schedule');
}

/**
 * Trains `model` (compiled) for `epochs`, each epoch on `x`/`y` in {@link epochOrder}(seed, epoch)
 * order with the scheduled learning rate; returns the learning curve.
 */
export async function fitSeeded(
  model: tfl.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: FitSeededOptions,
): Promise<CurveRow[]> {
  const { epochs, batchSize, seed, learningRate, validation, onEpoch } = options ?? ({} as FitSeededOptions);
  if (!model?.optimizer) throw new LowbitConfigError('model', model, 'expected a compiled tfjs LayersModel');
  if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor) || x.shape[0] !== y.shape[0]) {
    throw new LowbitConfigError('x, y', [x?.shape, y?.shape], 'expected two tensors with the same batch size');
  }
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new LowbitConfigError('epochs', epochs, 'expected an integer >= 1');
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LowbitConfigError('batchSize', batchSize, 'expected an integer >= 1');
  }
  if (typeof learningRate !== 'function') {
    throw new LowbitConfigError('learningRate', learningRate, 'expected a function of the epoch');
  }
  const every = validation?.everyEpochs ?? 1;
  const curve: CurveRow[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const started = Date.now();
    const lr = learningRate(epoch);
    if (!(lr >= 0 && isFinite(lr)))
      throw new LowbitConfigError(`learningRate(${epoch})`, lr, 'expected a finite rate >= 0');
    setLearningRate(model.optimizer, lr);
    const order = tf.tensor1d(epochOrder(x.shape[0], seed, epoch), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(y, order);
    order.dispose();
    let history: tfl.History;
    try {
      history = await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    } finally {
      xs.dispose();
      ys.dispose();
    }
    const h = history.history;
    const acc = (h.acc ?? h.accuracy)?.[0];
    const row: CurveRow = {
      epoch: epoch + 1,
      learningRate: lr,
      loss: Number(h.loss[0]),
      ...(acc === undefined ? {} : { trainAccuracy: Number(acc) }),
      seconds: (Date.now() - started) / 1000,
    };
    if (validation && ((epoch + 1) % every === 0 || epoch === epochs - 1)) {
      row.testAccuracy = accuracyOf(correctness(model, validation.x, validation.labels));
    }
    curve.push(row);
    onEpoch?.(row);
  }
  return curve;
}
