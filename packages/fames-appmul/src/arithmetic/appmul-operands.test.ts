import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, QuantizedTensor } from '@lowbit/quant-core';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulOperands, outputScales, type ProductLayout } from './appmul-operands.js';

const q = (shape: number[], extra: Partial<ConstructorParameters<typeof QuantizedTensor>[0]> = {}) =>
  new QuantizedTensor({
    codes: new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(1),
    shape,
    bits: 4,
    signed: true,
    scale: [0.5],
    ...extra,
  });
const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 2 });
const dense: ProductLayout = { operation: 'dense', geometry: null, inputShape: [2, 3] };

describe('appMulOperands', () => {
  it('per-channel kernel scales become one scale per output channel (depthwise: c dm + q)', () => {
    const input = q([2, 3], { scale: [0.25] });
    expect(Array.from(outputScales('l', input, q([3, 2], { scale: [1, 2], axis: 1 }), 'dense'))).toEqual([0.25, 0.5]);
    const byChannel = q([1, 1, 2, 3], { scale: [1, 2], axis: 2 });
    expect(Array.from(outputScales('l', input, byChannel, 'depthwise-conv2d'))).toEqual([
      0.25, 0.25, 0.25, 0.5, 0.5, 0.5,
    ]);
    const byFilter = q([1, 1, 2, 3], { scale: [1, 2, 4], axis: 3 });
    expect(Array.from(outputScales('l', input, byFilter, 'depthwise-conv2d'))).toEqual([0.25, 0.5, 1, 0.25, 0.5, 1]);
    expect(() => outputScales('l', input, q([3, 2], { scale: [1, 2, 3], axis: 0 }), 'dense')).toThrow(
      /output-channel axis/,
    );
    expect(() => outputScales('l', q([2, 3], { scale: [1, 2], axis: 0 }), q([3, 2]), 'dense')).toThrow(
      /one input scale/,
    );
  });

  it('gives int32 codes in the ops layout; rejects pow2 codes, zero points and codes outside the multiplier', () => {
    const before = tf.memory().numTensors;
    const ops = appMulOperands('l', q([2, 3], { signed: false }), q([3, 2]), dense, m);
    expect([ops.input.shape, ops.input.dtype, ops.kernel.shape, ops.kernel.dtype]).toEqual([
      [2, 3],
      'int32',
      [3, 2],
      'int32',
    ]);
    tf.dispose([ops.input, ops.kernel]);
    const channelsFirst: ProductLayout = {
      operation: 'conv2d',
      geometry: { strides: [1, 1], padding: 'valid', dataFormat: 'channelsFirst', dilationRate: [1, 1] },
      inputShape: [1, 2, 3, 4],
    };
    const codes = Int32Array.from({ length: 24 }, (_, i) => i % 16);
    const nchw = new QuantizedTensor({ codes, shape: [1, 2, 3, 4], bits: 4, signed: false, scale: [1] });
    const conv = appMulOperands('l', nchw, q([1, 1, 2, 1]), channelsFirst, m);
    expect(conv.input.shape).toEqual([1, 3, 4, 2]);
    const nhwc = tf.tidy(() => Array.from(tf.transpose(tf.tensor4d(codes, [1, 2, 3, 4]), [0, 2, 3, 1]).dataSync()));
    expect(Array.from(conv.input.dataSync())).toEqual(nhwc);
    tf.dispose([conv.input, conv.kernel]);
    expect(tf.memory().numTensors).toBe(before);
    const pow2 = q([3, 2], { encoding: 'pow2' });
    expect(() => appMulOperands('l', q([2, 3], { signed: false }), pow2, dense, m)).toThrow(LowbitConfigError);
    const shifted = q([2, 3], { signed: false, zeroPoint: [3] });
    expect(() => appMulOperands('l', shifted, q([3, 2]), dense, m)).toThrow(/zero points of 0/);
    // Signed input codes -1 do not fit the unsigned activation operand.
    const negative = new QuantizedTensor({
      codes: new Int32Array(6).fill(-1),
      shape: [2, 3],
      bits: 4,
      signed: true,
      scale: [1],
    });
    expect(() => appMulOperands('l', negative, q([3, 2]), dense, m)).toThrow(LowbitDataError);
    expect(() => appMulOperands('l', negative, q([3, 2]), dense, m)).toThrow(/input codes span \[-1, -1\]/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
