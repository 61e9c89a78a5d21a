import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitExactArithmetic, LowbitQuantDense } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitShiftArithmetic } from '../arithmetic/shift-arithmetic.js';
import { LowbitTestLogQuantizer } from '../testing/test-log-quantizer.js';
import { logDense } from './log-dense.js';

const q = (config: ConstructorParameters<typeof LowbitTestLogQuantizer>[0]) => ({
  className: 'LowbitTestLogQuantizer',
  config: config as tf.serialization.ConfigDict,
});

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('logDense', () => {
  it('returns the generic LowbitQuantDense with the log parts (default arithmetic exact)', () => {
    const layer = logDense({ units: 3, weightBits: 4, inputBits: 4 });
    expect(layer).toBeInstanceOf(LowbitQuantDense);
    expect(layer.getClassName()).toBe('LowbitQuantDense');
    expect(layer.lowbitOperation()).toBe('dense');
    expect(layer.arithmetic).toBeInstanceOf(LowbitExactArithmetic);
    expect(logDense({ units: 3, weightBits: 4, inputBits: 4, arithmetic: 'shift' }).arithmetic).toBeInstanceOf(
      LowbitShiftArithmetic,
    );
  });

  it('log x log with arithmetic shift: inference equals the fake-quantized forward bit for bit', () => {
    const layer = logDense({
      units: 5,
      activation: 'relu',
      kernelQuantizer: q({ bits: 4, fsr: 0 }),
      inputQuantizer: q({ bits: 4, fsr: 1, signed: false }),
      arithmetic: 'shift',
      biasInitializer: 'ones',
    });
    const x = randn([6, 12], 1);
    const shifted = layer.apply(x) as tf.Tensor;
    const fake = layer.apply(x, { training: true }) as tf.Tensor; // the exact path (same values, training mode)
    // small sums of powers of two: float32 is exact, so the two agree bit for bit
    expect(Array.from(shifted.dataSync())).toEqual(Array.from(fake.dataSync()));
    expect(tf.max(fake).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, shifted, fake]);
  });

  it('base sqrt 2: shift inference equals the fake-quantized forward within float32 rounding', () => {
    const layer = logDense({
      units: 4,
      kernelQuantizer: q({ bits: 4, fsr: 0, stepsPerOctave: 2 }),
      inputQuantizer: q({ bits: 4, fsr: 1, stepsPerOctave: 2 }),
      arithmetic: 'shift',
    });
    const x = randn([3, 7], 2);
    const a = layer.apply(x) as tf.Tensor;
    const b = layer.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
  });

  it('fixed-point kernels with log inputs run exact; the shift arithmetic wants a log kernel', () => {
    const args = {
      units: 3,
      kernelQuantizer: q({ bits: 5, fsr: 0, linear: true }),
      inputQuantizer: q({ bits: 4, fsr: 1, signed: false }),
    };
    expect(() => logDense({ ...args, arithmetic: 'shift' })).toThrow(LowbitConfigError);
    expect(() => logDense({ ...args, arithmetic: 'shift' })).toThrow(/LowbitShiftArithmetic \+ LowbitTestLogQuantizer/);
    const layer = logDense(args);
    const x = randn([2, 4], 3);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    tf.dispose([x, y]);
  });

  it('with exact arithmetic: fake-quantized weights and inputs, then tfjs matMul', () => {
    const layer = logDense({
      units: 3,
      useBias: false,
      kernelQuantizer: q({ bits: 3, fsr: 0 }),
      inputQuantizer: q({ bits: 3, fsr: 0, signed: false }),
    });
    const x = tf.tensor2d([[0.3, 0.9, -1, 0.01]]);
    const y = layer.apply(x) as tf.Tensor;
    const kq = new LowbitTestLogQuantizer({ bits: 3, fsr: 0 }).call(layer.getWeights()[0]!);
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
    const layer = logDense({ units: 3, useBias: false, kernelQuantizer: kq, inputQuantizer: xqz, arithmetic: 'shift' });
    const x = randn([2, 4], 5);
    tf.dispose(layer.apply(x) as tf.Tensor); // build
    const dy = tf.tensor2d([
      [1, -2, 0.5],
      [0.25, 1, -1],
    ]);
    const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss);
    const kernelVar = Object.keys(grads).find((k) => k.includes('kernel'))!;
    const xq = xqz.call(x);
    const wq = kq.call(layer.getWeights()[0]!);
    const wantW = tf.matMul(xq as tf.Tensor2D, dy, true, false);
    expect(Array.from(grads[kernelVar]!.dataSync())).toEqual(Array.from(wantW.dataSync()));
    const gx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy)))(
      x,
    );
    const wantX = tf.matMul(dy, wq as tf.Tensor2D, false, true);
    expect(Array.from(gx.dataSync())).toEqual(Array.from(wantX.dataSync()));
    tf.dispose([x, dy, xq, wq, wantW, gx, wantX, value, ...Object.values(grads)]);
  });

  it('trains with model.fit (STE reaches the float shadow weights), without leaking tensors', async () => {
    const net = tfl.sequential({
      layers: [
        logDense({
          inputShape: [4],
          units: 8,
          activation: 'relu',
          kernelQuantizer: q({ bits: 4, fsr: 0 }),
          inputQuantizer: q({ bits: 4, fsr: 2 }),
        }),
        logDense({ units: 2, weightBits: 4, inputBits: 4, arithmetic: 'shift' }),
      ],
    });
    net.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = randn([32, 4], 3);
    const y = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.neg(tf.sum(x, 1, true))], 1));
    const before = net.getWeights().map((w) => w.dataSync().slice());
    await net.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const n0 = tf.memory().numTensors;
    await net.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    expect(tf.memory().numTensors).toBe(n0);
    const after = net.getWeights().map((w) => w.dataSync());
    expect(after[0]!.some((v, i) => v !== before[0]![i])).toBe(true);
    // predict goes through the shift kernel in the last layer and does not leak either
    for (let i = 0; i < 2; i++) tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('saves and loads with a model as LowbitQuantDense (same predictions through the shift path)', async () => {
    const net = tfl.sequential({
      layers: [
        logDense({ inputShape: [5], units: 3, weightBits: 4, inputBits: 4, inputSigned: true, arithmetic: 'shift' }),
      ],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await net.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const layers = (saved!.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    expect(layers[0]!.class_name).toBe('LowbitQuantDense');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect((loaded.layers[0] as LowbitQuantDense).arithmetic).toBeInstanceOf(LowbitShiftArithmetic);
    const x = randn([4, 5], 9);
    const a = net.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });
});
