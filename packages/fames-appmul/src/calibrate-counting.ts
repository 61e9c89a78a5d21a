/**
 * Counting matrices of every {@link LowbitAppMulDense} and {@link LowbitAppMulConv2D} in a model from calibration data, in two
 * forward passes and one backward pass, at the exact multiplier:
 * 1. forward: each layer records its operand codes and product shape;
 * 2. forward + backward with a zero "probe" added to each product: the gradient of the loss
 *    with respect to the probe is dL/d(product) for that layer;
 * 3. `G_l = denseCountingMatrix(codes, dL/d(product), outputScale)` per layer, with one matrix
 *    per calibration sample as well (`secondOrder`, default true) for the second-order estimate.
 * Layers' multipliers are restored afterwards. `loss` is taken to be the mean of per-sample losses
 * (`reduction: 'sum'` for a sum); the second-order term depends on it.
 *
 * ```ts
 * const counting = countingMatricesOf(model, xCalib, (yPred) => tf.losses.softmaxCrossEntropy(yCalib, yPred));
 * const choices = counting.map((c) => layerChoices(c.layer.name, c.counting, appMulLibrary(c.counting), c.multiplications));
 * const { choice } = selectMultipliers(choices, budget);
 * counting.forEach((c, l) => c.layer.setMultiplier(choices[l].multipliers[choice[l]]));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, checkBoolean, checkKnownKeys, checkOneOf } from '@lowbit/quant-core';
import { conv2dCountingMatrix, denseCountingMatrix, type CountingMatrix, type CountingOptions } from './counting.js';
import { LowbitAppMulConv2D } from './layers/appmul-conv2d.js';
import { LowbitAppMulDense } from './layers/appmul-dense.js';
import type { OperandSpec } from './operand.js';

let probeCounter = 0;

export type AppMulLayer = LowbitAppMulDense | LowbitAppMulConv2D;

export interface LayerCounting {
  layer: AppMulLayer;
  counting: CountingMatrix;
  /** Multiplications per calibration sample (K x N for dense; Ho Wo kh kw Cin Cout for conv). */
  multiplications: number;
}

function operandSpec(layer: AppMulLayer, which: 'input' | 'weight'): OperandSpec {
  const p = layer.lowbitPrecision()[which];
  if (!p || p.kind !== 'int') throw new LowbitConfigError(`${layer.name}.${which}Quantizer`, p?.kind, 'counting matrices need integer (kind "int") operands');
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

/** Counting matrices of the model's AppMul layers; `loss(yPred)` returns a scalar on the calibration batch. */
export function countingMatricesOf(model: tfl.LayersModel, x: tf.Tensor, loss: (yPred: tf.Tensor) => tf.Scalar, options: CountingMatricesOptions = {}): LayerCounting[] {
  checkKnownKeys('options', options ?? {}, ['secondOrder', 'reduction', 'maxEntries']);
  const secondOrder = checkBoolean('secondOrder', options?.secondOrder ?? true);
  const reduction = checkOneOf('reduction', options?.reduction ?? 'mean', ['mean', 'sum'] as const);
  const samples = x.shape[0];
  if (!(samples > 0)) throw new LowbitConfigError('x', x.shape, 'expected a batch of at least one sample');
  const countingOptions: CountingOptions = { perSample: secondOrder, lossWeight: reduction === 'mean' ? 1 / samples : 1, ...(options?.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}) };
  const layers = model.layers.filter((l): l is AppMulLayer => l instanceof LowbitAppMulDense || l instanceof LowbitAppMulConv2D);
  if (layers.length === 0) throw new LowbitConfigError('model', model.name, 'has no LowbitAppMulDense / LowbitAppMulConv2D layers');
  for (const l of layers) {
    if (l instanceof LowbitAppMulConv2D && (l.dataFormat !== 'channelsLast' || l.dilationRate.some((d) => d !== 1))) {
      throw new LowbitConfigError(`${l.name}.dataFormat/dilationRate`, [l.dataFormat, l.dilationRate], 'counting matrices need channelsLast data and dilation 1');
    }
  }
  const specs = layers.map((l) => ({ a: operandSpec(l, 'input'), w: operandSpec(l, 'weight') }));
  const saved = layers.map((l) => l.multiplier);
  const probes: tf.Variable[] = [];
  try {
    for (const l of layers) {
      l.setMultiplier(null);
      l.countingProbe = {};
    }
    // apply, not predict: predict splits the batch (32 by default) and the codes must cover all of x.
    tf.dispose(model.apply(x, { training: false }) as tf.Tensor);
    for (const l of layers) {
      const probe = tf.tidy(() => tf.variable(tf.zeros(l.countingProbe!.productShape!), true, `${l.name}_counting_probe_${probeCounter++}`));
      probes.push(probe);
      l.countingProbe!.probe = probe;
    }
    const { value, grads } = tf.variableGrads(() => loss(model.apply(x, { training: false }) as tf.Tensor), probes);
    value.dispose();
    return layers.map((l, i) => {
      const { aCodes, wCodes, outputScale } = l.countingProbe!.codes!;
      const g = grads[probes[i].name];
      try {
        if (l instanceof LowbitAppMulConv2D) {
          const counting = conv2dCountingMatrix(aCodes as tf.Tensor4D, wCodes as tf.Tensor4D, g as tf.Tensor4D, specs[i], outputScale, { strides: l.strides, padding: l.padding }, countingOptions);
          const [, ho, wo] = g.shape;
          return { layer: l, counting, multiplications: (ho as number) * (wo as number) * wCodes.size };
        }
        const N = wCodes.shape[1] as number;
        const dy = tf.reshape(g, [-1, N]) as tf.Tensor2D;
        try {
          const counting = denseCountingMatrix(aCodes as tf.Tensor2D, wCodes as tf.Tensor2D, dy, specs[i], outputScale, { ...countingOptions, rowsPerSample: dy.shape[0] / samples });
          return { layer: l, counting, multiplications: wCodes.size };
        } finally {
          dy.dispose();
        }
      } finally {
        g.dispose();
      }
    });
  } finally {
    layers.forEach((l, i) => {
      if (l.countingProbe?.codes) tf.dispose([l.countingProbe.codes.aCodes, l.countingProbe.codes.wCodes]);
      l.countingProbe = null;
      l.setMultiplier(saved[i]);
    });
    tf.dispose(probes);
  }
}
