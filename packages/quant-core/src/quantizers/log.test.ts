import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitLinearFsrQuantizer, LowbitLogQuantizer, LowbitLogSqrt2Quantizer, calibrateFsr } from './log.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** LogQuant reference in double precision. */
function logQuant(x: number[], bits: number, fsr: number, spo: number, signed: boolean): number[] {
  const L = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const eMax = spo * fsr;
  const eMin = eMax - L + 1;
  return x.map((v) => {
    if (v === 0 || (!signed && v < 0)) return 0;
    const e = Math.round(spo * Math.log2(Math.abs(v)));
    if (e < eMin) return 0;
    return Math.fround(Math.sign(v) * 2 ** (Math.min(e, eMax) / spo));
  });
}

describe('LowbitLogQuantizer', () => {
  it('base 2, signed: sign * 2^clip(round(log2|x|)), 0 -> 0, underflow -> 0, overflow -> 2^FSR', () => {
    const q = new LowbitLogQuantizer({ bits: 3, fsr: 0 }); // levels 1, 1/2, 1/4
    expect(values(q.call(tf.tensor([0.7, -0.3, 0.2, 0.1, 0.01, 0, 5, -8])))).toEqual([
      0.5, -0.25, 0.25, 0, 0, 0, 1, -1,
    ]);
    // 0.1: round(log2 0.1) = round(-3.32) = -3 < -2 (smallest level): underflows to 0.
    const x = [0.003, -0.02, 0.07, 0.4, -1.1, 3, 9.5, 30];
    for (const bits of [2, 3, 4, 5]) {
      expect(values(new LowbitLogQuantizer({ bits, fsr: 3 }).call(tf.tensor(x)))).toEqual(
        logQuant(x, bits, 3, 1, true),
      );
    }
  });

  it('base sqrt 2 has twice the steps per octave; unsigned maps negatives to 0', () => {
    const x = [0.05, 0.3, 0.7, 1, 1.3, 2.9, -4];
    expect(values(new LowbitLogSqrt2Quantizer({ bits: 4, fsr: 2 }).call(tf.tensor(x)))).toEqual(
      logQuant(x, 4, 2, 2, true),
    );
    expect(
      values(new LowbitLogQuantizer({ bits: 3, signed: false, base: 'sqrt2', fsr: 1 }).call(tf.tensor(x))),
    ).toEqual(logQuant(x, 3, 1, 2, false));
    expect(values(new LowbitLogQuantizer({ bits: 3, signed: false, fsr: 1 }).call(tf.tensor([-3, 0.5])))).toEqual([
      0, 0.5,
    ]);
  });

  it("fsr 'auto' calibrates round(log2 max|x|) per tensor", () => {
    expect(calibrateFsr(tf.tensor([0.1, -5.9]))).toBe(3);
    expect(calibrateFsr(tf.zeros([3]))).toBe(0);
    const q = new LowbitLogQuantizer({ bits: 3 });
    expect(values(q.call(tf.tensor([6, 2.2, 1.1])))).toEqual([8, 2, 0]); // fsr 3: levels 8, 4, 2; 1.1 underflows
  });

  it('straight-through gradient everywhere', () => {
    const q = new LowbitLogQuantizer({ bits: 3, fsr: 0 });
    expect(
      values(
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(q.call(t), tf.tensor([1, 2, 3, 4]))))(tf.tensor([0, 0.01, 0.6, 5])),
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('quantize() gives pow2 codes whose dequantize() equals call() bit for bit', () => {
    const x = tf.randomNormal([5, 8], 0, 2, 'float32', 12);
    for (const q of [
      new LowbitLogQuantizer({ bits: 4 }),
      new LowbitLogSqrt2Quantizer({ bits: 5 }),
      new LowbitLogQuantizer({ bits: 3, signed: false, fsr: 1 }),
    ]) {
      const qt = q.quantize(x);
      expect(qt.encoding).toBe('pow2');
      expect(Array.from(qt.dequantize())).toEqual(values(q.call(x)));
    }
    const qt = new LowbitLogQuantizer({ bits: 3, fsr: 0 }).quantize(tf.tensor([0.7, -0.3, 0.01, 5]));
    expect(Array.from(qt.codes)).toEqual([2, -1, 0, 3]);
    expect(qt.scale[0]).toBe(0.25);
  });

  it('precision, aliases, config round trip, errors', () => {
    expect(new LowbitLogQuantizer({ bits: 4 }).precision()).toEqual({ kind: 'pow2', bits: 4, signed: true });
    expect(getQuantizer('log2')).toBeInstanceOf(LowbitLogQuantizer);
    expect(getQuantizer('pow2')!.getConfig()).toEqual({ bits: 4, base: 2, signed: true, fsr: 'auto' });
    expect(getQuantizer('log-sqrt2')!.getConfig()).toMatchObject({ base: 'sqrt2' });
    const q = new LowbitLogSqrt2Quantizer({ bits: 5, signed: false, fsr: -2 });
    const back = getQuantizer(serializeQuantizer(q)!)!;
    expect(back).toBeInstanceOf(LowbitLogSqrt2Quantizer);
    expect(back.getConfig()).toEqual(q.getConfig());
    for (const bits of [0, 1, 33, 2.5, NaN]) expect(() => new LowbitLogQuantizer({ bits })).toThrow(LowbitConfigError); // signed needs 2
    expect(() => new LowbitLogQuantizer({ base: 10 as never })).toThrow(/base = 10/);
    expect(() => new LowbitLogQuantizer({ fsr: 1.5 })).toThrow(/fsr = 1.5/);
    expect(() => new LowbitLogQuantizer({ fsr: 'max' as never })).toThrow(/fsr = "max"/);
    expect(() => new LowbitLogQuantizer().call(tf.tensor([Infinity]))).toThrow(LowbitConfigError);
  });

  it('leaks no tensors', () => {
    const q = new LowbitLogQuantizer({ bits: 4 });
    const x = tf.randomNormal([16]);
    const step = () =>
      tf
        .grad((t: tf.Tensor) => tf.sum(q.call(t)))(x)
        .dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      q.quantize(x);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LowbitLinearFsrQuantizer', () => {
  it('clip(round(x / 2^(FSR-b)) * 2^(FSR-b), 0, top), top the largest b-bit code', () => {
    const q = new LowbitLinearFsrQuantizer({ bits: 3, fsr: 1 }); // step 1/4, levels 0 .. 7/4
    expect(values(q.call(tf.tensor([-1, 0.1, 0.13, 0.374, 0.9, 1.8, 5])))).toEqual([0, 0, 0.25, 0.25, 1, 1.75, 1.75]);
    expect(values(tf.grad((t: tf.Tensor) => tf.sum(q.call(t)))(tf.tensor([-1, 0.5, 1.75, 2])))).toEqual([0, 1, 1, 0]);
    expect(q.precision()).toEqual({ kind: 'int', bits: 3, signed: false });
    const x = tf.randomUniform([20], -1, 3, 'float32', 2);
    expect(Array.from(q.quantize(x).dequantize())).toEqual(values(q.call(x)));
    expect(getQuantizer('linear-fsr')).toBeInstanceOf(LowbitLinearFsrQuantizer);
    expect(getQuantizer(serializeQuantizer(q)!)!.getConfig()).toEqual({ bits: 3, fsr: 1 });
    expect(() => new LowbitLinearFsrQuantizer({ bits: 0 })).toThrow(/bits = 0/);
  });
});
