import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { LowbitWageConv2D, wageConv2d } from './wage-conv2d.js';
import { LowbitWageDense, wageDense } from './wage-dense.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('LowbitWageDense', () => {
  it('computes x . Q(C(W, k_W), k_W) / alpha with no bias (hand-computed)', () => {
    const layer = wageDense({ units: 2, bitsW: 2, inputShape: [2] });
    const x = tf.tensor2d([[1, 2]]);
    layer.apply(x);
    expect(layer.alpha).toBe(1); // fan_in 2: sqrt(3/2) = 1.22 > 0.75
    expect(layer.getWeights()).toHaveLength(1);
    // W = [[0.3, -0.2], [0.6, 0.24]] -> C(., 2) clips to +-0.5 -> Q rounds W / 0.5: [[1, 0], [1, 0]] * 0.5
    layer.setWeights([tf.tensor2d([[0.3, -0.2], [0.6, 0.24]])]);
    expect(plain(layer.apply(x) as tf.Tensor)).toEqual([1 * 0.5 + 2 * 0.5, 0]);
  });

  it('has the WAGE alpha of the LeNet dense layers and divides by it', () => {
    const fc1 = wageDense({ units: 3, bitsW: 2, seed: 1 });
    fc1.apply(tf.zeros([1, 1024]));
    expect(fc1.alpha).toBe(16); // 0.75 / sqrt(3/1024) = 13.9 -> 2^round(3.79)
    const fc2 = wageDense({ units: 10, bitsW: 2, seed: 2 });
    const x = tf.randomUniform([3, 512], -1, 1, 'float32', 4);
    const y = fc2.apply(x) as tf.Tensor;
    expect(fc2.alpha).toBe(8); // 9.8 -> 2^3
    const kernel = fc2.getWeights()[0];
    expect(new Set(plain(kernel))).toEqual(new Set([-0.5, 0, 0.5])); // snapped to the grid at init
    expect(plain(y)).toEqual(plain(tf.div(tf.matMul(x, kernel), 8)));
    expect(fc2.lowbitPrecision()).toEqual({
      weight: { kind: 'ternary', bits: 2, signed: true },
      input: { kind: 'int', bits: 8, signed: true },
      accumulatorBits: Math.ceil(Math.log2(512 * 127 + 1)) + 1,
    });
    // integer export: codes times the power-of-two scale sigma / alpha = 0.5 / 8 give the forward kernel
    const q = fc2.exportQuantized().kernel;
    expect(q.scale[0]).toBe(0.5 / 8);
    expect(Array.from(q.dequantize())).toEqual(plain(tf.div(kernel, 8)));
  });

  it('passes gradients straight through to the float shadow weights (divided by alpha)', () => {
    const layer = wageDense({ units: 2, bitsW: 2, seed: 3 });
    const x = tf.tensor2d([[1, -2, 0.5]]);
    layer.apply(x);
    const kernel = layer.trainableWeights[0].read() as tf.Variable;
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, [kernel]);
    const g = grads[kernel.name];
    // d sum(x W / alpha) / dW = x^T * 1 / alpha, alpha = 1 for fan_in 3
    expect(plain(g)).toEqual([1, 1, -2, -2, 0.5, 0.5]);
  });

  it('rejects a bias, a nonlinear activation, quantizer arguments and bad bit widths', () => {
    expect(() => wageDense({ units: 2, useBias: true as never })).toThrow(/useBias/);
    expect(() => wageDense({ units: 2, activation: 'relu' as never })).toThrow(/activation/);
    expect(() => wageDense({ units: 2, kernelQuantizer: 'wage' } as never)).toThrow(/kernelQuantizer/);
    expect(() => wageDense({ units: 2, bitsW: 1 })).toThrow(LowbitConfigError);
    expect(() => wageDense({ units: 2, bitsW: 17 })).toThrow(/bitsW/);
    expect(() => wageDense({ units: 2, inputBits: 0 })).toThrow(/inputBits/);
    expect(() => wageDense({ units: 2, seed: -3 })).toThrow(/seed/);
    expect(() => wageDense({ units: 0 })).toThrow(/units/);
  });
});

describe('LowbitWageConv2D', () => {
  it('has the LeNet alphas and computes conv(x, Q(C(W))) / alpha', () => {
    const conv1 = wageConv2d({ filters: 32, kernelSize: 5, bitsW: 2, seed: 1 });
    const x1 = tf.randomUniform([1, 28, 28, 1], -1, 1, 'float32', 1);
    conv1.apply(x1);
    expect(conv1.alpha).toBe(2); // fan_in 25: 0.75 / 0.346 -> 2
    const conv2 = wageConv2d({ filters: 4, kernelSize: 5, bitsW: 2, seed: 2 });
    const x = tf.randomUniform([2, 12, 12, 32], -1, 1, 'float32', 2);
    const y = conv2.apply(x) as tf.Tensor;
    expect(conv2.alpha).toBe(16); // fan_in 800
    const kernel = conv2.getWeights()[0];
    expect(plain(y)).toEqual(plain(tf.div(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), 16)));
    expect(y.shape).toEqual([2, 8, 8, 4]);
    expect(() => wageConv2d({ filters: 2, kernelSize: 3, useBias: true as never })).toThrow(/useBias/);
    expect(() => wageConv2d({ filters: 2, kernelSize: 3, bitsW: 20 })).toThrow(/bitsW/);
  });

  it('with 8-bit weights keeps alpha = 1 and a finer grid', () => {
    const conv = wageConv2d({ filters: 2, kernelSize: 5, bitsW: 8, seed: 1 });
    conv.apply(tf.zeros([1, 6, 6, 1]));
    expect(conv.alpha).toBe(1);
    expect(plain(conv.getWeights()[0]).every((v) => Number.isInteger(v * 128))).toBe(true);
    expect(conv.lowbitPrecision().weight).toEqual({ kind: 'int', bits: 8, signed: true });
  });
});

describe('serialization', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a WAGE model round-trips through JSON and through saveModel/loadModel with equal predictions', async () => {
    const model = tinyWageModel(3);
    const { x } = tinyData(4);
    const before = plain(model.predict(x) as tf.Tensor);
    const json = model.toJSON(null, false) as object;
    const classNames = JSON.stringify(json).match(/"class_name":"(Lowbit\w+)"/g);
    expect(new Set(classNames)).toEqual(new Set(['"class_name":"LowbitWageActivation"', '"class_name":"LowbitWageConv2D"', '"class_name":"LowbitWageDense"', '"class_name":"LowbitWageErrorQuantizer"']));
    const dir = mkdtempSync(join(tmpdir(), 'wage-'));
    dirs.push(dir);
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expect(plain(loaded.predict(x) as tf.Tensor)).toEqual(before);
    const conv = loaded.layers[1] as LowbitWageConv2D;
    expect(conv).toBeInstanceOf(LowbitWageConv2D);
    expect([conv.bitsW, conv.alpha, conv.useBias]).toEqual([2, (model.layers[1] as LowbitWageConv2D).alpha, false]);
    expect(loaded.layers[7]).toBeInstanceOf(LowbitWageDense);
    const fromJson = await tfl.models.modelFromJSON(json as never);
    expect(fromJson.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
  });
});
