/**
 * `trainWage`: the WAGE training loop with the paper's settings: batch 128, SSE loss
 * `0.5 * sum (y - out)^2` on one-hot labels (no softmax), plain SGD with the integer update
 * ({@link LowbitWageOptimizer}) and the learning-rate schedule eta = 8, then 1, then 1/8
 * (the authors' code switches at 2/3 and 5/6 of the epochs: 200, 250 of 300).
 *
 * Determinism: the example order (a seeded Fisher-Yates shuffle per epoch), the initial weights
 * (seeded {@link wageInitialKernel}) and the stochastic rounding (seeded optimizer) are all
 * drawn from {@link SeededRng}; the forward and backward passes only add integers times powers of
 * two (exact in float32), so the same seeds give the same weights, bit for bit.
 *
 * ```ts
 * const history = await trainWage(model, images, oneHot, { epochs: 6, gradientBits: 8, weightBits: 2, seed: 1 });
 * history.map((h) => h.loss);
 * wageErrorRate(model, testImages, testLabels); // fraction misclassified
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  checkConfig,
  checkFinite,
  checkFunction,
  checkInteger,
  checkObject,
  checkTensor,
  LowbitConfigError,
  LowbitDataError,
  SeededRng,
  shuffledIndices,
} from '@lowbit/quant-core';
import { checkFiniteValues, checkNoNaN } from './finite.js';
import { LowbitWageOptimizer, MAX_WAGE_LEARNING_RATE } from './optimizer.js';
import { checkWageBits, rejectRenamed } from './bits.js';

/**
 * `0.5 * sum((yTrue - yPred)^2)` over the whole batch (the WAGE loss). Both float32 tensors of
 * the same shape (no broadcasting); NaN targets or predictions give a NaN loss.
 */
export function sseLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  checkTensor('yTrue', yTrue, { dtype: 'float32' });
  checkTensor('yPred', yPred, { dtype: 'float32' });
  if (yTrue.shape.join(',') !== yPred.shape.join(','))
    throw new LowbitConfigError('yPred.shape', yPred.shape, `expected the shape of yTrue [${yTrue.shape}]`);
  return tf.tidy(() => tf.mul(tf.sum(tf.square(tf.sub(yTrue, yPred))), 0.5) as tf.Scalar);
}

/** A tfjs LayersModel: `predict`, `apply` and its weights (trained or not). */
function checkModel(model: unknown): tfl.LayersModel {
  const m = model as Partial<tfl.LayersModel> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    typeof m.predict !== 'function' ||
    typeof m.apply !== 'function' ||
    !Array.isArray(m.trainableWeights)
  ) {
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel');
  }
  return m as tfl.LayersModel;
}

/** The shape of one example (batch dimension left out), or null when the model is not built yet. */
function shapeOf(symbolic: { shape: (number | null)[] }[] | undefined): (number | null)[] | null {
  return Array.isArray(symbolic) && symbolic.length === 1 ? symbolic[0].shape.slice(1) : null;
}

/** `x` as the model's input: float32, `[batch, ...input shape]`. */
function checkModelInput(model: tfl.LayersModel, argument: string, x: unknown): tf.Tensor {
  const t = checkTensor(argument, x, { dtype: 'float32', minRank: 1 });
  const want = shapeOf(model.inputs);
  if (want !== null && (t.rank !== want.length + 1 || want.some((d, i) => d !== null && d !== t.shape[i + 1]))) {
    const shape = want.map((d) => d ?? 'any').join(', ');
    throw new LowbitConfigError(`${argument}.shape`, t.shape, `expected [batch, ${shape}] (the model's input)`);
  }
  return t;
}

export interface WageStage {
  epochs: number;
  learningRate: number;
}

/** The paper's schedule over `epochs`: eta 8 for 2/3 of them, 1 for 1/6, 1/8 for the rest. */
export function wageSchedule(epochs: number): WageStage[] {
  checkInteger('epochs', epochs, 1, 100000);
  const first = Math.max(1, Math.round((epochs * 2) / 3));
  const second = Math.ceil((epochs - first) / 2);
  const third = epochs - first - second;
  return [
    { epochs: first, learningRate: 8 },
    { epochs: second, learningRate: 1 },
    { epochs: third, learningRate: 1 / 8 },
  ].filter((s) => s.epochs > 0);
}

