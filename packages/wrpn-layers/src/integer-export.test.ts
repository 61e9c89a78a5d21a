import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { quantConv2d, quantDense } from './index.js';
import { wrpnQuantizerConfig } from './wrpn-activation.js';

describe('integer export of WRPN layers', () => {
  for (const bits of [2, 3, 4, 8]) {
    it(`${bits}-bit WRPN conv: dequantized integer codes reproduce the fake-quantized output`, () => {
      const layer = quantConv2d({
        filters: 3,
        kernelSize: 3,
        kernelQuantizer: wrpnQuantizerConfig(bits, 'weight'),
        inputQuantizer: wrpnQuantizerConfig(bits, 'activation'),
      });
      const x = tf.randomUniform([2, 6, 6, 2], -0.2, 1.2, 'float32', 7);
      const y = layer.apply(x) as tf.Tensor;
      const { kernel, bias } = layer.exportQuantized();
      const n = 2 ** (bits - 1) - 1;
      expect(Math.max(...kernel.codes.map(Math.abs))).toBeLessThanOrEqual(n);
      const plain = tfl.layers.conv2d({ filters: 3, kernelSize: 3 });
      plain.build([null, 6, 6, 2]);
      plain.setWeights([tf.tensor(kernel.dequantize(), kernel.shape), tf.tensor(bias!)]);
      const xq = layer.inputQuantizer!.call(x);
      const y2 = plain.apply(xq) as tf.Tensor;
      expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
      tf.dispose([x, y, xq, y2]);
    });
  }

  it('1-bit WRPN dense exports +-1 codes with the mean |w| scale', () => {
    const layer = quantDense({ units: 2, useBias: false, kernelQuantizer: wrpnQuantizerConfig(1, 'weight') });
    layer.build([null, 2]);
    layer.setWeights([
      tf.tensor2d([
        [0.5, -0.1],
        [-0.3, 0.3],
      ]),
    ]);
    const { kernel } = layer.exportQuantized();
    expect(Array.from(kernel.dequantize()).map((v) => Number(v.toFixed(6)))).toEqual([0.3, -0.3, -0.3, 0.3]);
    expect(layer.lowbitPrecision().weight).toEqual({ kind: 'binary', bits: 1, signed: true });
  });
});
