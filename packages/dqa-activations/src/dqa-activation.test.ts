import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getQuantizer,
  layerAliases,
  LowbitConfigError,
  LowbitQuantActivation,
  quantActivation,
  quantDense,
  serializeQuantizer,
} from '@lowbit/quant-core';
import { fileIO, loadModel, saveModel } from '@lowbit/quant-core/node';
import { decodeActivations, encode } from './codec.js';
import { dqaActivation, dqaParamsOf, isDqaLayer } from './dqa-activation.js';
import { LowbitDqaQuantizer } from './dqa-quantizer.js';
import { dqaFakeQuant } from './dqa-quantize.js';

const args = { outputBits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] };
const quantizerConfig = { bits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] };
const values = (t: tf.Tensor) => Array.from(t.dataSync());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dqa-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LowbitDqaQuantizer', () => {
  it('quantizes ordinary channels at N bits and important ones at N + m bits', () => {
    const q = new LowbitDqaQuantizer(quantizerConfig);
    const x = tf.tensor2d([
      [0.33, 0.33],
      [-5, 5],
    ]);
    const y = q.call(x);
    // ch0: round(3.3) = 3 -> 0.3, clamp(-50) = -8 -> -0.8;
    // ch1 step 0.025: round(13.2) = 13 -> 0.325, clamp(200) = 63 -> 1.575.
    const [s0, s1] = [Math.fround(0.1), Math.fround(0.2)];
    expect(values(y)).toEqual([3 * s0, (13 * s1) / 8, -8 * s0, (63 * s1) / 8].map(Math.fround));
    expect(values(y)).toEqual([0.3, 0.325, -0.8, 1.575].map((v) => expect.closeTo(v, 6)));
    tf.dispose([x, y]);
  });

  it('passes the gradient straight through, clamped values included', () => {
    const q = new LowbitDqaQuantizer(quantizerConfig);
    const x = tf.tensor2d([
      [0.33, -0.1],
      [-5, 5],
    ]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), tf.tensor1d([2, 3]))))(x);
    expect(values(g)).toEqual([2, 3, 2, 3]);
    tf.dispose([x, g]);
  });

  it('is registered (alias dqa) and round-trips through its config', () => {
    const q = new LowbitDqaQuantizer({ ...quantizerConfig, tableGranularity: 'channel' });
    const saved = serializeQuantizer(q)!;
    expect(saved).toEqual({
      className: 'LowbitDqaQuantizer',
      config: {
        bits: 4,
        extraBits: 3,
        scales: [Math.fround(0.1), Math.fround(0.2)],
        important: [1],
        tableGranularity: 'channel',
      },
    });
    const copy = getQuantizer(structuredClone(saved)) as LowbitDqaQuantizer;
    expect(copy).toBeInstanceOf(LowbitDqaQuantizer);
    expect(copy.getConfig()).toEqual(saved.config);
    const viaAlias = getQuantizer({ className: 'dqa', config: quantizerConfig }) as LowbitDqaQuantizer;
    expect(viaAlias.dqaParams().important).toEqual(Int32Array.of(1));
    // Without calibrated scales there is nothing to quantize with.
    expect(() => getQuantizer('dqa')).toThrow(/calibrateDqa/);
  });

  it('reports N-bit signed codes as its precision', () => {
    expect(new LowbitDqaQuantizer(quantizerConfig).precision()).toEqual({ kind: 'int', bits: 4, signed: true });
  });

  it('exports N-bit per-channel codes without important channels; dequantized they equal call()', () => {
    const q = new LowbitDqaQuantizer({ bits: 3, scales: [0.5, 0.25, 0.125] });
    const x = tf.tensor2d([
      [0.3, -0.3, 0.7],
      [2, -2, -0.0625],
      [0.76, 0.12, 0.19],
    ]);
    const y = q.call(x);
    const exported = q.quantize(x);
    expect(exported.bits).toBe(3);
    expect(exported.signed).toBe(true);
    expect(exported.axis).toBe(1);
    expect(Array.from(exported.scale)).toEqual([0.5, 0.25, 0.125]);
    // 0.3/0.5 = 0.6 -> 1; -0.3/0.25 = -1.2 -> -1; 0.7/0.125 = 5.6 -> 3 (clamped); 4 -> 3; -8 -> -4;
    // -0.5 -> -0 -> 0 (half to even, no negative zero); 1.52 -> 2; 0.48 -> 0; 1.52 -> 2.
    expect(Array.from(exported.codes)).toEqual([1, -1, 3, 3, -4, 0, 2, 0, 2]);
    expect(Array.from(exported.dequantize())).toEqual(values(y));
    tf.dispose([x, y]);
  });

  it('refuses a QuantizedTensor export with important channels and points at encode', () => {
    const q = new LowbitDqaQuantizer(quantizerConfig);
    const x = tf.zeros([1, 2]);
    expect(() => q.quantize(x)).toThrow(LowbitConfigError);
    expect(() => q.quantize(x)).toThrow(/encode\(x, dqaParamsOf\(layer\)\)/);
    x.dispose();
  });

  it('rejects bad settings and wrong inputs with typed errors', () => {
    expect(() => new LowbitDqaQuantizer({ ...quantizerConfig, bits: 1 })).toThrow(/bits = 1/);
    expect(() => new LowbitDqaQuantizer({ ...quantizerConfig, extraBits: 9 })).toThrow(/extraBits = 9/);
    expect(() => new LowbitDqaQuantizer({ ...quantizerConfig, important: [2] })).toThrow(/important\[0\] = 2/);
    expect(() => new LowbitDqaQuantizer({ ...quantizerConfig, step: 1 } as never)).toThrow(/LowbitDqaQuantizer.step/);
    expect(() => new LowbitDqaQuantizer(null as never)).toThrow(LowbitConfigError);
    const q = new LowbitDqaQuantizer(quantizerConfig);
    const wrong = tf.zeros([2, 3]);
    const ints = tf.zeros([2, 2], 'int32');
    expect(() => q.call(wrong)).toThrow(/last \(channel\) axis of 2/);
    expect(() => q.call(ints)).toThrow(/float32/);
    expect(() => q.build([2])).toThrow(/rank >= 2/);
    expect(() => q.build([-1, 3])).toThrow(/axis of 2/);
    tf.dispose([wrong, ints]);
  });
});

