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
import { expectConfigError, expectDataError } from './errors.fixture.js';

describe('roundingShiftRight', () => {
  it('rounds v / 2^s half to even for every small v and s', () => {
    for (let s = 1; s <= 6; s++) {
      for (let v = -200; v <= 200; v++) expect(roundingShiftRight(v, s)).toBe(roundHalfEven(v / 2 ** s) + 0);
    }
  });

  it('takes int32 values and shifts 1..31 (JS shifts count mod 32), else LowbitConfigError', () => {
    expect(roundingShiftRight(2 ** 31 - 1, 31)).toBe(1);
    expect(roundingShiftRight(-(2 ** 31), 31)).toBe(-1);
    for (const v of [1.5, 2 ** 31, Number.NaN, '3', undefined])
      expectConfigError(() => roundingShiftRight(v as never, 1), 'v');
    for (const s of [0, 32, -1, 1.5, Number.NaN, null]) expectConfigError(() => roundingShiftRight(5, s as never), 's');
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

describe('checks of the integer network and its inputs', () => {
  const mlp = () =>
    tfl.sequential({
      layers: [
        wageActivation({ inputShape: [4], relu: false, errorBits: null }),
        wageDense({ units: 3, weightBits: 2, seed: 1 }),
        wageActivation({ outputBits: 8, errorBits: 8 }),
        wageDense({ units: 2, weightBits: 2, seed: 2 }),
      ],
    });
  const codes = () => Int32Array.of(-3, 0, 5, 127, -127, 2, 1, 0);

  it('exportWageNetwork rejects what is not a built model', () => {
    for (const bad of [null, undefined, 'nope', {}, { layers: [] }])
      expectConfigError(() => exportWageNetwork(bad as never), 'model');
  });

  it('runWageInteger and wageInputCodes check every field of a hand-made or edited network', () => {
    const net = exportWageNetwork(mlp());
    expect(runWageInteger(net, codes(), 2).shape).toEqual([2, 2]);
    const steps = net.steps;
    const cases: [unknown, string][] = [
      [null, 'net'],
      [{ ...net, extra: 1 }, 'net.extra'],
      [{ ...net, inputShape: [0] }, 'net.inputShape'],
      [{ ...net, inputShape: 'nope' }, 'net.inputShape'],
      [{ ...net, inputBits: Number.NaN }, 'net.inputBits'],
      [{ ...net, steps: {} }, 'net.steps'],
      [{ ...net, steps: [null] }, 'net.steps[0]'],
      [{ ...net, steps: [{ ...steps[0], kind: 'softmax' }] }, 'net.steps[0].kind'],
      [{ ...net, steps: [{ ...steps[0], name: 3 }] }, 'net.steps[0].name'],
      [{ ...net, steps: [{ ...steps[0], kernel: [[1]] }] }, 'net.steps[0].kernel'],
      [{ ...net, steps: [steps[0], { ...steps[1], bits: 1 }] }, 'net.steps[1].bits'],
      [{ ...net, steps: [steps[0], { ...steps[1], relu: 'yes' }] }, 'net.steps[1].relu'],
      [
        { ...net, steps: [{ kind: 'maxPool', name: 'p', poolSize: [2, 0], strides: [1, 1], padding: 'valid' }] },
        'net.steps[0].poolSize[1]',
      ],
      [
        { ...net, steps: [{ kind: 'maxPool', name: 'p', poolSize: [2, 2], strides: [1, 1], padding: 'full' }] },
        'net.steps[0].padding',
      ],
    ];
    for (const [bad, argument] of cases) {
      expectConfigError(() => runWageInteger(bad as never, codes(), 2), argument);
      expectConfigError(() => wageInputCodes(bad as never, tf.zeros([2, 4])), argument);
    }
  });

  it('rejects a kernel or pool window larger than its input instead of allocating a negative size', () => {
    const conv = exportWageNetwork(tinyWageModel(1));
    const input = new Int32Array(64);
    const [first, ...rest] = conv.steps;
    if (first.kind !== 'conv2d') throw new Error('unreachable');
    const wide = { ...conv, inputShape: [2, 2, 1] };
    expectConfigError(() => runWageInteger(wide, new Int32Array(4), 1), `${first.name} input shape`);
    const pool = {
      kind: 'maxPool' as const,
      name: 'pool',
      poolSize: [9, 2] as [number, number],
      strides: [1, 1] as [number, number],
      padding: 'same' as const,
    };
    expectConfigError(() => runWageInteger({ ...conv, steps: [pool, ...rest] }, input, 1), 'pool.poolSize');
  });

  it('wageInputCodes refuses NaN (no code) and clips Infinity like the model', () => {
    const net = exportWageNetwork(mlp());
    expectDataError(() => wageInputCodes(net, tf.tensor2d([0, Number.NaN, 0, 0], [1, 4])), 'x');
    expect(Array.from(wageInputCodes(net, tf.tensor2d([Infinity, -Infinity, 0, 1], [1, 4])))).toEqual([
      127, -127, 0, 127,
    ]);
    expectConfigError(() => wageInputCodes(net, [[0, 0, 0, 0]] as never), 'x');
  });
});
