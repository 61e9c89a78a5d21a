import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { LowbitQuantDepthwiseConv2D, quantDepthwiseConv2d } from './quant-depthwise-conv2d.js';
import { ramp, runBoth } from './parity.fixture.js';
import { LowbitTestStepQuantizer } from './test-quantizer.fixture.js';

describe('LowbitQuantDepthwiseConv2D without quantizers', () => {
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['valid 3x3', { kernelSize: 3 }, [2, 5, 5, 2]],
    [
      'multiplier 2, same, strides 2, relu',
      { kernelSize: 2, depthMultiplier: 2, padding: 'same', strides: 2, activation: 'relu' },
      [1, 6, 6, 3],
    ],
    [
      'channelsFirst, no bias, tanh',
      { kernelSize: 2, dataFormat: 'channelsFirst', useBias: false, activation: 'tanh' },
      [1, 2, 4, 4],
    ],
  ];
  for (const [label, args, shape] of cases) {
    it(`matches tf.layers.depthwiseConv2d bit for bit: ${label}`, () => {
      const x = ramp(shape, 1.1);
      const ref = tfl.layers.depthwiseConv2d(args as never);
      const ours = quantDepthwiseConv2d(args as never);
      const [expected, actual] = runBoth(ref, ours, x);
      expect(Array.from(actual)).toEqual(Array.from(expected));
      expect(ours.weights[0].originalName.endsWith('depthwise_kernel')).toBe(true);
      x.dispose();
    });
  }
});

describe('LowbitQuantDepthwiseConv2D with quantizers', () => {
  it('exports integer codes that reproduce the fake-quantized output', () => {
    const inputQ = new LowbitTestStepQuantizer({ bits: 5, step: 0.125 });
    const layer = quantDepthwiseConv2d({
      kernelSize: 2,
      depthMultiplier: 2,
      kernelQuantizer: new LowbitTestStepQuantizer({ bits: 3, step: 0.25 }),
      inputQuantizer: inputQ,
    });
    const x = ramp([1, 4, 4, 2], 1.7);
    const y = layer.apply(x) as tf.Tensor;
    const { kernel, bias } = layer.exportQuantized();
    expect(kernel.shape).toEqual([2, 2, 2, 2]);
    const plain = tfl.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 });
    plain.build([null, 4, 4, 2]);
    plain.setWeights([tf.tensor(kernel.dequantize(), kernel.shape), tf.tensor(bias!)]);
    const xq = inputQ.call(x);
    const y2 = plain.apply(xq) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    expect(layer.lowbitPrecision()).toEqual({
      weight: { kind: 'int', bits: 3, signed: true },
      input: { kind: 'int', bits: 5, signed: true },
    });
    tf.dispose([x, y, xq, y2]);
  });

  it('round-trips its config, including a regularizer and a constraint (tfjs mixes them up)', () => {
    const layer = quantDepthwiseConv2d({
      kernelSize: 2,
      depthwiseRegularizer: tfl.regularizers.l2({ l2: 0.01 }),
      depthwiseConstraint: tfl.constraints.maxNorm({ maxValue: 2 }),
      kernelQuantizer: 'test-step',
    });
    const config = layer.getConfig();
    expect((config.depthwiseConstraint as { className: string }).className).toBe('MaxNorm');
    expect((config.depthwiseRegularizer as { className: string }).className).toBe('L1L2');
    const copy = LowbitQuantDepthwiseConv2D.fromConfig(
      LowbitQuantDepthwiseConv2D,
      structuredClone(config),
    ) as LowbitQuantDepthwiseConv2D;
    expect(copy.getConfig()).toEqual(config);
  });

  it('rejects bad arguments with LowbitConfigError', () => {
    expect(() => quantDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 })).toThrow(LowbitConfigError);
    expect(() => quantDepthwiseConv2d({ kernelSize: 3, inputQuantizer: 'nope' })).toThrow(/inputQuantizer = "nope"/);
  });
});
