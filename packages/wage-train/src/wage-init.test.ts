import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { fanInOf, snapToWageGrid, wageInitialKernel } from './wage-init.js';

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
    expect(() => wageInitialKernel([4, 4], 17, 0)).toThrow(/bitsW/);
    expect(() => wageInitialKernel([4, 4], 2, -1)).toThrow(/seed/);
    expect(() => wageInitialKernel([4], 2, 0)).toThrow(/kernelShape/);
  });
});

describe('snapToWageGrid', () => {
  it('is C(Q(W, k), k) (hand-computed at 2 and 3 bits)', () => {
    const w = tf.tensor([0.3, -0.2, 0.6, 0.24, -0.9]);
    expect(Array.from(snapToWageGrid(w, 2).dataSync(), (v) => v + 0)).toEqual([0.5, 0, 0.5, 0, -0.5]);
    // 3 bits: grid 0.25, clip +-0.75
    expect(Array.from(snapToWageGrid(w, 3).dataSync(), (v) => v + 0)).toEqual([0.25, -0.25, 0.5, 0.25, -0.75]);
  });
});
