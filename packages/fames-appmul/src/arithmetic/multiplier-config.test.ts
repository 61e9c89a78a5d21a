import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, quantDense, type LowbitQuantLayer } from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import '../index.js';
import { AppMul } from '../appmul.js';
import { foldAppMulName, registerAppMul, resolveAppMul } from '../appmul-registry.js';
import { drumMultiplier } from '../families/drum.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { LowbitAppMulArithmetic, appMulEnergyRatio } from './appmul-arithmetic.js';
import { appMulFromTable, appMulToTable, multiplierConfig, multiplierFromConfig } from './multiplier-config.js';

const work = mkdtempSync(join(tmpdir(), 'lowbit-appmul-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const a4u = { bits: 4, signed: false };
const w4s = { bits: 4, signed: true };

/** A table no name finds: DRUM k=2 with one product changed. */
function unregisteredTable(name: string): AppMul {
  const base = drumMultiplier({ a: a4u, w: w4s, k: 2 });
  const table = Int32Array.from(base.table);
  table[17] += 3;
  return new AppMul({ name, family: 'lut', a: a4u, w: w4s, table, energyPj: 0.0123, energySource: 'user' });
}

describe('multiplier config', () => {
  it('by name when the name finds the same table, inline otherwise', () => {
    const library = resolveAppMul('trunc3_a4u_w4s');
    expect(multiplierConfig(library)).toEqual({ multiplier: 'trunc3_a4u_w4s' });
    // A design built again by its factory has the library's name and table: saved by name.
    expect(multiplierConfig(truncatedMultiplier({ a: a4u, w: w4s, columns: 3 }))).toEqual({
      multiplier: 'trunc3_a4u_w4s',
    });
    expect(multiplierConfig(null)).toEqual({ multiplier: null });
    const mine = unregisteredTable('mine_v1');
    const inline = multiplierConfig(mine);
    expect(inline.multiplier).toBe('mine_v1');
    expect(inline.table).toEqual(appMulToTable(mine));
    const back = multiplierFromConfig(inline.multiplier, inline.table)!;
    expect(back.name).toBe('mine_v1');
    expect(Array.from(back.table)).toEqual(Array.from(mine.table));
    expect([back.energyPj, back.energySource, back.family]).toEqual([0.0123, 'user', 'lut']);
    registerAppMul(mine);
    expect(multiplierConfig(mine)).toEqual({ multiplier: 'mine_v1' });
  });

  it('finds names as tfjs hands them back after a save (camel-cased, or folded to lower case)', () => {
    expect(resolveAppMul('trunc3A4uW4s')).toBe(resolveAppMul('trunc3_a4u_w4s'));
    expect(resolveAppMul('drum4A8uW8s').name).toBe('drum4_a8u_w8s');
    const lut = unregisteredTable('mul4u_9XYZ');
    registerAppMul(lut);
    expect(foldAppMulName('mul4u_9XYZ')).toBe('mul4u9xyz');
    expect(resolveAppMul('mul4u9xyz')).toBe(lut);
    registerAppMul(unregisteredTable('mul4U9xyz'));
    expect(() => resolveAppMul('mul4u9xyz')).toThrow(/several multipliers/);
    expect(() => resolveAppMul('nothing_like_it')).toThrow(LowbitConfigError);
  });

  it('rejects malformed tables naming the problem', () => {
    const good = appMulToTable(unregisteredTable('t'));
    expect(() => appMulFromTable({ ...good, products: good.products.slice(1) })).toThrow(LowbitDataError);
    expect(() => appMulFromTable({ ...good, products: [0.5, ...good.products.slice(1)] })).toThrow(/product 0 is 0.5/);
    expect(() => appMulFromTable({ ...good, a: { bits: 9, signed: false } })).toThrow(/table.a.bits/);
    expect(() => appMulFromTable({ ...good, energyPj: -1 })).toThrow(/energyPj/);
    expect(() => appMulFromTable({ ...good, energySource: 'guess' as never })).toThrow(/energySource/);
    expect(() => appMulFromTable({ ...good, name: '' })).toThrow(/table.name/);
    expect(() => appMulFromTable({ ...good, bogusKey: 1 } as never)).toThrow(/table\.bogusKey = 1/);
    expect(() => appMulFromTable(good, '')).toThrow(/argument = ""/);
    // Not an AppMul: typed errors instead of TypeErrors, and nothing registered that would break lookups later.
    expect(() => appMulToTable(undefined as never)).toThrow(/m = undefined/);
    expect(() => multiplierConfig('trunc3_a4u_w4s' as never)).toThrow(/m = "trunc3_a4u_w4s"/);
    expect(() => appMulEnergyRatio({ energyPj: 1 } as never)).toThrow(LowbitConfigError);
    expect(() => registerAppMul({ name: 'fake' } as never)).toThrow(/m = /);
    expect(() => foldAppMulName(undefined as never)).toThrow(/name = undefined/);
    expect(resolveAppMul('trunc3_a4u_w4s').name).toBe('trunc3_a4u_w4s');
  });

  it('models save and load with a library multiplier (by name) and an unregistered one (inline)', async () => {
    const act = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
    const wgt = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } };
    const inline = unregisteredTable('user_Table_7');
    const model = tfl.sequential({
      layers: [
        quantDense({
          units: 5,
          inputShape: [6],
          activation: 'relu',
          inputQuantizer: act,
          kernelQuantizer: wgt,
          arithmetic: new LowbitAppMulArithmetic({ multiplier: 'trunc3_a4u_w4s', appMulPath: 'low-rank' }),
        }),
        quantDense({
          units: 3,
          inputQuantizer: act,
          kernelQuantizer: wgt,
          arithmetic: new LowbitAppMulArithmetic({ multiplier: inline }),
        }),
      ],
    });
    const x = tf.randomUniform([4, 6], 0, 1.2, 'float32', 3);
    const y = model.predict(x) as tf.Tensor;
    const dir = join(work, 'two-multipliers');
    await saveModel(model, dir);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const arithmetics = saved.modelTopology.config.layers.map(
      (l: { config: { arithmetic: unknown } }) => l.config.arithmetic,
    );
    expect(arithmetics[0].config).toEqual({ multiplier: 'trunc3_a4u_w4s', app_mul_path: 'low-rank' });
    expect(arithmetics[1].config.table.name).toBe('user_Table_7');
    const loaded = await loadModel(dir);
    const [l0, l1] = loaded.layers.map((l) => (l as LowbitQuantLayer).arithmetic as LowbitAppMulArithmetic);
    expect(l0!.multiplier!.name).toBe('trunc3_a4u_w4s');
    expect(l0!.appMulPath).toBe('low-rank');
    expect(l1!.multiplier!.name).toBe('user_Table_7');
    expect(Array.from(l1!.multiplier!.table)).toEqual(Array.from(inline.table));
    const y2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, y2]);
    model.dispose();
    loaded.dispose();
  });
});