export interface TrainWageOptions {
  /** Total epochs, split by {@link wageSchedule} (default 3); ignored when `schedule` is given. */
  epochs?: number;
  /** Explicit stages (epochs and eta each). */
  schedule?: WageStage[];
  /** Batch size (default 128). */
  batchSize?: number;
  /** Gradient bits k_G (default 8). */
  gradientBits?: number;
  /** Weight bits k_W, the optimizer's clip range (default 2). */
  weightBits?: number;
  /** Seed of the shuffling and of the stochastic rounding (default 0). */
  seed?: number;
  /** Stop each epoch after this many batches (for quick runs); default: all. */
  maxBatchesPerEpoch?: number;
  /** Called after each batch with the epoch, batch index and mean loss per example. */
  onBatchEnd?: (epoch: number, batch: number, loss: number) => void | Promise<void>;
  /** Called after each epoch with its entry of the returned history (as it finishes, for progress lines). */
  onEpochEnd?: (result: WageEpochResult) => void | Promise<void>;
}

export interface WageEpochResult {
  epoch: number;
  learningRate: number;
  /** Mean SSE loss per example over the epoch. */
  loss: number;
  batches: number;
  seconds: number;
}

/**
 * Trains `model` (float32 inputs `x`, one-hot float32 targets `y`) with the WAGE update.
 * Returns one entry per epoch. Uses `model.apply(x, { training: true })` and updates only
 * `model.trainableWeights`.
 */
