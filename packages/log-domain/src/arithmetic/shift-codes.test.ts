import * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  LowbitDataError,
  LowbitLinearFsrQuantizer,
  LowbitLogQuantizer,
  LowbitUniformQuantizer,
  QuantizedTensor,
} from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { inputCodesOf, recode, shiftCodesOf } from './shift-codes.js';

describe('shiftCodesOf', () => {
  it('reads pow2 codes by base and centers linear codes on their zero point', () => {
    const log = new QuantizedTensor({
      codes: Int32Array.of(-3, 0, 2),
      shape: [3],
      bits: 4,
      signed: true,
      scale: [2 ** -2],
      encoding: 'pow2',
      stepsPerOctave: 2,
    });
    expect(shiftCodesOf(log, 'input')).toMatchObject({ kind: 'pow2-sqrt2', scale: [0.25], codes: log.codes });
    const affine = new QuantizedTensor({
      codes: Int32Array.of(0, 3, 7, 2),
      shape: [2, 2],
      bits: 4,
      signed: false,
      scale: [0.5, 0.25],
      zeroPoint: [3, 2],
      axis: 1,
    });
    const k = shiftCodesOf(affine, 'kernel');
    expect(k.kind).toBe('int');
    expect(Array.from(k.codes)).toEqual([-3, 1, 4, 0]);
    expect(k).toMatchObject({ scale: [0.5, 0.25], axis: 1 });
  });

  it('rejects per-channel input scales', () => {
    const q = new QuantizedTensor({
      codes: Int32Array.of(1, 2),
      shape: [1, 2],
      bits: 4,
      signed: true,
      scale: [1, 2],
      axis: 1,
    });
    expect(() => shiftCodesOf(q, 'input')).toThrow(LowbitConfigError);
    expect(() => shiftCodesOf(q, 'input')).toThrow(/one scale/);
  });
});

describe('inputCodesOf', () => {
  it('uses the quantizer export when it reproduces the fake-quantized input', () => {
    const q = new LowbitLogQuantizer({ bits: 4, signed: false });
    const x = tf.tensor2d([[0.3, 1.7, -2, 0.01, 5]]);
    const xq = q.call(x);
    const codes = inputCodesOf(q, xq);
    const direct = q.quantize(x);
    expect(Array.from(codes.codes)).toEqual(Array.from(direct.codes));
    expect(codes.scale).toEqual(Array.from(direct.scale));
    tf.dispose([x, xq]);
  });

  it('codes the values with a finer unit when the quantizer re-calibrates on its own output', () => {
    // FSR 'auto' is round(log2 max|x|): -8 sets it to 3, but the output's largest value (2.75) sets 1,
    // whose grid tops at 1.9375, so quantizing the output again would clip it.
    const q = new LowbitLinearFsrQuantizer({ bits: 5 });
    const x = tf.tensor2d([[-8, 2.8, 0.3, 1.1, 2]]);
    const xq = q.call(x);
    expect(Array.from(q.quantize(xq).dequantize())).not.toEqual(Array.from(xq.dataSync()));
    const codes = inputCodesOf(q, xq);
    expect(codes.kind).toBe('int');
    const values = Array.from(codes.codes, (c) => c * codes.scale[0]!);
    expect(values).toEqual(Array.from(xq.dataSync()));
    tf.dispose([x, xq]);
  });

  it('handles asymmetric (zero point) inputs', () => {
    const q = new LowbitUniformQuantizer({ bits: 6, symmetric: false, range: [-0.5, 2] });
    const x = tf.tensor2d([[-0.4, 0, 0.33, 1.9, 3]]);
    const xq = q.call(x);
    const codes = inputCodesOf(q, xq);
    const values = Array.from(codes.codes, (c) => Math.fround(c * codes.scale[0]!));
    expect(values).toEqual(Array.from(xq.dataSync()));
    tf.dispose([x, xq]);
  });
});

describe('recode', () => {
  it('refines a log unit by whole octaves, keeping base-sqrt-2 parity', () => {
    const like = { codes: new Int32Array(3), shape: [3], kind: 'pow2-sqrt2' as const, scale: [1] };
    const values = Float32Array.from([Math.fround(2 ** -1.5), 0, -2]);
    const r = recode(values, like);
    expect(r.scale).toEqual([0.25]); // two octaves below 1: 2^-1.5 is offset 1 (half steps)
    expect(Array.from(r.codes)).toEqual([2, 0, -7]); // -2 = -(0.25 * 2^(6 / 2))
  });

  it('throws a data error for values that are not codes of the kind', () => {
    const like = { codes: new Int32Array(2), shape: [2], kind: 'pow2' as const, scale: [1] };
    expect(() => recode(Float32Array.from([1, 3]), like)).toThrow(LowbitDataError);
    const int = { codes: new Int32Array(1), shape: [1], kind: 'int' as const, scale: [1] };
    // every float32 is an integer times a power of two, but not with 2^20 and 2^-20 in one 30-bit code range
    expect(() => recode(Float32Array.from([2 ** 20, 2 ** -20]), int)).toThrow(/int codes/);
  });
});
