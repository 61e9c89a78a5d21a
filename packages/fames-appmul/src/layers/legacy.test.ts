import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerAliases, LowbitExactArithmetic, LowbitQuantDense, type LowbitQuantLayer } from '@lowbit/quant-core';
import { reloadV0Fixture } from '@lowbit/quant-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitAppMulArithmetic } from '../arithmetic/appmul-arithmetic.js';
import { fromLegacyAppMulConfig } from './legacy.js';
import { multiplierOf } from './set-multiplier.js';

const fixturesRoot = fileURLToPath(new URL('../../../../tools/fixtures/v0/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lowbit-appmul-legacy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
      const r = await reloadV0Fixture(fixturesRoot, c.fixture, work);
      const layer = r.model.layers[0] as LowbitQuantLayer;
      expect(layer.getClassName()).toBe(c.className);
      expect(layer.arithmetic).toBeInstanceOf(LowbitAppMulArithmetic);
      // tfjs handed the saved name back camel-cased; it still finds the same design.
      expect(multiplierOf(layer)?.name).toBe(c.multiplier);
      expect(r.outputShape).toEqual(r.expectedShape);
      expect(r.prediction).toEqual(r.expected);
      // Re-saved, it uses the new class name and still predicts the same.
      expect(r.resavedClassNames[0]).toBe(c.className);
      expect(r.resavedPrediction).toEqual(r.prediction);
      r.model.dispose();
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
