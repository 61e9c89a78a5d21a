import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, QuantizedTensor } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { productScale, shiftOperandOf } from './shift-inference.js';

describe('shiftOperandOf / productScale', () => {
  it('keeps per-channel kernel scales along the last axis and multiplies units', () => {
    const kernel = new QuantizedTensor({ codes: Int32Array.of(1, 2, -3, 0), shape: [2, 2], bits: 4, signed: true, scale: [0.5, 0.25], axis: 1 });
    const input = new QuantizedTensor({ codes: Int32Array.of(2, 1), shape: [1, 2], bits: 4, signed: true, scale: [2 ** -3], encoding: 'pow2' });
    const k = shiftOperandOf(kernel, 'kernel');
    const x = shiftOperandOf(input, 'input');
    expect(k.kind).toBe('int');
    expect(x.kind).toBe('pow2');
    expect(Array.from(k.codes.dataSync())).toEqual([1, 2, -3, 0]);
    expect(k.codes.dtype).toBe('int32');
    expect(productScale(x, k)).toEqual([2 ** -4, 2 ** -5]);
    tf.dispose([k.codes, x.codes]);
  });

  it('rejects per-channel input scales and kernel scales on another axis', () => {
    const perChannelInput = new QuantizedTensor({ codes: Int32Array.of(1, 2), shape: [1, 2], bits: 4, signed: true, scale: [1, 2], axis: 1 });
    expect(() => shiftOperandOf(perChannelInput, 'input')).toThrow(LowbitConfigError);
    const firstAxis = new QuantizedTensor({ codes: Int32Array.of(1, 2), shape: [2, 1], bits: 4, signed: true, scale: [1, 2], axis: 0 });
    expect(() => shiftOperandOf(firstAxis, 'kernel')).toThrow(/last/);
  });
});
