/**
 * Counting matrices of every AppMul layer of a model (generic quantized dense, conv2d and
 * depthwise-conv2d layers with a `LowbitAppMulArithmetic`) from calibration data, in two forward
 * passes and one backward pass, at the exact multiplier:
 * 1. each layer's arithmetic is swapped (`setArithmetic`) for a `LowbitCountingArithmetic`: the
 *    exact product, recording the operand codes and the product's shape on its first forward;
 * 2. forward + backward with a zero "probe" added to each product: the gradient of the loss
 *    with respect to the probe is dL/d(product) for that layer;
 * 3. `G_l` from the codes and dL/d(product) (`denseCountingMatrix`, `conv2dCountingMatrix`,
 *    `depthwiseConv2dCountingMatrix`), with one matrix per calibration sample as well
 *    (`secondOrder`, default true) for the second-order estimate.
 * The layers' arithmetics are restored afterwards. `loss` is taken to be the mean of per-sample
 * losses (`reduction: 'sum'` for a sum); the second-order term depends on it.
 *
 * ```ts
 * const counting = countingMatricesOf(model, xCalib, (yPred) => tf.losses.softmaxCrossEntropy(yCalib, yPred));
 * const choices = counting.map((c) =>
 *   layerChoices(c.layer.name, c.counting, appMulLibrary(c.counting), c.multiplications));
 * const { choice } = selectMultipliers(choices, budget);
 * counting.forEach((c, l) => setMultiplier(c.layer, choices[l].multipliers[choice[l]]));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitDataError,
  LowbitError,
  checkBoolean,
  checkFunction,
  checkKnownKeys,
  checkOneOf,
  checkTensor,
  type Arithmetic,
} from '@lowbit/quant-core';
import { appMulOperands, channelsFirst } from './arithmetic/appmul-operands.js';
import { LowbitCountingArithmetic, type RecordedOperands } from './arithmetic/counting-arithmetic.js';
import {
  conv2dCountingMatrix,
  denseCountingMatrix,
  depthwiseConv2dCountingMatrix,
  type CountingMatrix,
  type CountingOptions,
} from './counting.js';
import { appMulLayersOf, type AppMulLayer } from './layers/set-multiplier.js';
import type { OperandSpec } from './operand.js';

let probeCounter = 0;

export interface LayerCounting {
  layer: AppMulLayer;
  counting: CountingMatrix;
  /** Multiplications per calibration sample (K x N for dense; Ho Wo kh kw Cin Cout for conv). */
  multiplications: number;
}

function operandSpec(layer: AppMulLayer, which: 'input' | 'weight'): OperandSpec {
  const p = layer.lowbitPrecision()[which];
  if (!p || p.kind !== 'int') {
    const slot = which === 'input' ? 'inputQuantizer' : 'kernelQuantizer';
    throw new LowbitConfigError(
      `${layer.name}.${slot}`,
      p?.kind,
      'counting matrices need integer (kind "int") operands',
    );
  }
  return { bits: p.bits, signed: p.signed };
}

export interface CountingMatricesOptions {
  /** Keep per-sample matrices for the second-order estimate. Default true. */
  secondOrder?: boolean;
  /** How `loss` combines the samples' losses. Default 'mean'. */
  reduction?: 'mean' | 'sum';
  /** Cap on stored per-sample entries per layer (see {@link CountingOptions}). */
  maxEntries?: number;
}

/** The counting matrix of one layer from its recorded codes and dL/d(product) (layer format). */
function layerCounting(
  layer: AppMulLayer,
  recorded: RecordedOperands,
  grad: tf.Tensor,
  operands: { a: OperandSpec; w: OperandSpec },
  samples: number,
  options: CountingOptions,
): LayerCounting {
  const { input, kernel, layout } = recorded;
  const ops = appMulOperands(layer.name, input, kernel, layout, null);
  const scale = ops.scale.length === 1 ? ops.scale[0]! : ops.scale;
  const temporary: tf.Tensor[] = [ops.input, ops.kernel];
  try {
    if (layout.operation === 'dense') {
      const dy = tf.reshape(grad, [-1, kernel.shape[1]!]) as tf.Tensor2D;
      temporary.push(dy);
      const rowsPerSample = dy.shape[0] / samples;
      const dense = { ...options, rowsPerSample };
      const counting = denseCountingMatrix(
        ops.input as tf.Tensor2D,
        ops.kernel as tf.Tensor2D,
        dy,
        operands,
        scale,
        dense,
      );
      return { layer, counting, multiplications: rowsPerSample * kernel.size };
    }
    const g = layout.geometry!;
    const dy = (channelsFirst(layout) ? tf.transpose(grad, [0, 2, 3, 1]) : tf.clone(grad)) as tf.Tensor4D;
    temporary.push(dy);
    const geometry = { strides: g.strides, padding: g.padding, dilations: g.dilationRate };
    const count = layout.operation === 'conv2d' ? conv2dCountingMatrix : depthwiseConv2dCountingMatrix;
    const counting = count(ops.input as tf.Tensor4D, ops.kernel as tf.Tensor4D, dy, operands, scale, geometry, options);
    return { layer, counting, multiplications: dy.shape[1] * dy.shape[2] * kernel.size };
  } finally {
    tf.dispose(temporary);
  }
}

