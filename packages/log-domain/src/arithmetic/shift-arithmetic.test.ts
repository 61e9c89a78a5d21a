import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  getArithmetic,
  LowbitConfigError,
  LowbitQuantDense,
  quantConv2d,
  quantDense,
  quantDepthwiseConv2d,
  type LowbitQuantLayer,
  type SerializedPart,
} from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import '../testing/test-log-quantizer.js';
import { LowbitShiftArithmetic } from './shift-arithmetic.js';

const log4u = { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false } };
const log4s = { className: 'LowbitLogQuantizer', config: { bits: 4, signed: true, fsr: 1 } };
const testQ = (config: Record<string, unknown>) => ({
  className: 'LowbitTestLogQuantizer',
  config: config as tf.serialization.ConfigDict,
});
const values = (t: tf.Tensor) => Array.from(t.dataSync());

function ramp(shape: number[], amp = 1, phase = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => amp * Math.sin(1.37 * i + phase + 0.2)),
    shape,
  );
}

/** The layer with arithmetic 'shift' and its twin with 'exact', built on `x` with the same weights. */
function twins(make: (arithmetic: string) => tfl.layers.Layer, x: tf.Tensor): [LowbitQuantLayer, LowbitQuantLayer] {
  const shift = make('shift') as LowbitQuantLayer;
  const exact = make('exact') as LowbitQuantLayer;
  tf.dispose([shift.apply(x) as tf.Tensor, exact.apply(x) as tf.Tensor]);
  const weights = shift.getWeights().map((w, i) => ramp(w.shape, 0.8, i + 1));
  shift.setWeights(weights);
  exact.setWeights(weights);
  tf.dispose(weights);
  return [shift, exact];
}

function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  return tf.profile(() => f()).then((info) => info.kernelNames);
}