describe('dqaActivation', () => {
  it('is a quantActivation with a DQA output quantizer, computing dqaFakeQuant', () => {
    const layer = dqaActivation(args);
    expect(layer).toBeInstanceOf(LowbitQuantActivation);
    expect(layer.outputQuantizer).toBeInstanceOf(LowbitDqaQuantizer);
    expect(layer.lowbitOperation()).toBe('activation');
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 4, signed: true } });
    const x = tf.tensor2d([
      [0.33, 0.33],
      [-5, 5],
      [0.049, -0.0125],
    ]);
    const y = layer.apply(x) as tf.Tensor;
    const want = dqaFakeQuant(x, quantizerConfig);
    expect(values(y)).toEqual(values(want));
    tf.dispose([x, y, want]);
  });

  it('takes an activation before the quantizer (ReLU then DQA in one layer)', () => {
    const layer = dqaActivation({ ...args, activation: 'relu' });
    const x = tf.tensor2d([[-0.33, 0.33]]);
    const y = layer.apply(x) as tf.Tensor;
    expect(values(y)).toEqual([0, Math.fround((13 * Math.fround(0.2)) / 8)]);
    tf.dispose([x, y]);
  });

  it('saves and loads through fileIO with identical predictions; its output decodes bit for bit', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 2,
          inputShape: [3],
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        }),
        dqaActivation({ ...args, tableGranularity: 'channel', name: 'dqa' }),
      ],
    });
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const restored = loaded.getLayer('dqa');
    expect(restored.getClassName()).toBe('LowbitQuantActivation');
    expect(isDqaLayer(restored)).toBe(true);
    expect(dqaParamsOf(restored)).toEqual(dqaParamsOf(model.getLayer('dqa')));
    expect(dqaParamsOf(restored).tableGranularity).toBe('channel');
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [0.3, 0.2, -0.1],
      [3, 1, -1],
    ]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(values(b)).toEqual(values(a));
    const hidden = model.layers[0].apply(x) as tf.Tensor;
    expect(Array.from(decodeActivations(encode(hidden, dqaParamsOf(restored))).values)).toEqual(values(a));
    tf.dispose([x, a, b, hidden]);
    model.dispose();
    loaded.dispose();
  });

  it('rejects bad settings, the old option name and wrong input shapes', () => {
    expect(() => dqaActivation({ ...args, outputBits: 1 })).toThrow(/outputBits = 1/);
    expect(() => dqaActivation({ ...args, outputBits: 9 })).toThrow(/outputBits = 9/);
    expect(() => dqaActivation({ ...args, extraBits: 9 })).toThrow(/extraBits = 9/);
    expect(() => dqaActivation({ ...args, important: [2] })).toThrow(/important\[0\] = 2/);
    expect(() => dqaActivation({ ...args, bits: 4 } as never)).toThrow(/called outputBits/);
    expect(() => dqaActivation(null as never)).toThrow(LowbitConfigError);
    const wrong = tf.zeros([2, 3]);
    expect(() => dqaActivation(args).apply(wrong)).toThrow(/last \(channel\) axis of 2/);
    expect(() => tfl.sequential({ layers: [dqaActivation({ ...args, inputShape: [3] })] })).toThrow(/axis of 2/);
    wrong.dispose();
  });

  it('dqaParamsOf reads a layer or a quantizer, and rejects other layers', () => {
    const layer = dqaActivation(args);
    const p = dqaParamsOf(layer);
    expect(p).toMatchObject({ bits: 4, extraBits: 3, channels: 2, tableGranularity: 'layer' });
    expect(Array.from(p.important)).toEqual([1]);
    // A copy: changing it does not change the layer.
    p.scales[0] = 9;
    expect(dqaParamsOf(layer).scales[0]).toBe(Math.fround(0.1));
    expect(dqaParamsOf(layer.outputQuantizer as LowbitDqaQuantizer).bits).toBe(4);
    expect(() => dqaParamsOf(quantActivation({ name: 'plain' }))).toThrow(/"plain" is invalid: has no DQA/);
    expect(isDqaLayer(quantActivation({ outputQuantizer: 'wrpn' }))).toBe(false);
  });

  it('works as the output quantizer of a weight layer too', () => {
    const dense = quantDense({
      units: 2,
      useBias: false,
      kernelInitializer: 'ones',
      outputQuantizer: new LowbitDqaQuantizer(quantizerConfig),
    });
    const x = tf.tensor2d([[0.2, 0.13]]);
    const y = dense.apply(x) as tf.Tensor;
    const want = dqaFakeQuant(tf.tensor2d([[0.33, 0.33]]), quantizerConfig);
    expect(values(y)).toEqual(values(want));
    tf.dispose([x, y, want]);
  });

  it('leaks no tensors over repeated fit steps', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        dqaActivation(args),
        tfl.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1], 'int32'), 2);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const before = tf.memory().numTensors;
    const weights = values(model.layers[0].getWeights()[0]!);
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    // The straight-through gradient reaches the layer before the quantizer.
    expect(values(model.layers[0].getWeights()[0]!)).not.toEqual(weights);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('models saved by the previous release (LowbitDqaActivation)', () => {
  it('the old class name is a registered alias', () => {
    expect(layerAliases()).toContain('LowbitDqaActivation');
  });

  it('an old config (bits, snake_case keys) loads as dqaActivation and computes the same values', async () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          {
            class_name: 'LowbitDqaActivation',
            config: {
              name: 'dqa',
              trainable: false,
              batch_input_shape: [null, 2],
              dtype: 'float32',
              bits: 4,
              extra_bits: 3,
              scales: [0.1, 0.2],
              important: [1],
              table_granularity: 'channel',
            },
          },
        ],
      },
    };
    const model = await tfl.models.modelFromJSON(topology as never);
    const layer = model.getLayer('dqa');
    expect(layer.getClassName()).toBe('LowbitQuantActivation');
    expect(dqaParamsOf(layer)).toMatchObject({ bits: 4, extraBits: 3, tableGranularity: 'channel' });
    const x = tf.tensor2d([
      [0.33, 0.33],
      [-5, 5],
    ]);
    const y = model.predict(x) as tf.Tensor;
    const want = dqaFakeQuant(x, quantizerConfig);
    expect(values(y)).toEqual(values(want));
    tf.dispose([x, y, want]);
    model.dispose();
  });

  it('the v0 fixture loads through fileIO and predicts what the previous release saved', async () => {
    const fixture = fileURLToPath(new URL('../../../tools/fixtures/v0/LowbitDqaActivation/', import.meta.url));
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
      input: { shape: number[]; values: number[] };
      output: { shape: number[]; values: number[] };
    };
    const model = await loadModel(fixture);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['LowbitQuantActivation']);
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(expected.output.shape);
    expect(values(y)).toEqual(expected.output.values);
    // Re-saved, it uses the new class names and still predicts the same.
    await model.save(fileIO(dir));
    const again = await loadModel(dir);
    const z = again.predict(x) as tf.Tensor;
    expect(values(z)).toEqual(expected.output.values);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].class_name).toBe(
      'LowbitQuantActivation',
    );
    tf.dispose([x, y, z]);
    model.dispose();
    again.dispose();
  });
});
