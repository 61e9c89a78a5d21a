import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import '../quantizers/wrpn.js';
import { quantActivation } from './quant-activation.js';
import { quantConv2d } from './quant-conv2d.js';
import { quantDense } from './quant-dense.js';
import { quantDepthwiseConv2d } from './quant-depthwise-conv2d.js';
import { LowbitQuantLayer } from './quant-layer.js';

describe('generic layer arguments', () => {
  it('rejects unknown keys, naming the factory and the key (a typo would leave the layer unquantized)', () => {
    expect(() => quantDense({ units: 2, kernelQuantiser: 'wrpn' } as never)).toThrow(
      /quantDense.kernelQuantiser = "wrpn" is invalid: unknown argument/,
    );
    expect(() => quantConv2d({ filters: 1, kernelSize: 1, stride: 2 } as never)).toThrow(/quantConv2d.stride = 2/);
    expect(() => quantDepthwiseConv2d({ kernelSize: 1, bogus: 1 } as never)).toThrow(LowbitConfigError);
    // tfjs's own arguments, the base layer arguments and Dense's inputDim are accepted.
    expect(quantDense({ units: 2, inputDim: 3, name: 'fc', kernelRegularizer: 'l1l2', trainable: false }).units).toBe(
      2,
    );
  });

  it("turns tfjs's untyped argument errors into LowbitConfigErrors naming the argument", () => {
    expect(() => quantConv2d({ filters: 1, kernelSize: 'nope' } as never)).toThrow(/quantConv2d.kernelSize = "nope"/);
    expect(() => quantDepthwiseConv2d({} as never)).toThrow(/quantDepthwiseConv2d.kernelSize/);
    expect(() => quantDense({ units: 2, activation: 'nope' } as never)).toThrow(/quantDense.activation = "nope"/);
    expect(() => quantActivation({ activation: 'nope' } as never)).toThrow(/quantActivation.activation = "nope"/);
    expect(() => quantActivation(null as never)).not.toThrow();
  });

  it('the abstract base is not for new', () => {
    const Base = LowbitQuantLayer as unknown as new (args: object) => unknown;
    expect(() => new Base({ units: 2 })).toThrow(/abstract: create layers with quantDense/);
  });
});

describe('apply on concrete tensors checks the input before tfjs does', () => {
  const cases: [string, () => tfl.layers.Layer, number[]][] = [
    ['quantDense', () => quantDense({ units: 3, kernelQuantizer: 'wrpn' }), [2, 4]],
    ['quantConv2d', () => quantConv2d({ filters: 2, kernelSize: 2, kernelQuantizer: 'wrpn' }), [1, 4, 4, 3]],
    ['quantDepthwiseConv2d', () => quantDepthwiseConv2d({ kernelSize: 2, kernelQuantizer: 'wrpn' }), [1, 4, 4, 2]],
  ];
  it.each(cases)('%s: wrong channels, rank, dtype, empty, several inputs, non-tensors', (_, make, shape) => {
    const layer = make();
    tf.dispose(layer.apply(tf.zeros(shape)) as tf.Tensor);
    const wrong = [...shape];
    wrong[wrong.length - 1]! += 1;
    const bad: unknown[] = [
      tf.zeros(wrong),
      tf.zeros(shape.slice(1)),
      tf.zeros(shape, 'int32'),
      tf.zeros([0, ...shape.slice(1)]),
      [tf.zeros(shape), tf.zeros(shape)],
      undefined,
      'nope',
      {},
    ];
    const before = tf.memory().numTensors;
    for (const x of bad) {
      expect(() => layer.apply(x as tf.Tensor), String(x)).toThrow(LowbitConfigError);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => layer.apply(tf.zeros(wrong))).toThrow(/inputs.shape = .* expected \d+ channels on axis/);
    tf.dispose(bad.flat().filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);
  });

  it('symbolic inputs are left to tfjs (model construction works as before)', () => {
    const model = tfl.sequential({ layers: [quantDense({ units: 2, inputShape: [3], kernelQuantizer: 'wrpn' })] });
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
  });

  it('NaN input propagates (documented) and finite input stays finite', () => {
    const layer = quantDense({ units: 2, kernelQuantizer: 'wrpn', kernelInitializer: 'ones' });
    const y = layer.apply(
      tf.tensor2d([
        [NaN, 1],
        [3e38, -3e38],
      ]),
    ) as tf.Tensor;
    const v = y.dataSync();
    expect(Number.isNaN(v[0])).toBe(true);
    expect(Number.isFinite(v[2])).toBe(true);
    y.dispose();
  });
});
