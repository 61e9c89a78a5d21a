import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  layerAliases,
  LowbitConfigError,
  LowbitQuantActivation,
  LowbitWrpnQuantizer,
  quantActivation,
} from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { describe, expect, it } from 'vitest';
import { isWrpnActivation, wrpnActivation } from './wrpn-activation.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('wrpnActivation', () => {
  it('clips to [0, 1] and rounds to 2^k - 1 levels', () => {
    const x = tf.tensor1d([-0.2, 0.1, 0.5, 0.9, 1.3, 0.4]);
    const y2 = wrpnActivation({ outputBits: 2 }).apply(x) as tf.Tensor;
    // 2 bits: levels {0, 1/3, 2/3, 1}; 0.5 * 3 = 1.5 rounds half to even -> 2.
    expect(values(y2)).toEqual(Array.from(Float32Array.from([0, 0, 2 / 3, 1, 1, 1 / 3])));
    const y1 = wrpnActivation({ outputBits: 1 }).apply(x) as tf.Tensor;
    expect(values(y1)).toEqual([0, 0, 0, 1, 1, 0]);
    tf.dispose([x, y2, y1]);
  });

  it('is a quantActivation with the WRPN activation quantizer', () => {
    const layer = wrpnActivation({ outputBits: 3 });
    expect(layer).toBeInstanceOf(LowbitQuantActivation);
    expect(layer.outputQuantizer).toBeInstanceOf(LowbitWrpnQuantizer);
    expect(layer.outputQuantizer!.getConfig()).toEqual({ bits: 3, mode: 'activation' });
    expect(layer.lowbitOperation()).toBe('activation');
    expect(isWrpnActivation(layer)).toBe(true);
    expect(isWrpnActivation(quantActivation({ outputQuantizer: 'wrpn' }))).toBe(false); // weight mode
    expect(isWrpnActivation(tfl.layers.reLU())).toBe(false);
  });

  it('passes gradients straight through inside [0, 1] and blocks them outside', () => {
    const layer = wrpnActivation({ outputBits: 3 });
    const x = tf.tensor1d([-0.5, 0.2, 0.77, 1.5]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor1d([1, 2, 3, 4]))))(x);
    expect(values(g)).toEqual([0, 2, 3, 0]);
    tf.dispose([x, g]);
  });

  it('reports its output precision and survives getConfig/fromConfig and save/load', async () => {
    const layer = wrpnActivation({ outputBits: 4, name: 'act' });
    expect(layer.lowbitPrecision()).toEqual({ output: { kind: 'int', bits: 4, signed: false } });
    const copy = LowbitQuantActivation.fromConfig(
      LowbitQuantActivation,
      structuredClone(layer.getConfig()),
    ) as LowbitQuantActivation;
    expect(copy.lowbitPrecision().output!.bits).toBe(4);
    expect(copy.name).toBe('act');
    const model = tfl.sequential({ layers: [wrpnActivation({ outputBits: 2, inputShape: [3] })] });
    expect(model.outputs[0].shape).toEqual([null, 3]);
    const dir = mkdtempSync(join(tmpdir(), 'wrpn-act-'));
    try {
      await saveModel(model, dir);
      const loaded = await loadModel(dir);
      const x = tf.tensor2d([
        [-1, 0.4, 0.9],
        [0.2, 0.5, 2],
      ]);
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(values(b)).toEqual(values(a));
      expect(isWrpnActivation(loaded.layers[0])).toBe(true);
      tf.dispose([x, a, b]);
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad bit widths and the old option name', () => {
    expect(() => wrpnActivation({ outputBits: 0 })).toThrow(LowbitConfigError);
    expect(() => wrpnActivation({ outputBits: 17 })).toThrow(/outputBits = 17/);
    expect(() => wrpnActivation({ outputBits: 2.5 })).toThrow(/outputBits = 2.5/);
    expect(() => wrpnActivation({ bits: 4 } as never)).toThrow(/called outputBits/);
    expect(() => wrpnActivation(undefined as never)).toThrow(LowbitConfigError);
  });

  it('leaks no tensors over repeated fit steps', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 3, inputShape: [2], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        wrpnActivation({ outputBits: 2 }),
        tfl.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([6, 2], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32'), 2);
    await model.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, batchSize: 3, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('models saved by the previous release (LowbitWrpnActivation)', () => {
  it('the old class name is a registered alias; an old config loads as wrpnActivation', async () => {
    expect(layerAliases()).toContain('LowbitWrpnActivation');
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          {
            class_name: 'LowbitWrpnActivation',
            config: { bits: 2, name: 'a', trainable: true, batch_input_shape: [null, 3], dtype: 'float32' },
          },
        ],
      },
    };
    const model = await tfl.models.modelFromJSON(topology as never);
    expect(model.layers[0].getClassName()).toBe('LowbitQuantActivation');
    const x = tf.tensor2d([[-0.2, 0.5, 0.9]]);
    const y = model.predict(x) as tf.Tensor;
    expect(values(y)).toEqual(Array.from(Float32Array.from([0, 2 / 3, 1])));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('the v0 fixture loads through fileIO and predicts what the previous release saved', async () => {
    const fixture = fileURLToPath(new URL('../../../tools/fixtures/v0/LowbitWrpnActivation/', import.meta.url));
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
      input: { shape: number[]; values: number[] };
      output: { shape: number[]; values: number[] };
    };
    const model = await loadModel(fixture);
    expect(isWrpnActivation(model.layers[0])).toBe(true);
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(expected.output.shape);
    expect(values(y)).toEqual(expected.output.values);
    tf.dispose([x, y]);
    model.dispose();
  });
});
