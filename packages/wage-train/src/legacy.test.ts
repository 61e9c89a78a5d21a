import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerAliases, LowbitQuantActivation } from '@lowbit/quant-core';
import { loadModel } from '@lowbit/quant-core/node';
import { reloadV0Fixture } from '@lowbit/quant-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import './index.js';
import { isWageActivation, isWageErrorQuantizer } from './activation.js';
import { fromLegacyWageConfig } from './legacy.js';
import { isWageLayer } from './wage-layers.js';

const fixturesRoot = fileURLToPath(new URL('../../../tools/fixtures/v0/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lowbit-wage-legacy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cases = [
  { fixture: 'LowbitWageDense', className: 'LowbitQuantDense', is: isWageLayer },
  { fixture: 'LowbitWageConv2D', className: 'LowbitQuantConv2D', is: isWageLayer },
  { fixture: 'LowbitWageActivation', className: 'LowbitQuantActivation', is: isWageActivation },
  { fixture: 'LowbitWageErrorQuantizer', className: 'LowbitQuantActivation', is: isWageErrorQuantizer },
];

describe('models saved by the previous release (LowbitWage* layers)', () => {
  it('registers the four old class names as layer aliases', () => {
    expect(layerAliases()).toEqual(
      expect.arrayContaining([
        'LowbitWageActivation',
        'LowbitWageConv2D',
        'LowbitWageDense',
        'LowbitWageErrorQuantizer',
      ]),
    );
  });

  for (const c of cases) {
    it(`${c.fixture}: the v0 fixture loads through fileIO and predicts what the previous release saved`, async () => {
      const r = await reloadV0Fixture(fixturesRoot, c.fixture, work);
      const layer = r.model.layers[0]!;
      expect(layer.getClassName()).toBe(c.className);
      expect(c.is(layer)).toBe(true);
      expect(r.outputShape).toEqual(r.expectedShape);
      expect(r.prediction).toEqual(r.expected);
      // Re-saved, it uses the new class name and still predicts the same.
      expect(r.resavedClassNames[0]).toBe(c.className);
      expect(r.resavedPrediction).toEqual(r.prediction);
      r.model.dispose();
    });
  }

  it('keeps the old settings: bit widths, seed, ReLU', async () => {
    const root = fileURLToPath(new URL('../../../tools/fixtures/v0/', import.meta.url));
    const dense = (await loadModel(join(root, 'LowbitWageDense'))).layers[0]!;
    if (!isWageLayer(dense)) throw new Error('expected a WAGE layer');
    expect(dense.kernelQuantizer.getConfig()).toMatchObject({ bits: 4, alpha: 'auto' });
    expect(dense.inputQuantizer!.getConfig()).toEqual({ bits: 6, signed: true });
    expect(dense.getConfig().kernelInitializer).toEqual({
      className: 'LowbitWageInitializer',
      config: { bits: 4, seed: 7 },
    });
    const act = (await loadModel(join(root, 'LowbitWageActivation'))).layers[0] as LowbitQuantActivation;
    expect(act.activation).toBe('relu');
    expect(act.outputQuantizer!.getConfig()).toEqual({ bits: 5, errorBits: 6, signed: false });
  });
});

describe('fromLegacyWageConfig', () => {
  it('renames bitsW, bitsA, bitsE and drops the unused seed of a user-initialised layer', () => {
    expect(fromLegacyWageConfig({ units: 2, bitsW: 3, inputBits: 6, seed: 4 })).toEqual({
      units: 2,
      weightBits: 3,
      inputBits: 6,
      seed: 4,
    });
    expect(fromLegacyWageConfig({ bitsA: 6, bitsE: null, relu: false })).toEqual({
      outputBits: 6,
      errorBits: null,
      relu: false,
    });
    const init = { className: 'Ones', config: {} };
    expect(fromLegacyWageConfig({ units: 2, bitsW: 2, seed: 0, kernelInitializer: init })).toEqual({
      units: 2,
      weightBits: 2,
      kernelInitializer: init,
    });
  });

  it('deserializes an old topology with every WAGE layer through the aliases', async () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          {
            class_name: 'LowbitWageActivation',
            config: { bits_a: 8, bits_e: null, relu: false, batch_input_shape: [null, 4] },
          },
          {
            class_name: 'LowbitWageDense',
            config: { units: 3, use_bias: false, activation: 'linear', bits_w: 2, input_bits: 8, seed: 1 },
          },
          { class_name: 'LowbitWageActivation', config: { bits_a: 8, bits_e: 8, relu: true } },
          {
            class_name: 'LowbitWageDense',
            config: {
              units: 2,
              bits_w: 3,
              input_bits: 8,
              seed: 0,
              kernel_initializer: { class_name: 'Ones', config: {} },
            },
          },
          { class_name: 'LowbitWageErrorQuantizer', config: { bits_e: 5, name: 'out_q' } },
        ],
      },
    };
    const model = await tfl.models.modelFromJSON(topology as never);
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'LowbitQuantActivation',
      'LowbitQuantDense',
      'LowbitQuantActivation',
      'LowbitQuantDense',
      'LowbitQuantActivation',
    ]);
    expect(plain(model.layers[3]!.getWeights()[0]!)).toEqual(new Array(6).fill(0.75)); // ones snapped to 3 bits
    expect(isWageErrorQuantizer(model.layers[4])).toBe(true);
    expect(model.layers[4]!.name).toBe('out_q');
    model.dispose();
  });
});

function plain(t: tf.Tensor): number[] {
  return Array.from(t.dataSync(), (v) => v + 0);
}
