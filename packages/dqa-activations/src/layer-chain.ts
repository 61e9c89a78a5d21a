/**
 * Runs a Sequential model one layer at a time, so calibration can read and replace the
 * activation after any layer, and scores outputs against labels (loss or accuracy).
 *
 * ```ts
 * const chain = layerChain(model);                       // checks the model is a plain chain
 * const h = runLayers(chain.layers, x, 0, 2);            // output of layers 0..1
 * const { loss, correct } = scoreOutputs(probs, labels, chain.outputsProbabilities);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitError,
  checkBoolean,
  checkFunction,
  checkInteger,
  checkTensor,
} from '@lowbit/quant-core';
import { checkLayers } from './check-layers.js';

export interface LayerChain {
  layers: tfl.layers.Layer[];
  /** True when the last layer ends in softmax (outputs are probabilities, not logits). */
  outputsProbabilities: boolean;
}

/** The layers of a Sequential model; throws {@link LowbitConfigError} for other models. */
export function layerChain(model: tfl.LayersModel): LayerChain {
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { getClassName?: unknown }).getClassName !== 'function'
  ) {
    throw new LowbitConfigError('model', model, 'expected a tfjs-layers Sequential model');
  }
  if (model.getClassName() !== 'Sequential') {
    throw new LowbitConfigError(
      'model',
      model.getClassName(),
      'expected a Sequential model (functional graphs are not supported yet)',
    );
  }
  const layers = model.layers;
  if (layers.length === 0) throw new LowbitConfigError('model', model.name, 'expected a model with layers');
  const last = layers[layers.length - 1].getConfig() as { activation?: unknown };
  return {
    layers,
    outputsProbabilities: last.activation === 'softmax' || layers[layers.length - 1].getClassName() === 'Softmax',
  };
}

/** Applies `layers[from .. to-1]` to `x` in inference mode (the caller disposes the result). */
export function runLayers(
  layers: tfl.layers.Layer[],
  x: tf.Tensor,
  from: number,
  to: number,
  after?: (index: number, y: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  checkLayers('layers', layers);
  checkTensor('x', x);
  checkInteger('from', from, 0, layers.length);
  checkInteger('to', to, from, layers.length);
  if (after !== undefined) checkFunction('after', after);
  return tf.tidy(() => {
    let y = x;
    for (let i = from; i < to; i++) {
      y = applyLayer(layers[i], i, y);
      if (after) y = after(i, y);
    }
    return y === x ? tf.clone(x) : y;
  });
}

/** One-hot labels from one-hot or integer labels. */
export function oneHotLabels(y: tf.Tensor, classes: number): tf.Tensor {
  checkTensor('y', y, { rank: [1, 2] });
  checkInteger('classes', classes, 1, 2 ** 24);
  if (y.rank === 2 && y.shape[1] !== classes) {
    throw new LowbitConfigError('y.shape', y.shape, `expected one-hot labels of ${classes} classes`);
  }
  return tf.tidy(() =>
    y.rank === 1 ? tf.cast(tf.oneHot(tf.cast(y, 'int32'), classes), 'float32') : tf.cast(y, 'float32'),
  );
}

/** Mean cross-entropy as a scalar tensor (differentiable in `outputs`); NaN outputs or labels give a NaN loss. */
export function crossEntropy(outputs: tf.Tensor, labels: tf.Tensor, probabilities: boolean): tf.Scalar {
  checkOutputsAndLabels(outputs, labels, probabilities);
  return tf.tidy(() => {
    const y = oneHotLabels(labels, outputs.shape[outputs.rank - 1]);
    if (probabilities) {
      const logp = tf.log(tf.clipByValue(outputs, 1e-7, 1));
      return tf.neg(tf.mean(tf.sum(tf.mul(y, logp), -1))) as tf.Scalar;
    }
    return tf.losses.softmaxCrossEntropy(y, outputs) as tf.Scalar;
  });
}

/** Summed loss and the number of correct argmax predictions of a batch (NaN outputs: a NaN loss, as tfjs losses). */
export function scoreOutputs(
  outputs: tf.Tensor,
  labels: tf.Tensor,
  probabilities: boolean,
): { lossSum: number; correct: number } {
  checkOutputsAndLabels(outputs, labels, probabilities);
  return tf.tidy(() => {
    const n = outputs.shape[0];
    const loss = crossEntropy(outputs, labels, probabilities).dataSync()[0] * n;
    const truth = labels.rank === 1 ? tf.cast(labels, 'int32') : tf.argMax(labels, -1);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(outputs, -1), truth), 'int32')).dataSync()[0];
    return { lossSum: loss, correct };
  });
}

/** `layer.apply(y)` in inference; a tfjs error becomes a LowbitConfigError naming the layer and the shape. */
function applyLayer(layer: tfl.layers.Layer, index: number, y: tf.Tensor): tf.Tensor {
  try {
    return layer.apply(y, { training: false }) as tf.Tensor;
  } catch (e) {
    if (e instanceof LowbitError) throw e;
    throw new LowbitConfigError(
      `layers[${index}] input`,
      y.shape,
      `layer ${layer.name} rejected it: ${String((e as Error)?.message ?? e).split('\n')[0]}`,
    );
  }
}

/** Batch-first float outputs [batch, classes] and labels of the same batch (indices or one-hot). */
function checkOutputsAndLabels(outputs: unknown, labels: unknown, probabilities: unknown): void {
  const o = checkTensor('outputs', outputs, { dtype: 'float32', rank: 2 });
  const l = checkTensor('labels', labels, { rank: [1, 2] });
  if (l.shape[0] !== o.shape[0]) {
    throw new LowbitConfigError('labels.shape', l.shape, `expected ${o.shape[0]} labels (the outputs' batch)`);
  }
  checkBoolean('probabilities', probabilities);
}
