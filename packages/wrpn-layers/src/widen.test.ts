import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, quantConv2d, quantDense } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { lenetSpec, widenSpec } from './net-spec.js';
import { widen } from './widen.js';

describe('widen on a NetSpec', () => {
  it('multiplies filters and units except the class outputs', () => {
    const wide = widen(lenetSpec({ conv1: 4, conv2: 6, fc: 10, classes: 3 }), 3);
    expect(wide.layers.map((l) => ('filters' in l ? l.filters : 'units' in l ? l.units : l.type))).toEqual([
      12,
      'maxPool',
      18,
      'maxPool',
      'flatten',
      30,
      3,
    ]);
    expect(wide.inputShape).toEqual([28, 28, 1]);
  });

  it('rejects width factors that are not positive integers', () => {
    for (const bad of [0, -2, 1.5, Number.NaN, '2' as never])
      expect(() => widenSpec(lenetSpec(), bad)).toThrow(LowbitConfigError);
    expect(() => widen({} as never, 2)).toThrow(LowbitConfigError);
  });
});

describe('widen on a tfjs model', () => {
  it('widens every conv/dense except model outputs; input channels and depthwise layers stay', async () => {
    const model = tfl.sequential({
      layers: [
        quantConv2d({
          inputShape: [8, 8, 3],
          filters: 4,
          kernelSize: 3,
          kernelQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } },
        }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 5, activation: 'relu' }),
        quantDense({ units: 2, activation: 'softmax' }),
      ],
    });
    const wide = await widen(model, 2);
    const kernelShapes = (m: tfl.LayersModel) => m.layers.map((l) => l.weights[0]?.shape ?? null);
    expect(kernelShapes(wide)).toEqual([[3, 3, 3, 8], [3, 3, 8, 1], null, [128, 10], [10, 2]]);
    expect(kernelShapes(model)).toEqual([[3, 3, 3, 4], [3, 3, 4, 1], null, [64, 5], [5, 2]]);
    expect(wide.layers[0].getConfig().kernelQuantizer).toEqual({
      className: 'LowbitWrpnQuantizer',
      config: { bits: 4, mode: 'weight' },
    });
    const y = wide.predict(tf.zeros([1, 8, 8, 3])) as tf.Tensor;
    expect(y.shape).toEqual([1, 2]);
    y.dispose();
    await expect(widen(model, 0)).rejects.toThrow(LowbitConfigError);
  });
});
