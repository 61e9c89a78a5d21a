import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  layerAliases,
  LowbitConfigError,
  LowbitExactArithmetic,
  LowbitQuantDense,
  type LowbitQuantLayer,
} from '@lowbit/quant-core';
import { reloadV0Fixture } from '@lowbit/quant-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import '../index.js';
import '../testing/test-log-quantizer.js';
import { LowbitShiftArithmetic } from '../arithmetic/shift-arithmetic.js';
import { fromLegacyLogConfig } from './legacy.js';

const fixturesRoot = fileURLToPath(new URL('../../../../tools/fixtures/v0/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lowbit-log-legacy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cases = [
  { fixture: 'LowbitLogDense', className: 'LowbitQuantDense', arithmetic: LowbitShiftArithmetic },
  { fixture: 'LowbitLogConv2D', className: 'LowbitQuantConv2D', arithmetic: LowbitExactArithmetic },
];

describe('models saved by the previous release (LowbitLogDense, LowbitLogConv2D)', () => {
  it('registers both old class names as layer aliases', () => {
    expect(layerAliases()).toEqual(expect.arrayContaining(['LowbitLogConv2D', 'LowbitLogDense']));
  });

  for (const c of cases) {
    it(`${c.fixture}: the v0 fixture loads through fileIO and predicts what the previous release saved`, async () => {
      const r = await reloadV0Fixture(fixturesRoot, c.fixture, work);
      const layer = r.model.layers[0] as LowbitQuantLayer;
      expect(layer.getClassName()).toBe(c.className);
      expect(layer.arithmetic).toBeInstanceOf(c.arithmetic);
      expect(r.outputShape).toEqual(r.expectedShape);
      expect(r.prediction).toEqual(r.expected);
      // Re-saved, it uses the new class name and still predicts the same.
      expect(r.resavedClassNames[0]).toBe(c.className);
      expect(r.resavedPrediction).toEqual(r.prediction);
      r.model.dispose();
    });
  }
});

describe('fromLegacyLogConfig', () => {
  it('maps inferenceArithmetic to the arithmetic and the old shorthand names to the new ones', () => {
    const config = {
      units: 2,
      activationBits: 4,
      activationFsr: 1,
      activationSigned: true,
      weightBits: 4,
      inferenceArithmetic: 'shift',
    };
    expect(fromLegacyLogConfig(config)).toEqual({
      units: 2,
      inputBits: 4,
      inputFsr: 1,
      inputSigned: true,
      weightBits: 4,
      arithmetic: 'shift',
    });
    expect(fromLegacyLogConfig({ units: 2, linearActivations: true, inputBits: 5 })).toEqual({
      units: 2,
      linearInput: true,
      inputBits: 5,
      arithmetic: 'exact',
    });
  });

  it('an old shift layer with a fixed-point kernel loads with the exact arithmetic (the same products)', () => {
    const linearKernel = { className: 'LowbitTestLogQuantizer', config: { bits: 5, fsr: 0, linear: true } };
    const logInput = { className: 'LowbitTestLogQuantizer', config: { bits: 4, fsr: 1, signed: false } };
    const converted = fromLegacyLogConfig({
      units: 2,
      kernelQuantizer: linearKernel,
      inputQuantizer: logInput,
      inferenceArithmetic: 'shift',
    });
    expect(converted.arithmetic).toBe('exact');
    const noInput = fromLegacyLogConfig({ units: 2, weightBits: 4, inferenceArithmetic: 'shift' });
    expect(noInput.arithmetic).toBe('exact');
    expect(() => fromLegacyLogConfig({ units: 2, inferenceArithmetic: 'fast' })).toThrow(LowbitConfigError);
  });

  it('deserializes an old config through the alias', () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          {
            class_name: 'LowbitLogDense',
            config: {
              units: 3,
              name: 'old_dense',
              batch_input_shape: [null, 4],
              kernel_quantizer: {
                class_name: 'LowbitLogQuantizer',
                config: { bits: 4, base: 2, signed: true, fsr: 0 },
              },
              input_quantizer: { class_name: 'LowbitLogQuantizer', config: { bits: 4, base: 2, signed: true, fsr: 1 } },
              inference_arithmetic: 'shift',
            },
          },
        ],
      },
    };
    return tfl.models.modelFromJSON(topology as never).then((model) => {
      const layer = model.layers[0] as LowbitQuantDense;
      expect(layer).toBeInstanceOf(LowbitQuantDense);
      expect(layer.name).toBe('old_dense');
      expect(layer.arithmetic).toBeInstanceOf(LowbitShiftArithmetic);
      expect(layer.kernelQuantizer?.getConfig()).toEqual({ bits: 4, base: 2, signed: true, fsr: 0 });
      model.dispose();
    });
  });
});
