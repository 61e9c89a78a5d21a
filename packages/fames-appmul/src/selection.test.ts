import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { selectExhaustive, selectMultipliers, type LayerChoices } from './selection.js';

const layersArb = (integerLoss: boolean) =>
  fc.array(
    fc.record({
      options: fc.array(
        fc.record({
          energy: fc.double({ min: 0, max: 100, noNaN: true }),
          loss: integerLoss ? fc.integer({ min: -3, max: 20 }) : fc.double({ min: -0.5, max: 2, noNaN: true }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ) as fc.Arbitrary<LayerChoices[]>;

describe('selectMultipliers', () => {
  it('the docstring example', () => {
    const r = selectMultipliers(
      [
        {
          options: [
            { energy: 10, loss: 0 },
            { energy: 6, loss: 0.02 },
            { energy: 3, loss: 0.1 },
          ],
        },
        {
          options: [
            { energy: 8, loss: 0 },
            { energy: 5, loss: 0.05 },
          ],
        },
      ],
      0.07,
      { lossUnit: 0.01 },
    );
    expect(r.choice).toEqual([1, 1]);
    expect(r.energy).toBe(11);
    expect(r.loss).toBeCloseTo(0.07, 12);
  });

  it('integer losses with unit 1: same optimum energy as exhaustive search (fast-check)', () => {
    fc.assert(
      fc.property(layersArb(true), fc.integer({ min: -5, max: 60 }), (layers, budget) => {
        const dp = selectMultipliers(layers, budget, { lossUnit: 1 });
        const ex = selectExhaustive(layers, budget);
        expect(dp.feasible).toBe(ex.feasible);
        if (ex.feasible) {
          expect(dp.loss).toBeLessThanOrEqual(budget);
          expect(dp.energy).toBeCloseTo(ex.energy, 9);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('real losses: always within budget, and no worse than the optimum at budget - layers * unit (fast-check)', () => {
    fc.assert(
      fc.property(layersArb(false), fc.double({ min: -1, max: 6, noNaN: true }), (layers, budget) => {
        const dp = selectMultipliers(layers, budget);
        const ex = selectExhaustive(layers, budget);
        expect(dp.feasible).toBe(ex.feasible);
        if (!ex.feasible) return;
        expect(dp.loss).toBeLessThanOrEqual(budget + 1e-9);
        expect(dp.energy).toBeGreaterThanOrEqual(ex.energy - 1e-9);
        const minSum = layers.reduce((s, l) => s + Math.min(...l.options.map((o) => o.loss)), 0);
        const unit = (budget - minSum) / 1000;
        const tighter = selectExhaustive(layers, budget - layers.length * unit);
        if (tighter.feasible) expect(dp.energy).toBeLessThanOrEqual(tighter.energy + 1e-9);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('bad input gives LowbitConfigError naming the field', () => {
    expect(() => selectMultipliers([], 1)).toThrow(/layers/);
    expect(() => selectMultipliers([{ options: [] }], 1)).toThrow(/layers\[0\].options/);
    expect(() => selectMultipliers([{ options: [{ energy: Number.NaN, loss: 0 }] }], 1)).toThrow(
      /layers\[0\].options\[0\].energy/,
    );
    expect(() => selectMultipliers([{ options: [{ energy: 1, loss: 0 }] }], Number.POSITIVE_INFINITY)).toThrow(
      /budget/,
    );
    expect(() => selectMultipliers([{ options: [{ energy: 1, loss: 0 }] }], 1, { lossUnit: 0 })).toThrow(/lossUnit/);
    expect(() => selectMultipliers([{ options: [{ energy: 1, loss: 0 }] }], 1e9, { lossUnit: 1 })).toThrow(
      LowbitConfigError,
    );
    expect(() =>
      selectExhaustive(
        Array.from({ length: 30 }, () => ({
          options: [
            { energy: 1, loss: 0 },
            { energy: 0, loss: 1 },
          ],
        })),
        1,
      ),
    ).toThrow(LowbitConfigError);
    const one = [{ options: [{ energy: 1, loss: 0 }] }];
    expect(() => selectMultipliers(one, 1, { maxSteps: 1e9 })).toThrow(/maxSteps = 1000000000/); // bounded before allocating
    expect(() => selectMultipliers(one, 1, { lossUnit: 1e-320 })).toThrow(/lossUnit/);
    expect(() => selectMultipliers(one, 1, { lossUnits: 1 } as never)).toThrow(/settings\.lossUnits/);
    expect(() => selectMultipliers(one, 1, null as never)).toThrow(LowbitConfigError);
    expect(() => selectExhaustive(one, 1, NaN)).toThrow(/maxCombinations = NaN/);
  });
});

import { layerChoices } from './layer-choices.js';
import { appMulLibrary } from './library.js';

describe('layerChoices', () => {
  it('turns a counting matrix and a library into options (energy x MACs, sum G E)', () => {
    const a = { bits: 2, signed: false };
    const w = { bits: 2, signed: false };
    const g = new Float64Array(16).map((_, i) => (i % 3) - 1);
    const lib = appMulLibrary({ a, w });
    const c = layerChoices('l1', { a, w, g }, lib, 100);
    expect(c.multipliers).toEqual(lib);
    c.options.forEach((o, j) => {
      expect(o.energy).toBeCloseTo(100 * lib[j].energyPj, 12);
      const e = lib[j].errorTable();
      expect(o.loss).toBeCloseTo(
        e.reduce((s, v, i) => s + v * g[i], 0),
        12,
      );
    });
    expect(c.options[0].loss).toBe(0);
    expect(() => layerChoices('l2', { a: { bits: 3, signed: false }, w, g: new Float64Array(32) }, lib, 1)).toThrow(
      /none fits/,
    );
  });

  it('clamps negative estimates to 0 unless told not to, and admits designs by MAE', () => {
    const a = { bits: 2, signed: false };
    const w = { bits: 2, signed: false };
    const lib = appMulLibrary({ a, w });
    // G = -E_m for the first approximate design: its raw estimate is -sum E^2 < 0.
    const approx = lib.find((m) => !m.isExact())!;
    const g = Float64Array.from(approx.errorTable(), (v) => -v);
    const raw = layerChoices('l', { a, w, g }, lib, 1, { clampNegative: false });
    const clamped = layerChoices('l', { a, w, g }, lib, 1);
    const j = lib.indexOf(approx);
    expect(raw.options[j].loss).toBeLessThan(0);
    expect(clamped.options[j].loss).toBe(0);
    raw.options.forEach((o, i) => expect(clamped.options[i].loss).toBe(Math.max(0, o.loss)));
    const admitted = layerChoices('l', { a, w, g }, lib, 1, { maxMaePercent: 0 });
    expect(admitted.multipliers.every((m) => m.isExact())).toBe(true);
    const limit = approx.metrics().maePercent;
    const some = layerChoices('l', { a, w, g }, lib, 1, { maxMaePercent: limit });
    expect(some.multipliers).toContain(approx);
    expect(some.multipliers.every((m) => m.isExact() || m.metrics().maePercent <= limit)).toBe(true);
  });

  it('rejects bad options', () => {
    const a = { bits: 2, signed: false };
    const lib = appMulLibrary({ a, w: a });
    const cm = { a, w: a, g: new Float64Array(16) };
    expect(() => layerChoices('l', cm, lib, 1, { maxMaePercent: -1 })).toThrow(/maxMaePercent = -1/);
    expect(() => layerChoices('l', cm, lib, 1, { clampNegative: 'yes' as unknown as boolean })).toThrow(
      /clampNegative/,
    );
    expect(() => layerChoices('l', cm, lib, 1, { maxMae: 1 } as never)).toThrow(
      /options.maxMae = 1 is invalid: unknown option/,
    );
    expect(() => layerChoices(undefined as never, cm, lib, 1)).toThrow(/name = undefined/);
    expect(() => layerChoices('l', { ...cm, g: new Float64Array(15) }, lib, 1)).toThrow(/g must be a Float64Array/);
    expect(() => layerChoices('l', cm, [...lib, 'exact' as never], 1)).toThrow(/candidates\[\d+\] = "exact"/);
    expect(() => layerChoices('l', cm, [], 1)).toThrow(/candidates/);
  });
});
