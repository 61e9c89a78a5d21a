import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, quantDense } from '@lowbit/quant-core';
import { registerAppMul, resolveAppMul } from '../appmul-registry.js';
import { denseCountingMatrix } from '../counting.js';
import { drumMultiplier } from '../families/drum.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulMatMulReference } from '../simulate/reference.js';
import { appMulDense, LowbitAppMulDense } from './appmul-dense.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const a4u = { bits: 4, signed: false };
const w4s = { bits: 4, signed: true };

function model(layer: tfl.layers.Layer) {
  return tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [6] }), layer] });
}

describe('LowbitAppMulDense', () => {
  it('output = s_a s_w sum_k M(a, w) + bias, bit-exact against the scalar reference', () => {
    const m = drumMultiplier({ a: a4u, w: w4s, k: 2 });
    const layer = appMulDense({ units: 3, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: m, biasInitializer: 'ones', kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) });
    const net = model(layer);
    const x = tf.randomUniform([5, 6], -0.2, 1.2, 'float32', 7);
    const y = net.predict(x) as tf.Tensor;
    const { aCodes, wCodes, outputScale } = layer.operandCodes(x as tf.Tensor2D);
    const sums = appMulMatMulReference(aCodes.dataSync(), wCodes.dataSync(), [5, 6, 3], m);
    expect(outputScale).toBeCloseTo(1 / 15 / 7, 12);
    const expected = Array.from(sums, (s) => Math.fround(Math.fround(s * Math.fround(outputScale as number)) + 1));
    expect(Array.from(y.dataSync())).toEqual(expected);
    // and differs from the exact layer somewhere
    const exact = model(quantDense({ units: 3, inputQuantizer: actQ, kernelQuantizer: wQ, biasInitializer: 'ones' }));
    exact.setWeights(net.getWeights());
    const ye = exact.predict(x) as tf.Tensor;
    expect(Array.from(ye.dataSync())).not.toEqual(Array.from(y.dataSync()));
    layer.setMultiplier(null);
    const y0 = net.predict(x) as tf.Tensor;
    Array.from(y0.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ye.dataSync()[i], 5));
    tf.dispose([x, y, ye, y0, aCodes, wCodes]);
  });

  it('gradients are the exact quantized layer\'s (straight-through); training steps leak nothing', async () => {
    const layer = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s', kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 5 }) });
    const net = model(layer);
    const exact = model(quantDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ }));
    exact.setWeights(net.getWeights());
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 9);
    const t = tf.randomUniform([4, 2], 0, 1, 'float32', 10);
    const gradsOf = (mdl: tfl.Sequential) => tf.variableGrads(() => tf.sum(tf.mul(mdl.apply(x) as tf.Tensor, t)) as tf.Scalar, mdl.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    const g = gradsOf(net);
    const ge = gradsOf(exact);
    const names = Object.keys(g.grads);
    expect(names.length).toBe(2);
    names.forEach((n, i) => expect(Array.from(g.grads[n].dataSync())).toEqual(Array.from(ge.grads[Object.keys(ge.grads)[i]].dataSync())));
    tf.dispose([g.value, ge.value, ...Object.values(g.grads), ...Object.values(ge.grads)]);
    net.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const step = () => net.trainOnBatch(x, t);
    await step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t]);
  });

  it('saves the multiplier by name and reports it to hw-model', () => {
    const evoLike = truncatedMultiplier({ a: a4u, w: w4s, columns: 2 });
    registerAppMul(evoLike);
    const layer = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: evoLike.name });
    const config = layer.getConfig();
    expect(config.multiplier).toBe(evoLike.name);
    const copy = tf.serialization.SerializationMap.getMap().classNameMap.LowbitAppMulDense[1](LowbitAppMulDense, config) as LowbitAppMulDense;
    expect(copy.multiplier).toBe(evoLike);
    expect(layer.lowbitPrecision().multiplier).toEqual({ name: evoLike.name, energyPj: evoLike.energyPj });
    expect(resolveAppMul('drum2_a4u_w4s').family).toBe('drum');
  });

  it('operand codes feed the counting matrix', () => {
    const layer = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: null });
    model(layer);
    const x = tf.randomUniform([3, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
    const { aCodes, wCodes, outputScale } = layer.operandCodes(x);
    const dy = tf.ones([3, 2]) as tf.Tensor2D;
    const G = denseCountingMatrix(aCodes, wCodes, dy, { a: a4u, w: w4s }, outputScale);
    // Each of the 3 x 6 x 2 multiplications adds dL/dy * s = s: the total is 36 s.
    expect(G.g.reduce((p, v) => p + v, 0)).toBeCloseTo(36 * (outputScale as number), 6);
    tf.dispose([x, aCodes, wCodes, dy]);
  });

  it('bad configurations give typed errors', () => {
    expect(() => appMulDense({ units: 2, multiplier: 'nope' })).toThrow(LowbitConfigError);
    const noQuant = model(appMulDense({ units: 2, multiplier: 'trunc3_a4u_w4s' }));
    const x = tf.ones([1, 6]);
    expect(() => noQuant.predict(x)).toThrow(/needs both an input and a kernel quantizer/);
    const wide = model(appMulDense({ units: 2, inputQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 6, mode: 'activation' } }, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' }));
    expect(() => wide.predict(x)).toThrow(LowbitDataError);
    x.dispose();
  });
});
