import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { LowbitQuantDense, quantDense } from './quant-dense.js';
import { ramp, runBoth } from './parity.fixture.js';
import { LowbitTestStepQuantizer } from './test-quantizer.fixture.js';

describe('LowbitQuantDense without quantizers', () => {
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['linear', { units: 3 }, [4, 5]],
    ['relu (fused)', { units: 3, activation: 'relu' }, [4, 5]],
    ['tanh (unfused)', { units: 3, activation: 'tanh' }, [4, 5]],
    ['softmax, no bias', { units: 4, activation: 'softmax', useBias: false }, [2, 6]],
    ['rank-3 input', { units: 2, activation: 'elu' }, [2, 3, 5]],
  ];
  for (const [label, args, shape] of cases) {
    it(`matches tf.layers.dense bit for bit: ${label}`, () => {
      const x = ramp(shape, 2);
      const [expected, actual] = runBoth(tfl.layers.dense(args as never), quantDense(args as never), x);
      expect(Array.from(actual)).toEqual(Array.from(expected));
      x.dispose();
    });
  }

  it('has the same weights (names, shapes, order) and defaults as tf.layers.dense', () => {
    const ref = tfl.layers.dense({ units: 3 });
    const ours = quantDense({ units: 3 });
    ref.build([null, 5]);
    ours.build([null, 5]);
    expect(ours.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual(
      ref.weights.map((w) => [w.originalName.split('/').pop(), w.shape]),
    );
    const refConfig = ref.getConfig();
    const config = ours.getConfig();
    for (const key of ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'])
      expect(config[key]).toEqual(refConfig[key]);
    expect(config.kernelQuantizer).toBeNull();
    expect(ours.lowbitPrecision()).toEqual({
      weight: { kind: 'float', bits: 32, signed: true },
      input: { kind: 'float', bits: 32, signed: true },
    });
  });

  it('accepts inputDim like tf.layers.dense', () => {
    const model = tfl.sequential({ layers: [quantDense({ units: 2, inputDim: 3 })] });
    expect(model.outputs[0].shape).toEqual([null, 2]);
  });
});

describe('LowbitQuantDense with quantizers', () => {
  it('uses the fake-quantized kernel and input in the forward pass', () => {
    const step = 0.25;
    const layer = quantDense({
      units: 2,
      kernelQuantizer: new LowbitTestStepQuantizer({ bits: 3, step }),
      inputQuantizer: { className: 'LowbitTestStepQuantizer', config: { bits: 4, step } },
    });
    const x = tf.tensor2d([[0.3, -0.9, 2.2]]);
    layer.build([null, 3]);
    const w = [
      [0.1, -0.6],
      [0.9, 0.2],
      [-0.35, 0.8],
    ];
    layer.setWeights([tf.tensor2d(w), tf.tensor1d([0.5, -0.5])]);
    const y = layer.apply(x) as tf.Tensor;
    // Independent computation: 3 bits -> codes in [-3, 3]; 4 bits -> [-7, 7]; step 0.25.
    const q = (v: number, n: number) => step * Math.max(-n, Math.min(n, Math.round(v / step)));
    const xq = [0.3, -0.9, 2.2].map((v) => q(v, 7));
    const expected = [0, 1].map((o) => xq.reduce((s, xv, i) => s + xv * q(w[i][o], 3), 0) + (o === 0 ? 0.5 : -0.5));
    const got = Array.from(y.dataSync());
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    expect(layer.lowbitPrecision()).toEqual({
      weight: { kind: 'int', bits: 3, signed: true },
      input: { kind: 'int', bits: 4, signed: true },
    });
    tf.dispose([x, y]);
  });

  it('passes straight-through gradients to the float kernel, zero outside the clip range', () => {
    const step = 0.25;
    const layer = quantDense({
      units: 2,
      useBias: false,
      kernelQuantizer: new LowbitTestStepQuantizer({ bits: 2, step }),
    });
    layer.build([null, 2]);
    // 2 bits: codes in [-1, 1], clip range |w| <= 0.25.
    layer.setWeights([
      tf.tensor2d([
        [0.1, 0.9],
        [-0.2, -0.3],
      ]),
    ]);
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const { grads, value } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
    const g = grads[layer.weights[0].name].arraySync() as number[][];
    // d sum / dW[i][o] = sum_b x[b][i] (STE) inside the range; 0 where |W| > 0.25.
    expect(g).toEqual([
      [4, 0],
      [6, 0],
    ]);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('exports integer codes that reproduce the fake-quantized output', () => {
    const quantizer = new LowbitTestStepQuantizer({ bits: 4, step: 0.125 });
    const layer = quantDense({
      units: 3,
      activation: 'relu',
      kernelQuantizer: quantizer,
      inputQuantizer: new LowbitTestStepQuantizer({ bits: 6, step: 0.0625 }),
    });
    const x = ramp([5, 4], 1.5);
    const y = layer.apply(x) as tf.Tensor;
    const { kernel, bias } = layer.exportQuantized();
    expect(kernel.bits).toBe(4);
    expect(kernel.shape).toEqual([4, 3]);
    expect(bias).toBeInstanceOf(Float32Array);
    // Plain float Dense holding the dequantized integers, fed the quantized input.
    const plain = tfl.layers.dense({ units: 3, activation: 'relu' });
    plain.build([null, 4]);
    plain.setWeights([tf.tensor(kernel.dequantize(), kernel.shape), tf.tensor(bias!)]);
    const xq = new LowbitTestStepQuantizer({ bits: 6, step: 0.0625 }).call(x);
    const y2 = plain.apply(xq) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    // Exporting leaves the layer intact: its weights are not disposed and it computes the same.
    const y3 = layer.apply(x) as tf.Tensor;
    expect(Array.from(y3.dataSync())).toEqual(Array.from(y.dataSync()));
    expect(layer.getWeights()[0].isDisposed).toBe(false);
    tf.dispose([x, y, xq, y2, y3]);
  });

  it('rejects bad arguments with LowbitConfigError', () => {
    expect(() => quantDense({ units: 0 })).toThrow(LowbitConfigError);
    expect(() => quantDense({ units: 2.5 })).toThrow(/units = 2.5/);
    expect(() => quantDense({ units: 2, kernelQuantizer: 'no-such-quantizer' })).toThrow(
      /kernelQuantizer = "no-such-quantizer".*unknown quantizer/,
    );
    expect(() =>
      quantDense({ units: 2, inputQuantizer: { className: 'LowbitTestStepQuantizer', config: { bits: 99 } } }),
    ).toThrow(/bits = 99/);
    expect(() => quantDense({ units: 2 }).exportQuantized()).toThrow(/kernelQuantizer/);
    expect(() => quantDense({ units: 2, kernelQuantizer: 'test-step' }).exportQuantized()).toThrow(/must be built/);
  });

  it('is registered for serialization under its Lowbit class name', () => {
    expect(LowbitQuantDense.className).toBe('LowbitQuantDense');
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map.LowbitQuantDense?.[0]).toBe(LowbitQuantDense);
  });
});
