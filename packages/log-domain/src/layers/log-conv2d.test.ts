import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import '../testing/test-log-quantizer.js';
import { LowbitLogConv2D, logConv2d } from './log-conv2d.js';

const q = (config: Record<string, unknown>) => ({ className: 'LowbitTestLogQuantizer', config: config as tf.serialization.ConfigDict });

describe('LowbitLogConv2D', () => {
  const cases = [
    { padding: 'same', strides: 1, dataFormat: 'channelsLast', kernel: q({ bits: 5, fsr: -1, linear: true }) },
    { padding: 'valid', strides: 2, dataFormat: 'channelsLast', kernel: q({ bits: 4, fsr: -1 }) },
    { padding: 'same', strides: 1, dataFormat: 'channelsFirst', kernel: q({ bits: 4, fsr: -1 }) },
  ] as const;
  for (const c of cases) {
    it(`${c.padding}, strides ${c.strides}, ${c.dataFormat}: shift inference equals the fake-quantized forward`, () => {
      const layer = logConv2d({
        filters: 3,
        kernelSize: 3,
        padding: c.padding,
        strides: c.strides,
        dataFormat: c.dataFormat,
        activation: 'relu',
        biasInitializer: 'ones',
        kernelQuantizer: c.kernel,
        inputQuantizer: q({ bits: 4, fsr: 1, signed: false }),
        inferenceArithmetic: 'shift',
      });
      const x = tf.randomNormal(c.dataFormat === 'channelsLast' ? [2, 6, 5, 2] : [2, 2, 6, 5], 0, 1, 'float32', 4);
      const shifted = layer.apply(x) as tf.Tensor;
      const fake = layer.apply(x, { training: true }) as tf.Tensor;
      expect(shifted.shape).toEqual(fake.shape);
      expect(Array.from(shifted.dataSync())).toEqual(Array.from(fake.dataSync()));
      tf.dispose([x, shifted, fake]);
    });
  }

  it('trains with model.fit without leaking tensors and round-trips its config', async () => {
    const net = tfl.sequential({
      layers: [
        logConv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelQuantizer: q({ bits: 4, fsr: 0 }), inputQuantizer: q({ bits: 4, fsr: 0, signed: false }), inferenceArithmetic: 'shift' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([8, 6, 6, 1], 0, 1, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    const k0 = net.layers[0].getWeights()[0].dataSync().slice();
    await net.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const n0 = tf.memory().numTensors;
    await net.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(n0);
    expect(net.layers[0].getWeights()[0].dataSync().some((v, i) => v !== k0[i])).toBe(true);
    const layer = net.layers[0] as LowbitLogConv2D;
    const config = layer.getConfig();
    const copy = LowbitLogConv2D.fromConfig(LowbitLogConv2D, JSON.parse(JSON.stringify(config))) as LowbitLogConv2D;
    expect(copy.getConfig()).toEqual(config);
    expect(layer.lowbitPrecision().weight?.kind).toBe('pow2');
    tf.dispose([x, y]);
  });

  it('rejects dilation in shift inference and bad inferenceArithmetic', () => {
    const layer = logConv2d({ filters: 1, kernelSize: 2, dilationRate: 2, kernelQuantizer: q({ bits: 4 }), inputQuantizer: q({ bits: 4 }), inferenceArithmetic: 'shift' });
    const x = tf.ones([1, 5, 5, 1]);
    expect(() => layer.apply(x)).toThrow(/dilation/);
    expect(() => logConv2d({ filters: 1, kernelSize: 2, inferenceArithmetic: 'fast' as never })).toThrow(LowbitConfigError);
    const plain = logConv2d({ filters: 1, kernelSize: 2, kernelQuantizer: q({ bits: 4 }), inputQuantizer: q({ bits: 4 }), inferenceArithmetic: 'shift' });
    const x3 = tf.ones([5, 5, 1]);
    expect(() => plain.shiftForward(x3)).toThrow(/built/); // not built yet
    tf.tidy(() => {
      plain.apply(tf.ones([1, 5, 5, 1]));
    });
    expect(() => plain.shiftForward(x3)).toThrow(/rank-4/);
    tf.dispose(x3);
    tf.dispose(x);
  });
});
