import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { checkDqaParams } from './dqa-params.js';
import { dqaFakeQuant, dqaQuantizeValues } from './dqa-quantize.js';

describe('checkDqaParams', () => {
  const ok = { bits: 4, extraBits: 3, scales: [0.1, 0.2, 0.3], important: [2, 0] };
  it('normalizes: sorted important channels, a per-channel flag, layer tables by default', () => {
    const p = checkDqaParams(ok);
    expect(Array.from(p.important)).toEqual([0, 2]);
    expect(Array.from(p.isImportant)).toEqual([1, 0, 1]);
    expect(p.tableGranularity).toBe('layer');
    expect(p.channels).toBe(3);
  });
  it('rejects bits, extraBits, scales, important and granularity out of range', () => {
    expect(() => checkDqaParams({ ...ok, bits: 1 })).toThrow(/dqaParams.bits = 1/);
    expect(() => checkDqaParams({ ...ok, bits: 9 })).toThrow(LowbitConfigError);
    expect(() => checkDqaParams({ ...ok, extraBits: 0 })).toThrow(/extraBits = 0/);
    expect(() => checkDqaParams({ ...ok, extraBits: 9 })).toThrow(LowbitConfigError);
    expect(() => checkDqaParams({ ...ok, scales: [0.1, 0, 0.3] })).toThrow(/scales\[1\] = 0/);
    expect(() => checkDqaParams({ ...ok, scales: [0.1, Number.NaN, 0.3] })).toThrow(LowbitConfigError);
    expect(() => checkDqaParams({ ...ok, scales: [] })).toThrow(LowbitConfigError);
    expect(() => checkDqaParams({ ...ok, important: [3] })).toThrow(/important\[0\] = 3/);
    expect(() => checkDqaParams({ ...ok, important: [1, 1] })).toThrow(/unique/);
    expect(() => checkDqaParams({ ...ok, tableGranularity: 'tensor' as never })).toThrow(/tableGranularity/);
    expect(() => checkDqaParams({ ...ok, bitz: 3 } as never)).toThrow(/dqaParams.bitz/);
  });
});

describe('DQA quantization', () => {
  it('keeps N + m bits on important channels: delta_N * (code + k / 2^m)', () => {
    // N = 3, m = 3, delta_N = 0.5: ordinary step 0.5, important step 0.0625.
    const p = { bits: 3, extraBits: 3, scales: [0.5, 0.5], important: [1] };
    const r = dqaQuantizeValues(Float32Array.of(0.3, 0.3, -0.82, -0.82, 5, 5), p);
    // Channel 0: round(0.6) = 1 -> 0.5; round(-1.64) = -2 -> -1; 10 -> clamp 3 -> 1.5.
    // Channel 1: q+ = round(4.8) = 5 -> code 0, k 5; round(-13.12) = -13 -> code -2, k 3; 80 -> clamp 31 -> code 3, k 7.
    expect(Array.from(r.codes)).toEqual([1, 0, -2, -2, 3, 3]);
    expect(Array.from(r.errors)).toEqual([5, 3, 7]);
    expect(Array.from(r.errorChannels)).toEqual([1, 1, 1]);
    expect(Array.from(r.output)).toEqual([0.5, 0.3125, -1, -0.8125, 1.5, 1.9375]);
    for (let i = 1; i < 6; i += 2) {
      const e = (i - 1) / 2;
      expect(r.output[i]).toBe(0.5 * (r.codes[i] + r.errors[e] / 8));
    }
  });

  it('the tfjs op equals the JS reference bit for bit (random tensors and settings)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (bits, m, channels, rows, seed) => {
          let s = seed;
          const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
          const values = Float32Array.from({ length: rows * channels }, () => (rand() - 0.4) * 8);
          const scales = Array.from({ length: channels }, () => Math.fround(0.01 + rand()));
          const important = Array.from({ length: channels }, (_, c) => c).filter(() => rand() < 0.5);
          const params = { bits, extraBits: m, scales, important };
          const expected = dqaQuantizeValues(values, params).output;
          const got = tf.tidy(() => dqaFakeQuant(tf.tensor2d(values, [rows, channels]), params).dataSync());
          expect(Array.from(got)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rounds exact halves to even and maps -0 to +0, like the tfjs op', () => {
    // step 0.5 (ordinary) and 0.0625 (important): these values sit exactly on half steps.
    const halves = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.1, -0, 1e30, -1e30, Infinity];
    const values = Float32Array.from(halves.flatMap((h) => [h * 0.5, h * 0.0625]));
    const p = { bits: 3, extraBits: 3, scales: [0.5, 0.5], important: [1] };
    const js = dqaQuantizeValues(values, p).output;
    const viaTf = tf.tidy(() => dqaFakeQuant(tf.tensor2d(values, [halves.length, 2]), p).dataSync());
    expect(Array.from(js)).toEqual(Array.from(viaTf));
    expect(Array.from(js.slice(0, 12))).toEqual([-1, -0.125, -1, -0.125, 0, 0, 0, 0, 1, 0.125, 1, 0.125]);
    expect(Object.is(js[12], 0) && Object.is(js[14], 0)).toBe(true); // -0.05 and -0 give +0
  });

  it('rejects NaN activations and ragged input', () => {
    const p = { bits: 3, extraBits: 3, scales: [0.5, 0.5], important: [] };
    expect(() => dqaQuantizeValues(Float32Array.of(0, Number.NaN), p)).toThrow(LowbitDataError);
    expect(() => dqaQuantizeValues(Float32Array.of(0, 1, 2), p)).toThrow(LowbitDataError);
  });

  it('leaks no tensors', () => {
    const x = tf.randomNormal([4, 3]);
    const p = { bits: 4, extraBits: 3, scales: [0.2, 0.2, 0.2], important: [1] };
    dqaFakeQuant(x, p).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) dqaFakeQuant(x, p).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