export async function trainWage(
  model: tfl.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: TrainWageOptions = {},
): Promise<WageEpochResult[]> {
  if (options !== null && typeof options === 'object') rejectRenamed('trainWage(options)', options);
  const o = checkConfig<TrainWageOptions>('trainWage(options)', options, [
    'epochs',
    'schedule',
    'batchSize',
    'gradientBits',
    'weightBits',
    'seed',
    'maxBatchesPerEpoch',
    'onBatchEnd',
    'onEpochEnd',
  ]);
  checkModel(model);
  checkModelInput(model, 'x', x);
  if (!(y instanceof tf.Tensor) || y.dtype !== 'float32' || y.rank !== 2)
    throw new LowbitConfigError('y', y, 'expected one-hot float32 targets of shape [n, classes]');
  if (x.shape[0] !== y.shape[0] || x.shape[0] === 0)
    throw new LowbitConfigError('y', y.shape, `expected as many rows as x (${x.shape[0]}), at least 1`);
  const outputs = shapeOf(model.outputs);
  if (outputs !== null && (outputs.length !== 1 || (outputs[0] !== null && outputs[0] !== y.shape[1])))
    throw new LowbitConfigError('y.shape', y.shape, `expected [n, ${outputs.join(', ')}] (the model's output)`);
  const schedule = o.schedule ?? wageSchedule(o.epochs ?? 3);
  if (!Array.isArray(schedule) || schedule.length === 0)
    throw new LowbitConfigError('schedule', schedule, 'expected a non-empty array of { epochs, learningRate }');
  schedule.forEach((s, i) => {
    checkObject(`schedule[${i}]`, s, '{ epochs, learningRate }');
    checkInteger(`schedule[${i}].epochs`, s.epochs, 0, 100000);
    checkFinite(`schedule[${i}].learningRate`, s.learningRate, {
      min: 0,
      exclusiveMin: true,
      max: MAX_WAGE_LEARNING_RATE,
    });
  });
  if (o.onBatchEnd != null) checkFunction('onBatchEnd', o.onBatchEnd);
  if (o.onEpochEnd != null) checkFunction('onEpochEnd', o.onEpochEnd);
  // NaN or Infinity in the data would reach the weights through the first gradient.
  checkFiniteValues('x', x, ': the training data must be finite');
  checkFiniteValues('y', y, ': the targets must be finite');
  const batchSize = checkInteger('batchSize', o.batchSize ?? 128, 1, 1 << 20);
  const seed = checkInteger('seed', o.seed ?? 0, 0, 0xffffffff);
  const maxBatches = checkInteger(
    'maxBatchesPerEpoch',
    o.maxBatchesPerEpoch ?? Number.MAX_SAFE_INTEGER,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const optimizer = new LowbitWageOptimizer({
    learningRate: schedule[0].learningRate,
    gradientBits: checkWageBits('gradientBits', o.gradientBits ?? 8),
    weightBits: checkWageBits('weightBits', o.weightBits ?? 2),
    seed,
  });
  // A second stream (seed + 1) for the example order, so changing one does not shift the other.
  const order = new SeededRng((seed + 1) >>> 0);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new LowbitConfigError('model', model.name, 'has no trainable weights');
  const n = x.shape[0];
  const history: WageEpochResult[] = [];
  let epoch = 0;
  try {
    for (const stage of schedule) {
      optimizer.learningRate = stage.learningRate;
      for (let e = 0; e < stage.epochs; e++, epoch++) {
        const started = Date.now();
        const perm = shuffledIndices(n, order);
        let total = 0;
        let seen = 0;
        let batches = 0;
        for (let start = 0; start < n && batches < maxBatches; start += batchSize, batches++) {
          const idx = perm.subarray(start, Math.min(n, start + batchSize));
          const indices = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(x, indices);
          const yb = tf.gather(y, indices);
          // optimizer.minimize's two steps, so that nothing leaks when the update throws.
          let step: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
          try {
            step = optimizer.computeGradients(
              () => sseLoss(yb, model.apply(xb, { training: true }) as tf.Tensor),
              variables,
            );
            const grads = step.grads;
            optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
          } catch (e) {
            step?.value.dispose();
            throw e;
          } finally {
            tf.dispose([indices, xb, yb]);
            if (step !== null) tf.dispose(step.grads);
          }
          const value = (await step.value.data())[0];
          step.value.dispose();
          // Finite data and a finite loss give finite gradients unless the network itself overflows.
          if (!Number.isFinite(value))
            throw new LowbitDataError('trainWage', `the loss is ${value} at epoch ${epoch}, batch ${batches}`);
          total += value;
          seen += idx.length;
          await o.onBatchEnd?.(epoch, batches, value / idx.length);
        }
        const result: WageEpochResult = {
          epoch,
          learningRate: stage.learningRate,
          loss: total / seen,
          batches,
          seconds: (Date.now() - started) / 1000,
        };
        history.push(result);
        await o.onEpochEnd?.({ ...result });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}

/** Re-exported from quant-core, where it moved (the suite and examples shuffle with it too). */
export { shuffledIndices };

/**
 * Fraction of examples whose argmax prediction differs from the int32 label. Throws a
 * LowbitDataError when the model's output holds NaN or Infinity (see {@link predictClasses}).
 */
export function wageErrorRate(model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor, batchSize = 256): number {
  checkModel(model);
  checkModelInput(model, 'x', x);
  if (
    !(labels instanceof tf.Tensor) ||
    labels.rank !== 1 ||
    labels.dtype !== 'int32' ||
    labels.shape[0] !== x.shape[0]
  ) {
    throw new LowbitConfigError('labels', labels, `expected int32 class ids of shape [${x.shape[0]}]`);
  }
  const predicted = predictClasses(model, x, batchSize);
  const truth = labels.dataSync();
  let wrong = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] !== truth[i]) wrong++;
  return predicted.length === 0 ? 0 : wrong / predicted.length;
}

/**
 * Argmax class of every example, predicted in batches (inference mode). The model's output must
 * be `[batch, classes]`. NaN in `x`, or NaN / Infinity in the output (diverged weights), throws a
 * LowbitDataError instead of giving an arbitrary class.
 */
export function predictClasses(model: tfl.LayersModel, x: tf.Tensor, batchSize = 256): Int32Array {
  checkModel(model);
  checkModelInput(model, 'x', x);
  checkInteger('batchSize', batchSize, 1, 1 << 20);
  checkNoNaN('x', x, ': a NaN example has no class');
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [cls, bad] = tf.tidy(() => {
      const logits = model.predict(tf.slice(x, start, size));
      if (!(logits instanceof tf.Tensor) || logits.rank !== 2)
        throw new LowbitConfigError('model', model.name, 'expected one output of shape [batch, classes]');
      return [tf.argMax(logits, 1), tf.any(tf.logicalNot(tf.isFinite(logits)))];
    });
    const nonFinite = bad.dataSync()[0] === 1;
    if (!nonFinite) out.set(cls.dataSync() as Int32Array, start);
    tf.dispose([cls, bad]);
    if (nonFinite) {
      throw new LowbitDataError(
        'predictClasses',
        `the model output holds NaN or Infinity for examples ${start}..${start + size - 1} (diverged weights?)`,
      );
    }
  }
  return out;
}
