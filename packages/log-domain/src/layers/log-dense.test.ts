import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitTestLogQuantizer } from '../testing/test-log-quantizer.js';
import { LowbitLogDense, logDense } from './log-dense.js';

const q = (config: ConstructorParameters<typeof LowbitTestLogQuantizer>[0]) => ({ className: 'LowbitTestLogQuantizer', config: config as tf.serialization.ConfigDict });

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('LowbitLogDense', () => {
  const cases = [
    { name: 'log activations x fixed-point weights', kernel: q({ bits: 5, fsr: 0, linear: true }), input: q({ bits: 4, fsr: 1, signed: false }) },
    { name: 'log x log', kernel: q({ bits: 4, fsr: 0 }), input: q({ bits: 4, fsr: 1, signed: false }) },
  ];
  for (const c of cases) {
    it(`${c.name}: shift inference equals the fake-quantized forward`, () => {
      const layer = logDense({ units: 5, activation: 'relu', kernelQuantizer: c.kernel, inputQuantizer: c.input, inferenceArithmetic: 'shift', biasInitializer: 'ones' });
      const x = randn([6, 12], 1);
      const shifted = layer.apply(x) as tf.Tensor;
      const fake = layer.apply(x, { training: true }) as tf.Tensor; // the float path (same values, training mode)
      // small sums of powers of two: float32 is exact, so the two agree bit for bit
      expect(Array.from(shifted.dataSync())).toEqual(Array.from(fake.dataSync()));
      expect(tf.max(fake).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([x, shifted, fake]);
    });
  }

  it('base sqrt 2: shift inference equals the fake-quantized forward within float32 rounding', () => {
    const layer = logDense({ units: 4, kernelQuantizer: q({ bits: 4, fsr: 0, stepsPerOctave: 2 }), inputQuantizer: q({ bits: 4, fsr: 1, stepsPerOctave: 2 }), inferenceArithmetic: 'shift' });
    const x = randn([3, 7], 2);
    const a = layer.apply(x) as tf.Tensor;
    const b = layer.apply(x, { training: true }) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
  });

  it('with float inference equals quantDense semantics: fake-quantized weights and inputs', () => {
    const layer = logDense({ units: 3, useBias: false, kernelQuantizer: q({ bits: 3, fsr: 0 }), inputQuantizer: q({ bits: 3, fsr: 0, signed: false }) });
    const x = tf.tensor2d([[0.3, 0.9, -1, 0.01]]);
    const y = layer.apply(x) as tf.Tensor;
    const kq = new LowbitTestLogQuantizer({ bits: 3, fsr: 0 }).call(layer.getWeights()[0]);
    const xq = new LowbitTestLogQuantizer({ bits: 3, fsr: 0, signed: false }).call(x);
    // x: 0.3 -> 2^-2, 0.9 -> 2^0, -1 -> 0 (unsigned), 0.01 -> underflow to 0
    expect(Array.from(xq.dataSync())).toEqual([0.25, 1, 0, 0]);
    const want = tf.matMul(xq as tf.Tensor2D, kq as tf.Tensor2D);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([x, y, kq, xq, want]);
  });

  it('gradients are straight-through: dL/dW = xq^T dy and dL/dx = dy Wq^T', () => {
    const kq = new LowbitTestLogQuantizer({ bits: 4, fsr: 0 });
    const xqz = new LowbitTestLogQuantizer({ bits: 4, fsr: 1 });
    const layer = logDense({ units: 3, useBias: false, kernelQuantizer: kq, inputQuantizer: xqz });
    const x = randn([2, 4], 5);
    layer.apply(x); // build
    const dy = tf.tensor2d([[1, -2, 0.5], [0.25, 1, -1]]);
    const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    const kernelVar = Object.keys(grads).find((k) => k.includes('kernel'))!;
    const xq = xqz.call(x);
    const wq = kq.call(layer.getWeights()[0]);
    const wantW = tf.matMul(xq as tf.Tensor2D, dy, true, false);
    expect(Array.from(grads[kernelVar].dataSync())).toEqual(Array.from(wantW.dataSync()));
    const gx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy)))(x);
    const wantX = tf.matMul(dy, wq as tf.Tensor2D, false, true);
    expect(Array.from(gx.dataSync())).toEqual(Array.from(wantX.dataSync()));
    tf.dispose([x, dy, xq, wq, wantW, gx, wantX, ...Object.values(grads)]);
  });

  it('trains with model.fit (STE reaches the float shadow weights), without leaking tensors', async () => {
    const net = tfl.sequential({
      layers: [
        logDense({ inputShape: [4], units: 8, activation: 'relu', kernelQuantizer: q({ bits: 4, fsr: 0 }), inputQuantizer: q({ bits: 4, fsr: 2 }) }),
        logDense({ units: 2, kernelQuantizer: q({ bits: 4, fsr: 0 }), inputQuantizer: q({ bits: 4, fsr: 2, signed: false }), inferenceArithmetic: 'shift' }),
      ],
    });
    net.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = randn([32, 4], 3);
    const y = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.sum(x, 1, true))], 1));
    const before = net.getWeights().map((w) => w.dataSync().slice());
    await net.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const n0 = tf.memory().numTensors;
    const h = await net.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    expect(tf.memory().numTensors).toBe(n0);
    const after = net.getWeights().map((w) => w.dataSync());
    expect(after[0].some((v, i) => v !== before[0][i])).toBe(true);
    const losses = h.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan((await net.evaluate(x, y) as tf.Scalar).dataSync()[0] + 10);
    // predict goes through the shift kernel in the last layer and does not leak either
    const p0 = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(p0);
    tf.dispose([x, y]);
  });

  it('serializes: getConfig / fromConfig round trip keeps quantizers and inferenceArithmetic', () => {
    const layer = logDense({ units: 3, kernelQuantizer: q({ bits: 5, fsr: -1 }), inputQuantizer: q({ bits: 4, fsr: 1 }), inferenceArithmetic: 'shift' });
    const config = layer.getConfig();
    expect(config.inferenceArithmetic).toBe('shift');
    const copy = LowbitLogDense.fromConfig(LowbitLogDense, JSON.parse(JSON.stringify(config))) as LowbitLogDense;
    expect(copy.getConfig()).toEqual(config);
    expect(copy.inferenceArithmetic).toBe('shift');
    expect(copy.kernelQuantizer?.getConfig()).toEqual({ bits: 5, fsr: -1, signed: true, stepsPerOctave: 1, linear: false });
  });

  it('saves and loads with a model (same predictions through the shift path)', async () => {
    const net = tfl.sequential({
      layers: [logDense({ inputShape: [5], units: 3, kernelQuantizer: q({ bits: 4, fsr: 0 }), inputQuantizer: q({ bits: 4, fsr: 1 }), inferenceArithmetic: 'shift' })],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await net.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers[0]).toBeInstanceOf(LowbitLogDense);
    const x = randn([4, 5], 9);
    const a = net.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('reports pow2 operands to hw-model', () => {
    const layer = logDense({ units: 3, kernelQuantizer: q({ bits: 4 }), inputQuantizer: q({ bits: 3, signed: false }) });
    expect(layer.lowbitPrecision()).toMatchObject({ weight: { kind: 'pow2', bits: 4 }, input: { kind: 'pow2', bits: 3, signed: false } });
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => logDense({ units: 3, inferenceArithmetic: 'int8' as never })).toThrow(LowbitConfigError);
    const noInput = logDense({ units: 2, kernelQuantizer: q({ bits: 4 }), inferenceArithmetic: 'shift' });
    const x = tf.ones([1, 3]);
    expect(() => noInput.apply(x)).toThrow(/inputQuantizer/);
    tf.dispose(x);
  });
});
