import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitQuantDense, quantDense } from '@lowbit/quant-core';
import { fanInOf, LowbitWageInitializer, snapToWageGrid, wageInitialKernel, wageInitializer } from './wage-init.js';
import { expectConfigError } from './errors.fixture.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('fanInOf', () => {
  it('counts the inputs of one output unit', () => {
    expect(fanInOf([5, 5, 32, 64])).toBe(800);
    expect(fanInOf([512, 10])).toBe(512);
    expect(() => fanInOf([3])).toThrow(LowbitConfigError);
    expect(() => fanInOf([3, 0])).toThrow(LowbitConfigError);
  });
});

describe('wageInitialKernel', () => {
  it('draws U(-L, L) snapped to the k_W grid, deterministic per seed', () => {
    const a = wageInitialKernel([100, 50], 2, 5);
    const b = wageInitialKernel([100, 50], 2, 5);
    const c = wageInitialKernel([100, 50], 2, 6);
    const va = a.dataSync();
    expect(Array.from(b.dataSync())).toEqual(Array.from(va));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(va));
    expect(new Set(Array.from(va, (v) => v + 0))).toEqual(new Set([-0.5, 0, 0.5]));
    // L = 0.75 (fan_in 100): |w| rounds to 0.5 when |w| > 0.25, probability 2/3.
    const nonzero = Array.from(va).filter((v) => v !== 0).length / va.length;
    expect(nonzero).toBeGreaterThan(0.63);
    expect(nonzero).toBeLessThan(0.7);
    tf.dispose([a, b, c]);
  });

  it('at 8 bits keeps values within the fan-in limit on the 2^-7 grid', () => {
    const w = wageInitialKernel([5, 5, 1, 4], 8, 1);
    const limit = Math.sqrt(3 / 25);
    for (const x of w.dataSync()) {
      expect(Number.isInteger(x * 128)).toBe(true);
      expect(Math.abs(x)).toBeLessThanOrEqual(limit + 1 / 256);
    }
    w.dispose();
  });

  it('rejects bad arguments', () => {
    expect(() => wageInitialKernel([4, 4], 1, 0)).toThrow(LowbitConfigError);
    expect(() => wageInitialKernel([4, 4], 17, 0)).toThrow(/weightBits/);
    expect(() => wageInitialKernel([4, 4], 2, -1)).toThrow(/seed/);
    expect(() => wageInitialKernel([4], 2, 0)).toThrow(/kernelShape/);
  });

  it('refuses shapes beyond 2^28 weights before drawing them (typed, naming shape)', () => {
    expectConfigError(() => wageInitialKernel([1e5, 1e5], 2, 0), 'shape');
    expectConfigError(() => wageInitialKernel([2 ** 14, 2 ** 14 + 1], 2, 0), 'shape');
    expectConfigError(() => wageInitializer().apply([1e5, 1e5]), 'shape');
  });
});

describe('snapToWageGrid', () => {
  it('is C(Q(W, k), k) (hand-computed at 2 and 3 bits)', () => {
    const w = tf.tensor([0.3, -0.2, 0.6, 0.24, -0.9]);
    expect(Array.from(snapToWageGrid(w, 2).dataSync(), (v) => v + 0)).toEqual([0.5, 0, 0.5, 0, -0.5]);
    // 3 bits: grid 0.25, clip +-0.75
    expect(Array.from(snapToWageGrid(w, 3).dataSync(), (v) => v + 0)).toEqual([0.25, -0.25, 0.5, 0.25, -0.75]);
  });

  it('maps NaN to NaN (documented) and rejects what is not a float32 tensor', () => {
    expect(Array.from(snapToWageGrid(tf.tensor([Number.NaN, 0.3]), 2).dataSync())).toEqual([Number.NaN, 0.5]);
    expectConfigError(() => snapToWageGrid([0.3] as never, 2), 'w');
    expectConfigError(() => snapToWageGrid(tf.tensor([1], [1], 'int32'), 2), 'w.dtype');
    expectConfigError(() => snapToWageGrid(tf.tensor([0.3]), Number.NaN), 'weightBits');
  });
});

describe('LowbitWageInitializer', () => {
  it('draws wageInitialKernel(shape, bits, seed): seeded and deterministic', () => {
    const init = wageInitializer({ bits: 2, seed: 5 });
    expect(plain(init.apply([100, 50]))).toEqual(plain(wageInitialKernel([100, 50], 2, 5)));
    expect(plain(init.apply([100, 50]))).toEqual(plain(init.apply([100, 50])));
    expect(plain(wageInitializer({ bits: 2, seed: 6 }).apply([100, 50]))).not.toEqual(plain(init.apply([100, 50])));
    expect(init.getConfig()).toEqual({ bits: 2, seed: 5 });
    expect(new LowbitWageInitializer().getConfig()).toEqual({ bits: 2, seed: 0 });
  });

  it('is a registered tfjs initializer: a layer using it saves and reloads it', () => {
    const layer = quantDense({ units: 4, inputShape: [6], kernelInitializer: wageInitializer({ bits: 3, seed: 9 }) });
    tfl.sequential({ layers: [layer] });
    expect(plain(layer.getWeights()[0]!)).toEqual(plain(wageInitialKernel([6, 4], 3, 9)));
    const config = layer.getConfig();
    expect(config.kernelInitializer).toEqual({ className: 'LowbitWageInitializer', config: { bits: 3, seed: 9 } });
    const json = tfl.sequential({
      layers: [tfl.layers.Layer.fromConfig(LowbitQuantDense, { ...config, name: 'copy' }) as LowbitQuantDense],
    });
    expect(plain(json.layers[0]!.getWeights()[0]!)).toEqual(plain(layer.getWeights()[0]!));
  });

  it('with base: draws from another tfjs initializer and snaps to the k_W grid', () => {
    const base = tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 });
    const init = wageInitializer({ bits: 3, base });
    const raw = base.apply([20, 5]);
    expect(plain(init.apply([20, 5]))).toEqual(plain(snapToWageGrid(raw, 3)));
    expect(new Set(plain(init.apply([20, 5])).map((v) => v * 4)).size).toBeGreaterThan(3);
    expect(plain(init.apply([20, 5])).every((v) => Number.isInteger(v * 4) && Math.abs(v) <= 0.75)).toBe(true);
    const config = init.getConfig();
    expect(config.base).toEqual({ className: 'RandomUniform', config: { minval: -1, maxval: 1, seed: 3 } });
    const back = new LowbitWageInitializer(config as never);
    expect(plain(back.apply([20, 5]))).toEqual(plain(init.apply([20, 5])));
    expect(plain(wageInitializer({ bits: 2, base: 'ones' }).apply([3, 2]))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(wageInitializer({ bits: 2, base: 'GlorotUniform' }).base!.getClassName()).toBe('VarianceScaling');
  });

  it('rejects bad configs', () => {
    expect(() => wageInitializer({ bits: 1 })).toThrow(/bits/);
    expect(() => wageInitializer({ seed: -1 })).toThrow(/seed/);
    expect(() => wageInitializer({ base: 'noSuchInit' })).toThrow(/base/);
    expect(() => wageInitializer({ base: { className: 'NoSuchInit', config: {} } })).toThrow(/base.className/);
    expect(() => wageInitializer({ base: wageInitializer() })).toThrow(/another tfjs initializer/);
    expect(() => wageInitializer({ bitsW: 2 } as never)).toThrow(/bitsW/);
    expect(() => wageInitializer().apply([3])).toThrow(/kernelShape/);
    expect(() => wageInitializer().apply([3, 3], 'int32')).toThrow(/dtype/);
  });
});
