import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { countingMatricesOf } from './calibrate-counting.js';
import { denseCountingMatrix } from './counting.js';
import { appMulDense } from './layers/appmul-dense.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };

function build() {
  const input = tfl.input({ shape: [6] });
  const l1 = appMulDense({ units: 5, inputQuantizer: actQ, kernelQuantizer: wQ, kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }), biasInitializer: tfl.initializers.constant({ value: 0.3 }) });
  const l2 = appMulDense({ units: 3, inputQuantizer: actQ, kernelQuantizer: wQ, kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }), multiplier: 'drum2_a4u_w4s' });
  const h = l1.apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: l2.apply(h) as tfl.SymbolicTensor });
  return { model, l1, l2, hidden: tfl.model({ inputs: input, outputs: h }) };
}

describe('countingMatricesOf', () => {
  it('matches counting matrices built by hand from dL/d(product) of each layer, and restores multipliers', () => {
    const { model, l1, l2, hidden } = build();
    const x = tf.randomUniform([8, 6], 0, 1, 'float32', 4);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
    const counting = countingMatricesOf(model, x, loss);
    expect(counting.map((c) => c.layer)).toEqual([l1, l2]);
    expect(counting.map((c) => c.multiplications)).toEqual([30, 15]);
    expect(l2.multiplier?.name).toBe('drum2_a4u_w4s');
    expect(l1.multiplier).toBeNull();

    // Layer 2 (linear activation): dL/d(product) = dL/dy of the model output at the exact multiplier.
    const saved = l2.multiplier;
    l2.setMultiplier(null);
    const y = model.predict(x) as tf.Tensor;
    const dy = tf.grad((t: tf.Tensor) => loss(t))(y) as tf.Tensor2D;
    const h = hidden.predict(x) as tf.Tensor2D;
    const c2 = l2.operandCodes(h);
    const G2 = denseCountingMatrix(c2.aCodes, c2.wCodes, dy, counting[1].counting, c2.outputScale);
    G2.g.forEach((v, i) => expect(counting[1].counting.g[i]).toBeCloseTo(v, 6));

    // Layer 1: dL/d(product) through bias, layer 2 (its quantizer's STE) and the loss.
    const c1 = l1.operandCodes(x as tf.Tensor2D);
    const product1 = tf.mul(tf.matMul(tf.cast(c1.aCodes, 'float32'), tf.cast(c1.wCodes, 'float32')), c1.outputScale as number);
    const bias1 = l1.getWeights()[1];
    const dP1 = tf.grad((p: tf.Tensor) => loss(l2.apply(tf.add(p, bias1)) as tf.Tensor))(product1) as tf.Tensor2D;
    const G1 = denseCountingMatrix(c1.aCodes, c1.wCodes, dP1, counting[0].counting, c1.outputScale);
    G1.g.forEach((v, i) => expect(counting[0].counting.g[i]).toBeCloseTo(v, 6));
    expect(G1.g.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    l2.setMultiplier(saved);
    tf.dispose([x, labels, y, dy, h, c2.aCodes, c2.wCodes, c1.aCodes, c1.wCodes, product1, dP1]);
  });

  it('leaks no tensors and needs AppMul layers with integer quantizers', () => {
    const { model } = build();
    // 40 samples: more than predict's default batch of 32, so every sample must be counted.
    const x = tf.randomUniform([40, 6], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.randomUniformInt([40], 0, 3, 6), 3);
    const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
    countingMatricesOf(model, x, loss);
    // loss = sum(y): dL/d(product) = 1 for the last layer, so G sums to (samples x K x N) x s.
    const ones = countingMatricesOf(model, x, (y) => tf.sum(y) as tf.Scalar);
    expect(ones[1].counting.g.reduce((s, v) => s + v, 0)).toBeCloseTo((40 * 5 * 3) / 15 / 7, 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) countingMatricesOf(model, x, loss);
    expect(tf.memory().numTensors).toBe(before);
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [6] })] });
    expect(() => countingMatricesOf(plain, x, loss)).toThrow(LowbitConfigError);
    const floatIn = tfl.sequential({ layers: [appMulDense({ units: 2, inputShape: [6], kernelQuantizer: wQ })] });
    expect(() => countingMatricesOf(floatIn, x, (y) => tf.sum(y) as tf.Scalar)).toThrow(LowbitConfigError);
    tf.dispose([x, labels]);
  });
});
