import * as tf from '@tensorflow/tfjs-core';
import { LowbitQuantConv2D } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import '../testing/test-log-quantizer.js';
import { logConv2d } from './log-conv2d.js';

const q = (config: Record<string, unknown>) => ({
  className: 'LowbitTestLogQuantizer',
  config: config as tf.serialization.ConfigDict,
});

describe('logConv2d', () => {
  const cases = [
    { padding: 'same', strides: 1, dataFormat: 'channelsLast', dilationRate: 1, kernel: q({ bits: 5, fsr: -1 }) },
    { padding: 'valid', strides: 2, dataFormat: 'channelsLast', dilationRate: 1, kernel: q({ bits: 4, fsr: -1 }) },
    { padding: 'same', strides: 1, dataFormat: 'channelsFirst', dilationRate: 1, kernel: q({ bits: 4, fsr: -1 }) },
    { padding: 'valid', strides: 1, dataFormat: 'channelsLast', dilationRate: 2, kernel: q({ bits: 4, fsr: -1 }) },
  ] as const;
  for (const c of cases) {
    const name = `${c.padding}, strides ${c.strides}, ${c.dataFormat}, dilation ${c.dilationRate}`;
    it(`${name}: shift inference equals the fake-quantized forward`, () => {
      const layer = logConv2d({
        filters: 3,
        kernelSize: 3,
        padding: c.padding,
        strides: c.strides,
        dataFormat: c.dataFormat,
        dilationRate: c.dilationRate,
        activation: 'relu',
        biasInitializer: 'ones',
        kernelQuantizer: c.kernel,
        inputQuantizer: q({ bits: 4, fsr: 1, signed: false }),
        arithmetic: 'shift',
      });
      expect(layer).toBeInstanceOf(LowbitQuantConv2D);
      const x = tf.randomNormal(c.dataFormat === 'channelsLast' ? [2, 7, 6, 2] : [2, 2, 7, 6], 0, 1, 'float32', 4);
      const shifted = layer.apply(x) as tf.Tensor;
      const fake = layer.apply(x, { training: true }) as tf.Tensor;
      expect(shifted.shape).toEqual(fake.shape);
      expect(Array.from(shifted.dataSync())).toEqual(Array.from(fake.dataSync()));
      tf.dispose([x, shifted, fake]);
    });
  }

  it('round-trips its config as a LowbitQuantConv2D and reports pow2 weights', () => {
    const layer = logConv2d({ filters: 2, kernelSize: 3, weightBits: 4, inputBits: 4, arithmetic: 'shift' });
    const config = layer.getConfig();
    const copy = LowbitQuantConv2D.fromConfig(
      LowbitQuantConv2D,
      JSON.parse(JSON.stringify(config)),
    ) as LowbitQuantConv2D;
    expect(copy.getConfig()).toEqual(config);
    expect(layer.lowbitPrecision()).toMatchObject({
      weight: { kind: 'pow2', bits: 4 },
      arithmetic: { multiply: 'shift' },
    });
  });
});