describe('LowbitShiftArithmetic in quantDense', () => {
  const make = (arithmetic: string) =>
    quantDense({
      units: 5,
      activation: 'relu',
      biasInitializer: 'ones',
      kernelQuantizer: 'log2',
      inputQuantizer: log4u,
      arithmetic,
    });

  it('inference runs the shift kernel, equal to the exact product bit for bit; training: the exact path', async () => {
    const x = ramp([6, 12], 1.5);
    const [shift, exact] = twins(make, x);
    const y = shift.apply(x) as tf.Tensor;
    const want = exact.apply(x) as tf.Tensor;
    expect(values(y)).toEqual(values(want));
    expect(values(y).some((v) => v > 0)).toBe(true);
    const trained = shift.apply(x, { training: true }) as tf.Tensor;
    expect(values(trained)).toEqual(values(want));
    expect(await kernelsRun(() => shift.apply(x) as tf.Tensor)).toContain('LowbitShiftMatMul');
    expect(await kernelsRun(() => shift.apply(x, { training: true }) as tf.Tensor)).not.toContain('LowbitShiftMatMul');
    const integer = shift.integerForward(x);
    expect(values(integer)).toEqual(values(y));
    tf.dispose([x, y, want, trained, integer]);
  });

  it('base sqrt 2 and rank-3 inputs: within float32 rounding of the exact product', () => {
    const q = testQ({ bits: 5, fsr: 1, stepsPerOctave: 2 });
    const makeSqrt2 = (arithmetic: string) =>
      quantDense({ units: 4, kernelQuantizer: q, inputQuantizer: q, arithmetic });
    const x = ramp([2, 3, 7], 1.2);
    const [shift, exact] = twins(makeSqrt2, x);
    const y = shift.apply(x) as tf.Tensor;
    const want = exact.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 4]);
    expect(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, y, want]);
  });

  it('fixed-point inputs (LinearQuant, asymmetric uniform) shift the integer by the kernel exponent', () => {
    const inputs: SerializedPart[] = [
      { className: 'LowbitLinearFsrQuantizer', config: { bits: 5, fsr: 1 } },
      { className: 'LowbitUniformQuantizer', config: { bits: 6, symmetric: false, range: [-0.5, 2] } },
    ];
    for (const inputQuantizer of inputs) {
      const makeInt = (arithmetic: string) =>
        quantDense({ units: 3, kernelQuantizer: 'log2', inputQuantizer, arithmetic });
      const x = ramp([4, 9], 1.5, 0.4);
      const [shift, exact] = twins(makeInt, x);
      const y = shift.apply(x) as tf.Tensor;
      const want = exact.apply(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]).toBeLessThan(1e-5);
      tf.dispose([x, y, want]);
    }
  });

  it('long sums: the exact integer sum rounded once to float32', () => {
    const layer = quantDense({
      units: 1,
      useBias: false,
      kernelQuantizer: log4s,
      inputQuantizer: log4s,
      arithmetic: 'shift',
    });
    // 10000 products 2^1 * 2^1 and three 2^-5 * 2^-5: 40000 + 3 * 2^-10, which float32 (ulp 2^-8 at
    // 40000) rounds to 40000 + 2^-8; a float32 running sum would drop each small term (0.25 ulp).
    const terms = [...new Array(10000).fill(2), 2 ** -5, 2 ** -5, 2 ** -5];
    const x = tf.tensor2d([terms]);
    layer.apply(x);
    layer.setWeights([tf.tensor2d(terms, [terms.length, 1])]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.dataSync()[0]).toBe(40000 + 2 ** -8);
    tf.dispose([x, y]);
  });

  it('gradients: training gives the exact product gradients; a gradient taken in inference mode too', () => {
    const x = ramp([3, 12], 1.5);
    const [shift, exact] = twins(make, x);
    for (const training of [true, false]) {
      const grads = (layer: LowbitQuantLayer) =>
        tf.grad((input: tf.Tensor) => tf.sum(tf.square(layer.apply(input, { training }) as tf.Tensor)))(x);
      const a = grads(shift);
      const b = grads(exact);
      expect(values(a)).toEqual(values(b));
      expect(values(a).some((v) => v !== 0)).toBe(true);
      tf.dispose([a, b]);
    }
    const wantKernel = tf.variableGrads(() => tf.sum(exact.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    const gotKernel = tf.variableGrads(() => tf.sum(shift.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    expect(Object.values(gotKernel.grads).map(values)).toEqual(Object.values(wantKernel.grads).map(values));
    tf.dispose([
      x,
      ...Object.values(wantKernel.grads),
      ...Object.values(gotKernel.grads),
      wantKernel.value,
      gotKernel.value,
    ]);
  });

  it('trains with model.fit and predicts through the shift kernel without leaking tensors', async () => {
    const net = tfl.sequential({
      layers: [
        quantDense({
          inputShape: [6],
          units: 8,
          activation: 'relu',
          kernelQuantizer: 'log2',
          inputQuantizer: log4s,
          arithmetic: 'shift',
        }),
        quantDense({ units: 2, kernelQuantizer: 'log2', inputQuantizer: log4u, arithmetic: 'shift' }),
      ],
    });
    net.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = ramp([16, 6], 1.5);
    const y = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.sum(x, 1, true))], 1));
    const before = net.getWeights()[0]!.dataSync().slice();
    await net.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const n0 = tf.memory().numTensors;
    await net.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(Array.from(net.getWeights()[0]!.dataSync()).some((v, i) => v !== before[i])).toBe(true);
    for (let i = 0; i < 3; i++) tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('reports its cost to hw-model and round-trips its config', () => {
    const layer = make('shift') as LowbitQuantDense;
    expect(layer.arithmetic).toBeInstanceOf(LowbitShiftArithmetic);
    expect(layer.arithmetic.cost()).toEqual({ multiply: 'shift', name: 'shift' });
    expect(layer.lowbitPrecision()).toMatchObject({
      weight: { kind: 'pow2', bits: 4 },
      input: { kind: 'pow2', bits: 4, signed: false },
      arithmetic: { multiply: 'shift', name: 'shift' },
    });
    const config = layer.getConfig();
    expect(config.arithmetic).toEqual({ className: 'LowbitShiftArithmetic', config: {} });
    const copy = LowbitQuantDense.fromConfig(LowbitQuantDense, JSON.parse(JSON.stringify({ ...config, name: 'copy' })));
    expect((copy as LowbitQuantDense).arithmetic).toBeInstanceOf(LowbitShiftArithmetic);
    expect(getArithmetic('shift')).toBeInstanceOf(LowbitShiftArithmetic);
  });

  it('saves and loads with a model: same predictions through the shift kernel', async () => {
    const net = tfl.sequential({
      layers: [
        quantDense({ inputShape: [5], units: 3, kernelQuantizer: 'log2', inputQuantizer: log4s, arithmetic: 'shift' }),
      ],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await net.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect((loaded.layers[0] as LowbitQuantDense).arithmetic).toBeInstanceOf(LowbitShiftArithmetic);
    const x = ramp([4, 5], 2);
    const a = net.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(values(b)).toEqual(values(a));
    tf.dispose([x, a, b]);
  });

  it('rejects quantizers it cannot shift with, naming both parts', () => {
    const linearKernel = () =>
      quantDense({ units: 2, kernelQuantizer: 'linear-fsr', inputQuantizer: 'log2', arithmetic: 'shift' });
    expect(linearKernel).toThrow(LowbitConfigError);
    expect(linearKernel).toThrow(/LowbitShiftArithmetic \+ LowbitLinearFsrQuantizer/);
    expect(linearKernel).toThrow(/pow2 kernel codes, got int codes/);
    const floatInput = () => quantDense({ units: 2, kernelQuantizer: 'log2', arithmetic: 'shift' });
    expect(floatInput).toThrow(/inputQuantizer/);
    expect(floatInput).toThrow(/none \(float operand\)/);
    expect(() =>
      quantDense({ units: 2, kernelQuantizer: 'log2', inputQuantizer: 'binary', arithmetic: 'shift' }),
    ).toThrow(/LowbitBinaryQuantizer/);
    const plain = quantDense({ units: 2, kernelQuantizer: 'wrpn', inputQuantizer: 'log2' });
    expect(() => plain.setArithmetic('shift')).toThrow(/LowbitWrpnQuantizer/);
  });
});

describe('LowbitShiftArithmetic in quantConv2d and quantDepthwiseConv2d', () => {
  const cases = [
    { padding: 'same', strides: 1, dataFormat: 'channelsLast', dilationRate: 1 },
    { padding: 'valid', strides: 2, dataFormat: 'channelsLast', dilationRate: 1 },
    { padding: 'same', strides: 1, dataFormat: 'channelsFirst', dilationRate: 1 },
    { padding: 'same', strides: 1, dataFormat: 'channelsLast', dilationRate: 2 },
  ] as const;
  for (const c of cases) {
    it(`conv2d ${JSON.stringify(c)}: inference equals the exact product bit for bit`, async () => {
      const make = (arithmetic: string) =>
        quantConv2d({
          filters: 3,
          kernelSize: 3,
          activation: 'relu',
          biasInitializer: 'ones',
          ...c,
          kernelQuantizer: 'log2',
          inputQuantizer: log4u,
          arithmetic,
        });
      const x = ramp(c.dataFormat === 'channelsLast' ? [2, 7, 6, 2] : [2, 2, 7, 6], 1.5);
      const [shift, exact] = twins(make, x);
      const y = shift.apply(x) as tf.Tensor;
      const want = exact.apply(x) as tf.Tensor;
      expect(y.shape).toEqual(want.shape);
      expect(values(y)).toEqual(values(want));
      expect(await kernelsRun(() => shift.apply(x) as tf.Tensor)).toContain('LowbitShiftConv2D');
      const integer = shift.integerForward(x);
      expect(values(integer)).toEqual(values(y));
      tf.dispose([x, y, want, integer]);
    });
  }

  it('depthwise conv2d (multiplier 2, strides 2): shifts per input channel, equals the exact product', () => {
    const make = (arithmetic: string) =>
      quantDepthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        strides: 2,
        padding: 'same',
        kernelQuantizer: 'log2',
        inputQuantizer: log4s,
        arithmetic,
      });
    const x = ramp([2, 7, 7, 3], 1.5);
    const [shift, exact] = twins(make, x);
    const y = shift.apply(x) as tf.Tensor;
    const want = exact.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, 4, 6]);
    expect(values(y)).toEqual(values(want));
    const integer = shift.integerForward(x);
    expect(values(integer)).toEqual(values(y));
    tf.dispose([x, y, want, integer]);
  });

  it('conv layers train without leaking tensors', async () => {
    const net = tfl.sequential({
      layers: [
        quantConv2d({
          inputShape: [6, 6, 1],
          filters: 2,
          kernelSize: 3,
          activation: 'relu',
          kernelQuantizer: 'log2',
          inputQuantizer: log4u,
          arithmetic: 'shift',
        }),
        quantDepthwiseConv2d({ kernelSize: 2, kernelQuantizer: 'log2', inputQuantizer: log4u, arithmetic: 'shift' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([8, 6, 6, 1], 0, 1, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    await net.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const n0 = tf.memory().numTensors;
    await net.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, y]);
    net.dispose();
  });
});
