/**
 * Every code snippet in docs/ lives in docs/snippets/*.ts and is imported here (which runs it, on
 * the cpu backend of the test setup), so the docs cannot rot: an API change breaks this test,
 * and the assertions check the snippets still show what the docs say they show.
 */
import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('docs snippets', () => {
  it('getting-started: trains a 4-bit net, saves and reloads it with fileIO, costs it with hw-model', async () => {
    const m = await import('../../../docs/snippets/getting-started.js');
    expect(m.trainAccuracy).toBeGreaterThan(0.6); // 4 classes: chance is 0.25
    expect(m.maxDifference).toBe(0); // reloaded model predicts exactly the same
    expect(m.cost.layers.map((l: { macs: number }) => l.macs)).toEqual([16 * 32, 32 * 4]);
    expect(m.cost.ratios.vsFloat32.energyPj).toBeLessThan(1);
    rmSync(m.dir, { recursive: true, force: true });
  });

  it('hw-model guide: MACs and the ratio to float', async () => {
    const m = await import('../../../docs/snippets/hw-model.js');
    expect(m.hiddenMacs).toBe(235_200);
    expect(m.ratio.bitOps).toBeLessThan(0.1);
    expect(m.ratio.energyPj).toBeLessThan(1);
    expect(m.markdown).toContain('|');
  });

  it('wrpn guide: trains the wide net; bit-ops fp32 > w4a4 2x > w4a4 1x', async () => {
    const m = await import('../../../docs/snippets/wrpn.js');
    expect(Number.isFinite(m.loss)).toBe(true);
    expect(m.bitOps.fp32).toBeGreaterThan(m.bitOps.w4a4x2);
    expect(m.bitOps.w4a4x2).toBeGreaterThan(m.bitOps.w4a4);
  });

  it('log-domain guide: the shift kernel is exact; the layer reports pow2 operands', async () => {
    const m = await import('../../../docs/snippets/log-domain.js');
    expect(m.shifted).toBe(17 / 32);
    expect(m.precision.weight).toMatchObject({ kind: 'pow2', bits: 4 });
    expect(m.precision.input).toMatchObject({ kind: 'pow2', bits: 3 });
    expect(m.outputShape).toEqual([2, 10]);
  });

  it('wage guide: trains, and integer-only inference equals model.predict', async () => {
    const m = await import('../../../docs/snippets/wage.js');
    expect(m.epochs).toHaveLength(3);
    expect(m.error).toBeLessThan(0.75); // 4 classes: chance error 0.75
    expect(Array.from(m.integerPredictions)).toEqual(Array.from(m.floatPredictions));
  });

  it('dqa guide: encode/decode is bit-exact and the storage report has rows', async () => {
    const m = await import('../../../docs/snippets/dqa.js');
    expect(m.bytes).toBeInstanceOf(Uint8Array);
    expect(m.roundTripExact).toBe(true);
    expect(m.report).toMatch(/\|/);
  });

  it('fames guide: a multiplier per layer, within the budget, at no more energy than exact', async () => {
    const m = await import('../../../docs/snippets/fames.js');
    expect(m.chosen).toHaveLength(2);
    expect(m.estimatedLoss).toBeLessThanOrEqual(0.01);
    expect(m.energy.chosen).toBeLessThanOrEqual(m.energy.exact);
  });

  it('snippets leave the backend as the tests set it', () => {
    expect(tf.getBackend()).toBe('cpu');
  });
});
