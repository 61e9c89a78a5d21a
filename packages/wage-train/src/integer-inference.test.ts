import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, roundHalfEven } from '@lowbit/quant-core';
import { quantActivation, quantDense } from '@lowbit/quant-core';
import { wageActivation } from './activation.js';
import { exportWageNetwork, roundingShiftRight, runWageInteger, wageInputCodes } from './integer-inference.js';
import { predictClasses, trainWage } from './train.js';
import { wageDense } from './wage-layers.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';

describe('roundingShiftRight', () => {
  it('rounds v / 2^s half to even for every small v and s', () => {
    for (let s = 1; s <= 6; s++) {
      for (let v = -200; v <= 200; v++) expect(roundingShiftRight(v, s)).toBe(roundHalfEven(v / 2 ** s) + 0);
    }
  });
});

describe('integer-only inference', () => {
  it('reproduces the trained float-simulated model exactly (values and predictions)', async () => {
    const { x, y } = tinyData(48);
    const model = tinyWageModel(4);
    await trainWage(model, x, y, { epochs: 2, batchSize: 16, seed: 3 });
    const net = exportWageNetwork(model);
    expect(net.steps.map((s) => s.kind)).toEqual([
      'conv2d',
      'activation',
      'maxPool',
      'conv2d',
      'activation',
      'flatten',
      'dense',
    ]);
    const codes = wageInputCodes(net, x);
    const out = runWageInteger(net, codes, 48);
    const reference = model.predict(x) as tf.Tensor;
    const scaled = Array.from(out.values, (v) => v * 2 ** out.exponent);
    expect(scaled).toEqual(Array.from(reference.dataSync(), (v) => v + 0));
    expect(Array.from(out.predictions)).toEqual(Array.from(predictClasses(model, x)));
    expect(out.shape).toEqual([48, 2]);
    // the weights really are integers of k_W = 2 bits
    const conv = net.steps[0];
    if (conv.kind !== 'conv2d') throw new Error('unreachable');
    expect(new Set(conv.kernel.codes).size).toBeGreaterThan(1);
    expect(conv.kernel.codes.every((c) => c >= -1 && c <= 1)).toBe(true);
  });

  it('matches at 4-bit weights and 6-bit activations too', async () => {
    const { x, y } = tinyData(16);
    const model = tinyWageModel(6, { W: 4, A: 6, E: 8 });
    await trainWage(model, x, y, { epochs: 1, batchSize: 8, weightBits: 4 });
    const net = exportWageNetwork(model);
    const out = runWageInteger(net, wageInputCodes(net, x), 16);
    expect(Array.from(out.values, (v) => v * 2 ** out.exponent)).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync(), (v) => v + 0),
    );
  });

  it('rejects unsupported models and bad input codes', () => {
    const noInputQuantizer = tfl.sequential({ layers: [wageDense({ units: 2, inputShape: [4] })] });
    expect(() => exportWageNetwork(noInputQuantizer)).toThrow(/layers\[0\]/);
    const withFloatLayer = tfl.sequential({
      layers: [wageActivation({ inputShape: [4], relu: false, errorBits: null }), tfl.layers.dense({ units: 2 })],
    });
    expect(() => exportWageNetwork(withFloatLayer)).toThrow(LowbitConfigError);
    // Generic layers are recognised by their parts: a WAGE kernel quantizer on a layer with a bias is refused.
    const input = () => wageActivation({ inputShape: [4], relu: false, errorBits: null });
    const biased = quantDense({ units: 2, kernelQuantizer: { className: 'LowbitWageQuantizer', config: { bits: 2 } } });
    expect(() => exportWageNetwork(tfl.sequential({ layers: [input(), biased] }))).toThrow(/has a bias/);
    const plainActivation = quantActivation({ activation: 'relu' });
    expect(() => exportWageNetwork(tfl.sequential({ layers: [input(), plainActivation] }))).toThrow(
      /integer inference supports/,
    );
    const reluFirst = wageActivation({ inputShape: [4] });
    expect(() => exportWageNetwork(tfl.sequential({ layers: [reluFirst, wageDense({ units: 2 })] }))).toThrow(
      /layers\[0\]/,
    );
    const net = exportWageNetwork(tinyWageModel(1));
    expect(() => runWageInteger(net, new Int32Array(64).fill(128), 1)).toThrow(LowbitDataError);
    expect(() => runWageInteger(net, new Int32Array(10), 1)).toThrow(/inputCodes.length/);
    expect(() => runWageInteger(net, new Int32Array(64), 0)).toThrow(/batch/);
    expect(() => runWageInteger(net, [1, 2] as never, 1)).toThrow(/Int32Array/);
    expect(() => wageInputCodes(net, tf.zeros([1, 4, 4, 1]))).toThrow(/shape/);
  });

  it('refuses networks whose accumulators could exceed 2^24', () => {
    const wide = tfl.sequential({
      layers: [
        wageActivation({ inputShape: [4096], relu: false, errorBits: null, outputBits: 16 }),
        wageDense({ units: 2, weightBits: 8, inputBits: 16 }),
      ],
    });
    expect(() => exportWageNetwork(wide)).toThrow(/2\^24/);
  });
});
