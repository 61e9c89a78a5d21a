import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  LowbitConfigError,
  getArithmetic,
  knownArithmetics,
  quantConv2d,
  quantDense,
  type LowbitQuantDense,
} from '@lowbit/quant-core';
import { intMultiplyEnergyPj, summary } from '@lowbit/hw-model';
import '../index.js';
import { resolveAppMul } from '../appmul-registry.js';
import { exactMultiplyEnergyPj } from '../energy.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulEnergyRatio, LowbitAppMulArithmetic } from './appmul-arithmetic.js';

const act = (bits: number) => ({ className: 'LowbitWrpnQuantizer', config: { bits, mode: 'activation' } });
const wgt = (bits: number) => ({ className: 'LowbitWrpnQuantizer', config: { bits, mode: 'weight' } });
const appmul = (multiplier: string | null) => ({ className: 'LowbitAppMulArithmetic', config: { multiplier } });
const init = (seed: number) => tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed });

describe('LowbitAppMulArithmetic', () => {
  it('is registered under its class name and the alias "appmul"; exact products without a multiplier', () => {
    expect(knownArithmetics()).toEqual(expect.arrayContaining(['appmul', 'LowbitAppMulArithmetic']));
    const byAlias = getArithmetic('appmul') as LowbitAppMulArithmetic;
    expect(byAlias).toBeInstanceOf(LowbitAppMulArithmetic);
    expect(byAlias.multiplier).toBeNull();
    expect(byAlias.cost()).toEqual({ multiply: 'exact', name: 'exact' });
    expect(byAlias.getConfig()).toEqual({ multiplier: null, appMulPath: 'auto' });
    const byConfig = getArithmetic(appmul('trunc3_a4u_w4s')) as LowbitAppMulArithmetic;
    expect(byConfig.multiplier).toBe(resolveAppMul('trunc3_a4u_w4s'));
    expect(byConfig.getConfig()).toEqual({ multiplier: 'trunc3_a4u_w4s', appMulPath: 'auto' });
  });

  it('an exact-slot layer computes what quantDense computes, bit for bit, and reports no arithmetic', () => {
    const parts = { units: 3, inputQuantizer: act(4), kernelQuantizer: wgt(4), kernelInitializer: init(1) };
    const slot = quantDense({ ...parts, inputShape: [5], arithmetic: appmul(null) });
    const plain = quantDense({ ...parts, inputShape: [5] });
    const [a, b] = [slot, plain].map((l) => tfl.sequential({ layers: [l] }));
    b!.setWeights(a!.getWeights());
    const x = tf.randomUniform([4, 5], 0, 1, 'float32', 2);
    const [ya, yb] = [a!, b!].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(ya!.dataSync())).toEqual(Array.from(yb!.dataSync()));
    expect(slot.lowbitPrecision().arithmetic).toBeUndefined();
    expect(Array.from(slot.integerForward(x).dataSync())).toEqual(Array.from(plain.integerForward(x).dataSync()));
    tf.dispose([x, ya!, yb!]);
  });

  it('cost: approximate, with the energy relative to the exact multiplier of the operand widths', () => {
    const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 3 });
    const a = new LowbitAppMulArithmetic({ multiplier: m });
    const ratio = m.energyPj / exactMultiplyEnergyPj(4, 4);
    expect(a.cost()).toEqual({ multiply: 'approximate', name: m.name, energyRatio: ratio });
    expect(appMulEnergyRatio(m)).toBe(ratio);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    // hw-model turns the ratio back into the design's energy with its default table.
    const model = tfl.sequential({
      layers: [
        quantDense({ units: 3, inputShape: [5], inputQuantizer: act(4), kernelQuantizer: wgt(4), arithmetic: a }),
      ],
    });
    const row = summary(model, { batchSize: 1 }).layers[0]!;
    expect(row.arithmetic).toEqual({ multiply: 'approximate', name: m.name, energyRatio: ratio });
    expect(row.energy.multiplyPj).toBeCloseTo(15 * intMultiplyEnergyPj(4, 4) * ratio, 12);
    expect(row.energy.multiplyPj).toBeCloseTo(15 * m.energyPj, 12);
    model.dispose();
  });

  it('validate: needs integer input and kernel codes inside the multiplier operand ranges, naming both parts', () => {
    const make = (extra: Record<string, unknown>) => () => quantDense({ units: 2, ...extra });
    const expectParts = (f: () => unknown, slot: string, part: string, why: RegExp) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(LowbitConfigError);
        const message = (e as Error).message;
        expect(message).toContain(`arithmetic + ${slot}`);
        expect(message).toContain(`LowbitAppMulArithmetic + ${part}`);
        expect(message).toMatch(why);
        return;
      }
      throw new Error('expected a LowbitConfigError');
    };
    const m = appmul('trunc3_a4u_w4s');
    expectParts(make({ kernelQuantizer: wgt(4), arithmetic: m }), 'inputQuantizer', 'null', /set an inputQuantizer/);
    expectParts(make({ inputQuantizer: act(4), arithmetic: m }), 'kernelQuantizer', 'null', /set an kernelQuantizer/);
    // 6-bit activations do not fit a 4-bit unsigned operand; 3-bit ones do.
    expectParts(
      make({ inputQuantizer: act(6), kernelQuantizer: wgt(4), arithmetic: m }),
      'inputQuantizer',
      'LowbitWrpnQuantizer',
      /\[0, 63\]/,
    );
    expect(make({ inputQuantizer: act(3), kernelQuantizer: wgt(4), arithmetic: m })()).toBeDefined();
    const log = { className: 'LowbitLogQuantizer', config: { bits: 4, signed: true, fsr: 0 } };
    expectParts(
      make({ inputQuantizer: act(4), kernelQuantizer: log, arithmetic: m }),
      'kernelQuantizer',
      'LowbitLogQuantizer',
      /pow2 codes/,
    );
    // Without a multiplier: any 2-8 bit integer codes.
    expectParts(
      make({ inputQuantizer: act(4), kernelQuantizer: wgt(12), arithmetic: appmul(null) }),
      'kernelQuantizer',
      'LowbitWrpnQuantizer',
      /2-8 bits/,
    );
    expect(make({ inputQuantizer: act(8), kernelQuantizer: wgt(3), arithmetic: appmul(null) })()).toBeDefined();
    // setArithmetic checks too, and leaves the layer unchanged when it throws.
    const layer = quantDense({
      units: 2,
      inputQuantizer: act(8),
      kernelQuantizer: wgt(8),
      arithmetic: appmul('drum4_a8u_w8s'),
    });
    expect(() => layer.setArithmetic(appmul('trunc3_a4u_w4s'))).toThrow(LowbitConfigError);
    expect((layer.arithmetic as LowbitAppMulArithmetic).multiplier?.name).toBe('drum4_a8u_w8s');
  });

  it('bad settings: unknown multiplier, options and paths are typed errors', () => {
    expect(() => new LowbitAppMulArithmetic({ multiplier: 'no_such' })).toThrow(LowbitConfigError);
    expect(() => new LowbitAppMulArithmetic({ appMulPath: 'fast' as never })).toThrow(/appMulPath/);
    expect(() => new LowbitAppMulArithmetic({ multplier: 'x' } as never)).toThrow(/multplier/);
    expect(() => new LowbitAppMulArithmetic({ multiplier: 3 as never })).toThrow(LowbitConfigError);
  });

  it('per-channel input scales (which do not factor out of the sum) are rejected when the layer runs', () => {
    const layer = quantConv2d({
      filters: 2,
      kernelSize: 2,
      inputShape: [3, 3, 2],
      inputQuantizer: {
        className: 'LowbitUniformQuantizer',
        config: { bits: 4, signed: false, perChannel: true, axis: -1 },
      },
      kernelQuantizer: wgt(4),
      arithmetic: appmul('trunc3_a4u_w4s'),
    });
    const model = tfl.sequential({ layers: [layer] });
    const x = tf.randomUniform([1, 3, 3, 2], 0, 1, 'float32', 4);
    expect(() => model.predict(x)).toThrow(LowbitConfigError);
    expect(() => model.predict(x)).toThrow(/one input scale/);
    x.dispose();
    model.dispose();
  });

  it('trains through the approximate forward (gradients of the exact product) without leaking tensors', async () => {
    const layer = quantDense({
      units: 3,
      inputShape: [6],
      inputQuantizer: act(4),
      kernelQuantizer: wgt(4),
      kernelInitializer: init(5),
      arithmetic: appmul('drum2_a4u_w4s'),
    }) as LowbitQuantDense;
    const model = tfl.sequential({ layers: [layer] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = tf.randomUniform([8, 6], 0, 1, 'float32', 6);
    const y = tf.randomUniform([8, 3], -1, 1, 'float32', 7);
    const first = (await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 })).history.loss[0] as number;
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++)
      last = (await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 })).history.loss[0] as number;
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    tf.dispose([x, y]);
    model.dispose();
  });
});