/** Counting matrices of the model's AppMul layers; `loss(yPred)` returns a scalar on the calibration batch. */
export function countingMatricesOf(
  model: tfl.LayersModel,
  x: tf.Tensor,
  loss: (yPred: tf.Tensor) => tf.Scalar,
  options: CountingMatricesOptions = {},
): LayerCounting[] {
  const layers = appMulLayersOf(model);
  checkTensor('x', x, { dtype: 'float32', minRank: 1 });
  checkFunction('loss', loss);
  checkKnownKeys('options', options, ['secondOrder', 'reduction', 'maxEntries']);
  const secondOrder = checkBoolean('secondOrder', options.secondOrder ?? true);
  const reduction = checkOneOf('reduction', options.reduction ?? 'mean', ['mean', 'sum'] as const);
  const samples = x.shape[0];
  if (!(samples > 0)) throw new LowbitConfigError('x', x.shape, 'expected a batch of at least one sample');
  const countingOptions: CountingOptions = {
    perSample: secondOrder,
    lossWeight: reduction === 'mean' ? 1 / samples : 1,
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
  };
  if (layers.length === 0) {
    throw new LowbitConfigError(
      'model',
      model.name,
      'has no AppMul layers (quantized layers with a LowbitAppMulArithmetic)',
    );
  }
  const specs = layers.map((l) => ({ a: operandSpec(l, 'input'), w: operandSpec(l, 'weight') }));
  const saved: Arithmetic[] = layers.map((l) => l.arithmetic);
  const counters = layers.map(() => new LowbitCountingArithmetic());
  const probes: tf.Variable[] = [];
  try {
    layers.forEach((l, i) => l.setArithmetic(counters[i]!));
    // apply, not predict: predict splits the batch (32 by default) and the codes must cover all of x.
    tf.tidy(() => {
      let y: tf.Tensor;
      try {
        y = model.apply(x, { training: false }) as tf.Tensor;
      } catch (e) {
        if (e instanceof LowbitError) throw e;
        // tfjs's own shape errors (a ValueError): name the argument that did not fit.
        throw new LowbitConfigError('x', x.shape, `does not fit model ${model.name}: ${(e as Error).message}`);
      }
      // The loss is checked on this first pass, outside the gradient tape (where a throw would strand tensors).
      const l = loss(y);
      if (!(l instanceof tf.Tensor) || l.size !== 1)
        throw new LowbitConfigError('loss', l, 'expected a function returning a scalar tensor');
    });
    layers.forEach((l, i) => {
      const counter = counters[i]!;
      if (counter.productShape === null)
        throw new LowbitConfigError('model', model.name, `layer ${l.name} did not run on x`);
      const name = `${l.name}_counting_probe_${probeCounter++}`;
      const probe = tf.tidy(() => tf.variable(tf.zeros(counter.productShape!), true, name));
      probes.push(probe);
      counter.probe = probe;
    });
    const { value, grads } = tf.variableGrads(() => loss(model.apply(x, { training: false }) as tf.Tensor), probes);
    const lossValue = value.dataSync()[0]!;
    value.dispose();
    if (!Number.isFinite(lossValue)) {
      tf.dispose(Object.values(grads));
      throw new LowbitDataError('countingMatricesOf', `the loss on x is ${lossValue}: check x and the loss function`);
    }
    try {
      return layers.map((l, i) =>
        layerCounting(l, counters[i]!.codes!, grads[probes[i]!.name]!, specs[i]!, samples, countingOptions),
      );
    } finally {
      tf.dispose(Object.values(grads));
    }
  } finally {
    layers.forEach((l, i) => l.setArithmetic(saved[i]!));
    tf.dispose(probes);
  }
}
