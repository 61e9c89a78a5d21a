import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LowbitConfigError,
  LowbitQuantActivation,
  LowbitQuantConv2D,
  LowbitQuantDense,
  LowbitWageQuantizer,
  type LowbitQuantLayer,
} from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { isWageLayer, wageConv2d, wageDense, type WageLayer } from './wage-layers.js';
import { LowbitWagePassThroughQuantizer } from './wage-quantizers.js';
import { LowbitWageInitializer, wageInitialKernel, wageInitializer } from './wage-init.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);
const alphaOf = (layer: unknown) => {
  if (!isWageLayer(layer)) throw new Error('not a WAGE layer');
  return layer.kernelQuantizer.alpha;
};

describe('wageDense', () => {
  it('is a quantDense with WAGE parts: no bias, linear, WAGE kernel quantizer, pass-through input part', () => {
    const layer = wageDense({ units: 2, weightBits: 3, inputBits: 6, seed: 4 });
    expect(layer).toBeInstanceOf(LowbitQuantDense);
    expect(isWageLayer(layer)).toBe(true);
    expect(layer.useBias).toBe(false);
    expect(layer.kernelQuantizer).toBeInstanceOf(LowbitWageQuantizer);
    expect(layer.kernelQuantizer!.getConfig()).toMatchObject({ bits: 3, mode: 'weight', alpha: 'auto' });
    expect(layer.inputQuantizer).toBeInstanceOf(LowbitWagePassThroughQuantizer);
    expect(layer.inputQuantizer!.getConfig()).toEqual({ bits: 6, signed: true });
    const config = layer.getConfig();
    expect(config.activation).toBe('linear');
    expect(config.kernelInitializer).toEqual({ className: 'LowbitWageInitializer', config: { bits: 3, seed: 4 } });
  });

  it('computes x . Q(C(W, k_W), k_W) / alpha with no bias (hand-computed)', () => {
    const layer = wageDense({ units: 2, weightBits: 2, inputShape: [2] });
    const x = tf.tensor2d([[1, 2]]);
    layer.apply(x);
    expect(alphaOf(layer)).toBe(1); // fan_in 2: sqrt(3/2) = 1.22 > 0.75
    expect(layer.getWeights()).toHaveLength(1);
    // W = [[0.3, -0.2], [0.6, 0.24]] -> C(., 2) clips to +-0.5 -> Q rounds W / 0.5: [[1, 0], [1, 0]] * 0.5
    layer.setWeights([
      tf.tensor2d([
        [0.3, -0.2],
        [0.6, 0.24],
      ]),
    ]);
    expect(plain(layer.apply(x) as tf.Tensor)).toEqual([1 * 0.5 + 2 * 0.5, 0]);
  });

  it('has the WAGE alpha of the LeNet dense layers and divides by it', () => {
    const fc1 = wageDense({ units: 3, weightBits: 2, seed: 1 });
    fc1.apply(tf.zeros([1, 1024]));
    expect(alphaOf(fc1)).toBe(16); // 0.75 / sqrt(3/1024) = 13.9 -> 2^round(3.79)
    const fc2 = wageDense({ units: 10, weightBits: 2, seed: 2 });
    const x = tf.tidy(() => tf.div(tf.round(tf.mul(tf.randomUniform([3, 512], -1, 1, 'float32', 4), 127)), 128));
    const y = fc2.apply(x) as tf.Tensor;
    expect(alphaOf(fc2)).toBe(8); // 9.8 -> 2^3
    const kernel = fc2.getWeights()[0]!;
    expect(plain(kernel)).toEqual(plain(wageInitialKernel([512, 10], 2, 2))); // the seeded WAGE init
    expect(new Set(plain(kernel))).toEqual(new Set([-0.5, 0, 0.5])); // snapped to the grid
    expect(plain(y)).toEqual(plain(tf.div(tf.matMul(x, kernel), 8)));
    const p = fc2.lowbitPrecision();
    expect(p.weight).toEqual({ kind: 'ternary', bits: 2, signed: true });
    expect(p.input).toEqual({ kind: 'int', bits: 8, signed: true });
    // the accumulator WAGE needs: 512 * 127 * 1 < 2^16, plus the sign
    expect((fc2 as WageLayer).kernelQuantizer.accumulatorBits(p.input!)).toBe(Math.ceil(Math.log2(512 * 127 + 1)) + 1);
    // integer export: codes times the power-of-two scale sigma / alpha = 0.5 / 8 give the forward kernel
    const q = fc2.exportQuantized().kernel;
    expect(q.scale[0]).toBe(0.5 / 8);
    expect(Array.from(q.dequantize())).toEqual(plain(tf.div(kernel, 8)));
    // the generic integer path of quant-core reproduces the forward pass on k_A-grid inputs
    expect(plain(fc2.integerForward(x))).toEqual(plain(y));
  });

  it('passes gradients straight through to the float shadow weights (divided by alpha)', () => {
    const layer = wageDense({ units: 2, weightBits: 2, seed: 3 });
    const x = tf.tensor2d([[1, -2, 0.5]]);
    layer.apply(x);
    const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, [kernel]);
    const g = grads[kernel.name]!;
    // d sum(x W / alpha) / dW = x^T * 1 / alpha, alpha = 1 for fan_in 3
    expect(plain(g)).toEqual([1, 1, -2, -2, 0.5, 0.5]);
  });

  it('snaps a user-given initializer to the k_W grid (it becomes the base of the WAGE initializer)', () => {
    const base = tfl.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: 2 });
    const layer = wageDense({ units: 3, weightBits: 3, kernelInitializer: base });
    layer.apply(tf.zeros([1, 8]));
    const w = plain(layer.getWeights()[0]!);
    expect(w.every((v) => Number.isInteger(v * 4) && Math.abs(v) <= 0.75)).toBe(true);
    expect(layer.getConfig().kernelInitializer).toMatchObject({
      className: 'LowbitWageInitializer',
      config: { bits: 3, base: { className: 'RandomNormal' } },
    });
    const own = wageDense({ units: 3, weightBits: 3, kernelInitializer: wageInitializer({ bits: 3, seed: 8 }) });
    own.apply(tf.zeros([1, 8]));
    expect(plain(own.getWeights()[0]!)).toEqual(plain(wageInitialKernel([8, 3], 3, 8)));
  });

  it('rejects a bias, a nonlinear activation, quantizer arguments, old names and bad bit widths', () => {
    expect(() => wageDense({ units: 2, useBias: true as never })).toThrow(/useBias/);
    expect(() => wageDense({ units: 2, activation: 'relu' as never })).toThrow(/activation/);
    expect(() => wageDense({ units: 2, kernelQuantizer: 'wage' } as never)).toThrow(/kernelQuantizer/);
    expect(() => wageDense({ units: 2, inputQuantizer: 'wage' } as never)).toThrow(/inputQuantizer/);
    expect(() => wageDense({ units: 2, weightBits: 1 })).toThrow(LowbitConfigError);
    expect(() => wageDense({ units: 2, weightBits: 17 })).toThrow(/weightBits/);
    expect(() => wageDense({ units: 2, inputBits: 0 })).toThrow(/inputBits/);
    expect(() => wageDense({ units: 2, seed: -3 })).toThrow(/seed/);
    expect(() => wageDense({ units: 0 })).toThrow(/units/);
    expect(() => wageDense({ units: 2, bitsW: 2 } as never)).toThrow(/bitsW.*renamed: use weightBits/);
    expect(() => wageDense({ units: 2, seed: 1, kernelInitializer: 'glorotUniform' })).toThrow(/seed/);
    expect(() =>
      wageDense({ units: 2, weightBits: 2, kernelInitializer: new LowbitWageInitializer({ bits: 4 }) }),
    ).toThrow(/kernelInitializer.bits/);
  });
});

