/**
 * Counting matrices of every {@link LowbitAppMulDense} in a model from calibration data, in two
 * forward passes and one backward pass, at the exact multiplier:
 * 1. forward: each layer records its operand codes and product shape;
 * 2. forward + backward with a zero "probe" added to each product: the gradient of the loss
 *    with respect to the probe is dL/d(product) for that layer;
 * 3. `G_l = denseCountingMatrix(codes, dL/d(product), outputScale)` per layer.
 * Layers' multipliers are restored afterwards.
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
import { LowbitConfigError } from '@lowbit/quant-core';
import { denseCountingMatrix, type CountingMatrix } from './counting.js';
import { LowbitAppMulDense } from './layers/appmul-dense.js';
import type { OperandSpec } from './operand.js';

let probeCounter = 0;

export interface LayerCounting {
  layer: LowbitAppMulDense;
  counting: CountingMatrix;
  /** Multiplications per calibration sample (K x N for a dense layer). */
  multiplications: number;
}

function operandSpec(layer: LowbitAppMulDense, which: 'input' | 'weight'): OperandSpec {
  const p = layer.lowbitPrecision()[which];
  if (!p || p.kind !== 'int') throw new LowbitConfigError(`${layer.name}.${which}Quantizer`, p?.kind, 'counting matrices need integer (kind "int") operands');
  return { bits: p.bits, signed: p.signed };
}

/** Counting matrices of the model's AppMul layers; `loss(yPred)` returns a scalar on the calibration batch. */
export function countingMatricesOf(model: tfl.LayersModel, x: tf.Tensor, loss: (yPred: tf.Tensor) => tf.Scalar): LayerCounting[] {
  const layers = model.layers.filter((l): l is LowbitAppMulDense => l instanceof LowbitAppMulDense);
  if (layers.length === 0) throw new LowbitConfigError('model', model.name, 'has no LowbitAppMulDense layers');
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
      const N = wCodes.shape[1];
      const dy = tf.reshape(g, [-1, N]) as tf.Tensor2D;
      try {
        const counting = denseCountingMatrix(aCodes, wCodes, dy, specs[i], outputScale);
        return { layer: l, counting, multiplications: aCodes.shape[1] * N };
      } finally {
        tf.dispose([dy, g]);
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
