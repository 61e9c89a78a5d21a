import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitQuantDense, quantDense } from './quant-dense.js';
import { LowbitQuantConv2D, quantConv2d } from './quant-conv2d.js';
import { quantDepthwiseConv2d } from './quant-depthwise-conv2d.js';
import { ramp } from './parity.fixture.js';
import { Arithmetic, type ArithmeticCost, type ProductContext } from '../arithmetic.js';
import { LowbitTestStepQuantizer } from './test-quantizer.fixture.js';

function tinyModel(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      quantConv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        activation: 'relu',
        kernelQuantizer: { className: 'LowbitTestStepQuantizer', config: { bits: 4, step: 0.125, stateful: true } },
      }),
      quantDepthwiseConv2d({
        kernelSize: 2,
        kernelQuantizer: 'test-step',
        inputQuantizer: new LowbitTestStepQuantizer({ bits: 6, step: 0.0625 }),
      }),
      tfl.layers.flatten(),
      quantDense({
        units: 2,
        activation: 'softmax',
        kernelQuantizer: new LowbitTestStepQuantizer({ bits: 3, step: 0.25 }),
      }),
    ],
  });
}

describe('quantized layers in models', () => {
  it('save and load (model.json + weights) with quantizer configs and state, same predictions', async () => {
    const model = tinyModel();
    const x = ramp([3, 6, 6, 1]);
    const y = model.predict(x) as tf.Tensor;
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved!.modelTopology)).toContain('LowbitTestStepQuantizer');
    // The stateful quantizer's variable is a saved weight.
    expect(saved!.weightSpecs!.map((s) => s.name).some((n) => n.endsWith('kernel_quantizer_gain'))).toBe(true);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const y2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    const dense = loaded.layers[3] as LowbitQuantDense;
    expect(dense).toBeInstanceOf(LowbitQuantDense);
    expect(dense.kernelQuantizer).toBeInstanceOf(LowbitTestStepQuantizer);
    expect((dense.kernelQuantizer as LowbitTestStepQuantizer).bits).toBe(3);
    expect(dense.getConfig()).toEqual((model.layers[3] as LowbitQuantDense).getConfig());
    tf.dispose([x, y, y2]);
  });

  it('fromConfig(getConfig()) rebuilds an equal layer', () => {
    const layer = quantConv2d({
      filters: 2,
      kernelSize: [2, 3],
      strides: [1, 2],
      padding: 'same',
      activation: 'tanh',
      kernelQuantizer: 'test-step',
      name: 'c',
    });
    const config = layer.getConfig();
    // tfjs's initializer deserialization writes into the dict it is given: pass a copy.
    const copy = LowbitQuantConv2D.fromConfig(LowbitQuantConv2D, structuredClone(config));
    expect(copy.getConfig()).toEqual(config);
    expect(config.kernelQuantizer).toEqual({
      className: 'LowbitTestStepQuantizer',
      config: { bits: 4, step: 0.125, stateful: false },
    });
  });

  it('does not leak tensors across training steps (fit and optimizer.minimize)', async () => {
    const model = tinyModel();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = ramp([4, 6, 6, 1]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
    await model.fit(x, labels, { epochs: 1, batchSize: 2, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(x, labels, { epochs: 2, batchSize: 2, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);

    const opt = tf.train.sgd(0.05);
    const step = () => opt.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar, false);
    step();
    const before2 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before2);
    tf.dispose([x, labels]);
  });

  it('training with quantized kernels reduces the loss (gradients reach the float weights)', async () => {
    const model = tinyModel();
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const x = ramp([8, 6, 6, 1], 1, 0.5);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1], 'int32'), 2);
    const first = model.evaluate(x, labels) as tf.Scalar;
    const l0 = first.dataSync()[0];
    await model.fit(x, labels, { epochs: 30, batchSize: 8, verbose: 0 });
    const last = model.evaluate(x, labels) as tf.Scalar;
    expect(last.dataSync()[0]).toBeLessThan(l0);
    tf.dispose([x, labels, first, last]);
  });

  it('an arithmetic part replaces the core product; bias and activation follow it', () => {
    class LowbitDoubleArithmetic extends Arithmetic {
      static className = 'LowbitDoubleArithmetic';
      product(ctx: ProductContext): tf.Tensor {
        return tf.mul(ctx.exact(ctx.input, ctx.kernel), 2);
      }
      integerProduct(): tf.Tensor {
        throw new Error('not used');
      }
      cost(): ArithmeticCost {
        return { multiply: 'approximate', name: 'double', energyRatio: 2 };
      }
      getConfig() {
        return {};
      }
    }
    const layer = new LowbitQuantDense({ units: 2, activation: 'relu', arithmetic: new LowbitDoubleArithmetic() });
    layer.build([null, 2]);
    layer.setWeights([
      tf.tensor2d([
        [1, -1],
        [2, 0.5],
      ]),
      tf.tensor1d([-1, 0.25]),
    ]);
    const y = layer.apply(tf.tensor2d([[1, 1]])) as tf.Tensor;
    // relu(2 * [3, -0.5] + [-1, 0.25]) = [5, 0]
    expect(Array.from(y.dataSync())).toEqual([5, 0]);
    expect(layer.lowbitPrecision().arithmetic).toEqual({ multiply: 'approximate', name: 'double', energyRatio: 2 });
    y.dispose();
  });
});