describe('wageConv2d', () => {
  it('has the LeNet alphas and computes conv(x, Q(C(W))) / alpha', () => {
    const conv1 = wageConv2d({ filters: 32, kernelSize: 5, weightBits: 2, seed: 1 });
    expect(conv1).toBeInstanceOf(LowbitQuantConv2D);
    const x1 = tf.randomUniform([1, 28, 28, 1], -1, 1, 'float32', 1);
    conv1.apply(x1);
    expect(alphaOf(conv1)).toBe(2); // fan_in 25: 0.75 / 0.346 -> 2
    const conv2 = wageConv2d({ filters: 4, kernelSize: 5, weightBits: 2, seed: 2 });
    const x = tf.randomUniform([2, 12, 12, 32], -1, 1, 'float32', 2);
    const y = conv2.apply(x) as tf.Tensor;
    expect(alphaOf(conv2)).toBe(16); // fan_in 800
    const kernel = conv2.getWeights()[0]!;
    expect(plain(y)).toEqual(plain(tf.div(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), 16)));
    expect(y.shape).toEqual([2, 8, 8, 4]);
    expect(() => wageConv2d({ filters: 2, kernelSize: 3, useBias: true as never })).toThrow(/useBias/);
    expect(() => wageConv2d({ filters: 2, kernelSize: 3, weightBits: 20 })).toThrow(/weightBits/);
  });

  it('with 8-bit weights keeps alpha = 1 and a finer grid', () => {
    const conv = wageConv2d({ filters: 2, kernelSize: 5, weightBits: 8, seed: 1 });
    conv.apply(tf.zeros([1, 6, 6, 1]));
    expect(alphaOf(conv)).toBe(1);
    expect(plain(conv.getWeights()[0]!).every((v) => Number.isInteger(v * 128))).toBe(true);
    expect(conv.lowbitPrecision().weight).toEqual({ kind: 'int', bits: 8, signed: true });
  });

  it('keeps tfjs arguments (strides, padding, dilation) and no tensor leaks over fit steps', async () => {
    const model = tfl.sequential({
      layers: [
        wageConv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', seed: 5 }),
        tfl.layers.flatten(),
        wageDense({ units: 2, seed: 6 }),
      ],
    });
    const conv = model.layers[0] as LowbitQuantConv2D;
    expect([conv.strides, conv.padding, conv.dilationRate]).toEqual([[2, 2], 'same', [1, 1]]);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = tf.randomUniform([4, 7, 7, 2], -1, 1, 'float32', 7);
    const y = tf.zeros([4, 2]);
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
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
    expect(new Set(classNames)).toEqual(
      new Set(
        [
          'LowbitQuantActivation',
          'LowbitQuantConv2D',
          'LowbitQuantDense',
          'LowbitWageActivationQuantizer',
          'LowbitWageQuantizer',
          'LowbitWagePassThroughQuantizer',
          'LowbitWageInitializer',
          'LowbitExactArithmetic',
        ].map((n) => `"class_name":"${n}"`),
      ),
    );
    expect(JSON.stringify(json)).toContain('"alpha":"auto"');
    const dir = mkdtempSync(join(tmpdir(), 'wage-'));
    dirs.push(dir);
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expect(plain(loaded.predict(x) as tf.Tensor)).toEqual(before);
    const conv = loaded.layers[1] as LowbitQuantLayer;
    expect(isWageLayer(conv)).toBe(true);
    // alpha is derived again from the kernel shape on reload
    expect([alphaOf(conv), conv.useBias]).toEqual([alphaOf(model.layers[1]), false]);
    expect(isWageLayer(loaded.layers[7])).toBe(true);
    expect(loaded.layers[2]).toBeInstanceOf(LowbitQuantActivation);
    const fromJson = await tfl.models.modelFromJSON(json as never);
    expect(fromJson.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
  });
});
