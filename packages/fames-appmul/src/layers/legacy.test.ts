import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerAliases, LowbitExactArithmetic, LowbitQuantDense, type LowbitQuantLayer } from '@lowbit/quant-core';
import { fileIO, loadModel } from '@lowbit/quant-core/node';
import { afterAll, describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitAppMulArithmetic } from '../arithmetic/appmul-arithmetic.js';
import { fromLegacyAppMulConfig } from './legacy.js';
import { multiplierOf } from './set-multiplier.js';

const work = mkdtempSync(join(tmpdir(), 'lowbit-appmul-legacy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Expected {
  input: { shape: number[]; values: number[] };
  output: { shape: number[]; values: number[] };
}

const cases = [
  { fixture: 'LowbitAppMulDense', className: 'LowbitQuantDense', multiplier: 'trunc3_a4u_w4s' },
  { fixture: 'LowbitAppMulConv2D', className: 'LowbitQuantConv2D', multiplier: 'drum4_a8u_w8s' },
];

describe('models saved by the previous release (LowbitAppMulDense, LowbitAppMulConv2D)', () => {
  it('registers both old class names as layer aliases', () => {
    expect(layerAliases()).toEqual(expect.arrayContaining(['LowbitAppMulConv2D', 'LowbitAppMulDense']));
  });

  for (const c of cases) {
    it(`${c.fixture}: the v0 fixture loads through fileIO and predicts what the previous release saved`, async () => {
      const dir = fileURLToPath(new URL(`../../../../tools/fixtures/v0/${c.fixture}/`, import.meta.url));
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const model = await loadModel(dir);
      const layer = model.layers[0] as LowbitQuantLayer;
      expect(layer.getClassName()).toBe(c.className);
      expect(layer.arithmetic).toBeInstanceOf(LowbitAppMulArithmetic);
      // tfjs handed the saved name back camel-cased; it still finds the same design.
      expect(multiplierOf(layer)?.name).toBe(c.multiplier);
      const x = tf.tensor(expected.input.values, expected.input.shape);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual(expected.output.shape);
      expect(Array.from(y.dataSync())).toEqual(expected.output.values);
      // Re-saved, it uses the new class name and still predicts the same.
      const again = join(work, c.fixture);
      await model.save(fileIO(again));
      const saved = JSON.parse(readFileSync(join(again, 'model.json'), 'utf8'));
      expect(saved.modelTopology.config.layers[0].class_name).toBe(c.className);
      const reloaded = await loadModel(again);
      const z = reloaded.predict(x) as tf.Tensor;
      expect(Array.from(z.dataSync())).toEqual(expected.output.values);
      tf.dispose([x, y, z]);
      model.dispose();
      reloaded.dispose();
    });
  }
});

describe('fromLegacyAppMulConfig', () => {
  it('moves multiplier and appMulPath to the arithmetic arguments, everything else unchanged', () => {
    expect(fromLegacyAppMulConfig({ units: 2, multiplier: 'trunc3A4uW4s', appMulPath: 'lut', name: 'd' })).toEqual({
      units: 2,
      name: 'd',
      multiplier: 'trunc3A4uW4s',
      appMulPath: 'lut',
    });
    expect(fromLegacyAppMulConfig({ units: 2 })).toEqual({ units: 2, multiplier: null, appMulPath: 'auto' });
    expect(() => fromLegacyAppMulConfig({ units: 2, appMulPath: 'fast' })).toThrow(/appMulPath/);
  });

  it('an old layer without multiplier or quantizers loads as a plain quantized layer', async () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          {
            class_name: 'LowbitAppMulDense',
            config: { units: 3, name: 'plain', batch_input_shape: [null, 4], multiplier: null, app_mul_path: 'auto' },
          },
          {
            class_name: 'LowbitAppMulDense',
            config: {
              units: 2,
              name: 'slot',
              multiplier: null,
              app_mul_path: 'auto',
              kernel_quantizer: { class_name: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } },
              input_quantizer: { class_name: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } },
            },
          },
        ],
      },
    };
    const model = await tfl.models.modelFromJSON(topology as never);
    const [plain, slot] = model.layers as LowbitQuantDense[];
    expect(plain).toBeInstanceOf(LowbitQuantDense);
    expect(plain!.arithmetic).toBeInstanceOf(LowbitExactArithmetic);
    expect(slot!.arithmetic).toBeInstanceOf(LowbitAppMulArithmetic);
    expect(multiplierOf(slot!)).toBeNull();
    model.dispose();
  });
});
