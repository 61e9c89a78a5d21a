import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import {
  isTrainingKernelRegistered,
  registerTrainingKernels,
  restoreStockKernels,
  TRAINING_KERNELS,
} from './register.js';

afterEach(() => restoreStockKernels());

describe('registerTrainingKernels', () => {
  it('replaces the stock cpu kernels, keeps their setupFunc, and is idempotent', () => {
    const stock = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
    expect(stock).toBeDefined();
    const first = registerTrainingKernels({ backends: ['cpu'] });
    expect(first.replaced).toContain('cpu/Conv2DBackpropFilter');
    expect(first.replaced).toContain('cpu/MaxPoolGrad');
    expect(isTrainingKernelRegistered(tf.Conv2DBackpropFilter, 'cpu')).toBe(true);
    const ours = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu')!;
    expect(ours.kernelFunc).not.toBe(stock!.kernelFunc);
    expect(ours.setupFunc).toBe(stock!.setupFunc);
    const second = registerTrainingKernels({ backends: ['cpu'] });
    expect(second.replaced).toEqual([]);
    expect(second.alreadyRegistered.length).toBe(TRAINING_KERNELS.cpu.length);
    restoreStockKernels({ backends: ['cpu'] });
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'cpu')!.kernelFunc).toBe(stock!.kernelFunc);
    expect(isTrainingKernelRegistered(tf.Conv2DBackpropFilter, 'cpu')).toBe(false);
  });

  it('adds the kernels wasm lacks and keeps the stock wasm setupFunc of those it replaces', async () => {
    await import('@tensorflow/tfjs-backend-wasm'); // registers the stock wasm kernels (no init)
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    const stockInput = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    const report = registerTrainingKernels({ backends: ['wasm'] });
    expect(report.added).toEqual(
      expect.arrayContaining([
        'wasm/Conv2DBackpropFilter',
        'wasm/DepthwiseConv2dNativeBackpropFilter',
        'wasm/DepthwiseConv2dNativeBackpropInput',
      ]),
    );
    expect(report.replaced).toEqual(expect.arrayContaining(['wasm/Conv2DBackpropInput', 'wasm/BatchMatMul']));
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')!.setupFunc).toBe(stockInput!.setupFunc);
    restoreStockKernels({ backends: ['wasm'] });
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')!.kernelFunc).toBe(stockInput!.kernelFunc);
  });

  const bad: [string, unknown, string][] = [
    ['a string', 'cpu', 'registerTrainingKernels(options)'],
    ['an unknown backend', { backends: ['webgl'] }, 'backends'],
    ['an empty list', { backends: [] }, 'backends'],
    ['an unknown option', { backend: ['cpu'] }, 'registerTrainingKernels(options).backend'],
  ];
  for (const [name, options, argument] of bad) {
    it(`throws LowbitConfigError for ${name}`, () => {
      const err = (() => {
        try {
          registerTrainingKernels(options as never);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(LowbitConfigError);
      expect((err as LowbitConfigError).argument).toBe(argument);
    });
  }
});

describe('training with the patched cpu kernels', () => {
  function tinyConvNet(): tfl.Sequential {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.depthwiseConv2d({
          kernelSize: 2,
          depthMultiplier: 2,
          padding: 'same',
          depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    return model;
  }

  it('gives the same weights as the stock kernels after a step, leaks nothing, and learns', async () => {
    const x = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 4);
    // class 1 when the top half is brighter than the bottom half
    const labels = tf.tidy(() =>
      tf.cast(
        tf.greater(
          tf.sum(tf.slice(x, [0, 0, 0, 0], [16, 4, 8, 1]), [1, 2, 3]),
          tf.sum(tf.slice(x, [0, 4, 0, 0], [16, 4, 8, 1]), [1, 2, 3]),
        ),
        'int32',
      ),
    );
    const y = tf.tidy(() => tf.cast(tf.oneHot(labels as tf.Tensor1D, 2), 'float32'));

    const stockModel = tinyConvNet();
    await stockModel.trainOnBatch(x, y);
    const stockWeights = stockModel.getWeights().map((w) => w.dataSync().slice());

    registerTrainingKernels({ backends: ['cpu'] });
    const model = tinyConvNet();
    await model.trainOnBatch(x, y);
    model.getWeights().forEach((w, i) => {
      const got = w.dataSync();
      for (let k = 0; k < got.length; k++) expect(Math.abs(got[k] - stockWeights[i][k])).toBeLessThan(1e-5);
    });

    const before = tf.memory().numTensors;
    let firstLoss = 0;
    let lastLoss = 0;
    for (let step = 0; step < 30; step++) {
      const loss = (await model.trainOnBatch(x, y)) as number;
      if (step === 0) firstLoss = loss;
      lastLoss = loss;
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(lastLoss).toBeLessThan(firstLoss * 0.8);
    tf.dispose([x, labels, y]);
    stockModel.dispose();
    model.dispose();
  });
});
