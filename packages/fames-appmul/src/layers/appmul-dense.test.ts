import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitQuantDense, quantDense } from '@lowbit/quant-core';
import '../index.js';
import { registerAppMul, resolveAppMul } from '../appmul-registry.js';
import { LowbitAppMulArithmetic } from '../arithmetic/appmul-arithmetic.js';
import { denseCountingMatrix } from '../counting.js';
import { drumMultiplier } from '../families/drum.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulMatMulReference } from '../simulate/reference.js';
import { appMulDense } from './appmul-dense.js';
import { layerOperandCodes } from './layer-operand-codes.js';
import { multiplierOf, setMultiplier } from './set-multiplier.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const a4u = { bits: 4, signed: false };
const w4s = { bits: 4, signed: true };
const init = (seed: number) => tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed });

function model(layer: tfl.layers.Layer) {
  return tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [6] }), layer] });
}

describe('appMulDense', () => {
  it('returns the generic LowbitQuantDense with the AppMul arithmetic', () => {
    const layer = appMulDense({ units: 3, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' });
    expect(layer).toBeInstanceOf(LowbitQuantDense);
    expect(layer.getClassName()).toBe('LowbitQuantDense');
    expect(layer.arithmetic).toBeInstanceOf(LowbitAppMulArithmetic);
    expect(multiplierOf(layer)).toBe(resolveAppMul('trunc3_a4u_w4s'));
    expect(layer.getConfig().arithmetic).toEqual({
      className: 'LowbitAppMulArithmetic',
      config: { multiplier: 'trunc3_a4u_w4s', appMulPath: 'auto' },
    });
  });

  it('output = s_a s_w sum_k M(a, w) + bias, bit-exact against the scalar reference; integerForward equals it', () => {
    const m = drumMultiplier({ a: a4u, w: w4s, k: 2 });
    const layer = appMulDense({
      units: 3,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: m,
      biasInitializer: 'ones',
      kernelInitializer: init(3),
    });
    const net = model(layer);
    const x = tf.randomUniform([5, 6], -0.2, 1.2, 'float32', 7);
    const y = net.predict(x) as tf.Tensor;
    const { aCodes, wCodes, outputScale } = layerOperandCodes(layer, x);
    const sums = appMulMatMulReference(aCodes.dataSync(), wCodes.dataSync(), [5, 6, 3], m);
    expect(outputScale).toBeCloseTo(1 / 15 / 7, 12);
    const expected = Array.from(sums, (s) => Math.fround(Math.fround(s * Math.fround(outputScale as number)) + 1));
    expect(Array.from(y.dataSync())).toEqual(expected);
    const yInt = layer.integerForward(x);
    expect(Array.from(yInt.dataSync())).toEqual(expected);
    // ... differs from the exact layer somewhere, and equals it bit for bit once the multiplier is null.
    const exact = model(quantDense({ units: 3, inputQuantizer: actQ, kernelQuantizer: wQ, biasInitializer: 'ones' }));
    exact.setWeights(net.getWeights());
    const ye = exact.predict(x) as tf.Tensor;
    expect(Array.from(ye.dataSync())).not.toEqual(Array.from(y.dataSync()));
    setMultiplier(layer, null);
    expect(multiplierOf(layer)).toBeNull();
    const y0 = net.predict(x) as tf.Tensor;
    expect(Array.from(y0.dataSync())).toEqual(Array.from(ye.dataSync()));
    tf.dispose([x, y, yInt, ye, y0, aCodes, wCodes]);
  });

  it('inputs of rank 3 (sequences): the product over the last axis', () => {
    const m = truncatedMultiplier({ a: a4u, w: w4s, columns: 2 });
    const layer = appMulDense({
      units: 2,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: m,
      kernelInitializer: init(8),
    });
    const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [3, 6] }), layer] });
    const x = tf.randomUniform([2, 3, 6], 0, 1, 'float32', 9);
    const y = net.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 2]);
    const flat = tf.reshape(x, [6, 6]);
    const { aCodes, wCodes, outputScale } = layerOperandCodes(layer, flat);
    const sums = appMulMatMulReference(aCodes.dataSync(), wCodes.dataSync(), [6, 6, 2], m);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(sums, (s) => Math.fround(s * Math.fround(outputScale as number))),
    );
    tf.dispose([x, y, flat, aCodes, wCodes]);
  });

  it("gradients are the exact quantized layer's (straight-through); training steps leak nothing", async () => {
    const layer = appMulDense({
      units: 2,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: 'trunc3_a4u_w4s',
      kernelInitializer: init(5),
    });
    const net = model(layer);
    const exact = model(quantDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ }));
    exact.setWeights(net.getWeights());
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 9);
    const t = tf.randomUniform([4, 2], 0, 1, 'float32', 10);
    const weightsOf = (mdl: tfl.Sequential) =>
      mdl.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const gradsOf = (mdl: tfl.Sequential) =>
      tf.variableGrads(() => tf.sum(tf.mul(mdl.apply(x) as tf.Tensor, t)) as tf.Scalar, weightsOf(mdl));
    const g = gradsOf(net);
    const ge = gradsOf(exact);
    const names = Object.keys(g.grads);
    expect(names.length).toBe(2);
    names.forEach((n, i) =>
      expect(Array.from(g.grads[n]!.dataSync())).toEqual(Array.from(ge.grads[Object.keys(ge.grads)[i]!]!.dataSync())),
    );
    // ... while the forward values differ (the approximate products).
    expect(g.value.dataSync()[0]).not.toBe(ge.value.dataSync()[0]);
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
    model(layer);
    const config = layer.getConfig();
    expect((config.arithmetic as { config: { multiplier: string } }).config.multiplier).toBe(evoLike.name);
    const copy = LowbitQuantDense.fromConfig(LowbitQuantDense, JSON.parse(JSON.stringify(config))) as LowbitQuantDense;
    expect(multiplierOf(copy)).toBe(evoLike);
    expect(copy.getConfig()).toEqual(config);
    expect(layer.lowbitPrecision().arithmetic).toMatchObject({ multiply: 'approximate', name: evoLike.name });
    expect(resolveAppMul('drum2_a4u_w4s').family).toBe('drum');
  });

  it('operand codes feed the counting matrix', () => {
    const layer = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: null });
    model(layer);
    const x = tf.randomUniform([3, 6], 0, 1, 'float32', 2);
    const { aCodes, wCodes, outputScale } = layerOperandCodes<tf.Tensor2D>(layer, x);
    const dy = tf.ones([3, 2]) as tf.Tensor2D;
    const G = denseCountingMatrix(aCodes, wCodes, dy, { a: a4u, w: w4s }, outputScale);
    // Each of the 3 x 6 x 2 multiplications adds dL/dy * s = s: the total is 36 s.
    expect(G.g.reduce((p, v) => p + v, 0)).toBeCloseTo(36 * (outputScale as number), 6);
    tf.dispose([x, aCodes, wCodes, dy]);
  });

  it('bad configurations give typed errors naming the parts', () => {
    expect(() => appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'nope' })).toThrow(
      LowbitConfigError,
    );
    expect(() => appMulDense({ units: 2, multiplier: 'trunc3_a4u_w4s' })).toThrow(/LowbitAppMulArithmetic \+ null/);
    const wide = { className: 'LowbitWrpnQuantizer', config: { bits: 6, mode: 'activation' } };
    expect(() =>
      appMulDense({ units: 2, inputQuantizer: wide, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' }),
    ).toThrow(/LowbitAppMulArithmetic \+ LowbitWrpnQuantizer/);
    expect(() => appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, arithmetic: 'exact' })).toThrow(
      /appMulDense.arithmetic/,
    );
    const layer = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' });
    expect(() => setMultiplier(layer, 'drum4_a8u_w8s')).not.toThrow(); // 4-bit codes fit 8-bit operands
    expect(() => setMultiplier(layer, 'trunc1_a2u_w4s')).toThrow(
      /LowbitAppMulArithmetic \+ LowbitWrpnQuantizer.*2-bit unsigned/,
    );
    expect(multiplierOf(layer)?.name).toBe('drum4_a8u_w8s');
    expect(() => setMultiplier(tfl.layers.dense({ units: 2 }) as never, null)).toThrow(/quantized weight layer/);
  });
});
