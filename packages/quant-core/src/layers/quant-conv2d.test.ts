import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { quantConv2d } from './quant-conv2d.js';
import { ramp, runBoth } from './parity.fixture.js';
import { LowbitTestStepQuantizer } from './test-quantizer.fixture.js';

describe('LowbitQuantConv2D without quantizers', () => {
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['valid 3x3', { filters: 2, kernelSize: 3 }, [2, 6, 6, 3]],
    [
      'same, strides 2, relu (fused)',
      { filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' },
      [1, 7, 6, 2],
    ],
    [
      'dilation 2, sigmoid (unfused)',
      { filters: 2, kernelSize: 2, dilationRate: 2, activation: 'sigmoid' },
      [1, 6, 6, 1],
    ],
    [
      'channelsFirst, no bias',
      { filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', useBias: false },
      [1, 2, 5, 5],
    ],
  ];
  for (const [label, args, shape] of cases) {
    it(`matches tf.layers.conv2d bit for bit: ${label}`, () => {
      const x = ramp(shape, 1.3);
      const ref = tfl.layers.conv2d(args as never);
      const ours = quantConv2d(args as never);
      const [expected, actual] = runBoth(ref, ours, x);
      expect(Array.from(actual)).toEqual(Array.from(expected));
      expect(ours.computeOutputShape(shape)).toEqual(ref.computeOutputShape(shape));
      x.dispose();
    });
  }
});

describe('LowbitQuantConv2D with quantizers', () => {
  it('convolves with the fake-quantized kernel and reports its precision', () => {
    const q = new LowbitTestStepQuantizer({ bits: 3, step: 0.25 });
    const layer = quantConv2d({ filters: 2, kernelSize: 2, kernelQuantizer: q });
    const x = ramp([1, 4, 4, 2]);
    layer.apply(x);
    const [w, b] = layer.getWeights();
    const wq = q.call(w);
    const expected = tf.add(tf.conv2d(x as tf.Tensor4D, wq as tf.Tensor4D, 1, 'valid'), b);
    const y = layer.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(layer.lowbitPrecision().weight).toEqual({ kind: 'int', bits: 3, signed: true });
    tf.dispose([x, wq, expected, y]);
  });

  it('exports integer codes that reproduce the fake-quantized output', () => {
    const layer = quantConv2d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelQuantizer: new LowbitTestStepQuantizer({ bits: 5, step: 0.0625 }),
    });
    const x = ramp([2, 5, 5, 2]);
    const y = layer.apply(x) as tf.Tensor;
    const { kernel, bias } = layer.exportQuantized();
    const plain = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' });
    plain.build([null, 5, 5, 2]);
    plain.setWeights([tf.tensor(kernel.dequantize(), kernel.shape), tf.tensor(bias!)]);
    const y2 = plain.apply(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, y2]);
  });

  it('rejects bad arguments with LowbitConfigError', () => {
    expect(() => quantConv2d({ filters: -1, kernelSize: 3 })).toThrow(LowbitConfigError);
    expect(() => quantConv2d({ filters: 1.5, kernelSize: 3 })).toThrow(/filters = 1.5/);
    expect(() => quantConv2d({ filters: 2, kernelSize: 3, kernelQuantizer: 42 as never })).toThrow(LowbitConfigError);
  });
});
