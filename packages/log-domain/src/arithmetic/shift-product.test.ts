import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, type ConvGeometry } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { decodeShiftCode } from '../shift-operand.js';
import { lcg } from '../testing/codes.test-util.js';
import type { ShiftCodes } from './shift-codes.js';
import { outputScales, shiftProduct } from './shift-product.js';

function codes(shape: number[], kind: ShiftCodes['kind'], scale: number[], seed: number, axis?: number): ShiftCodes {
  const rnd = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const c = Int32Array.from({ length: n }, () => Math.floor(rnd() * 15) - 7);
  return { codes: c, shape, kind, scale, axis };
}

/** Real values of the codes as a float32 tensor (exact for these small codes and power-of-two scales). */
function valuesOf(q: ShiftCodes, perChannel: (i: number) => number = () => 0): tf.Tensor {
  const v = Float32Array.from(q.codes, (c, i) => {
    const d = decodeShiftCode(c, q.kind);
    return d.multiplier * 2 ** (d.halfSteps / 2) * q.scale[perChannel(i)]!;
  });
  return tf.tensor(v, q.shape);
}

const geometry = (g: Partial<ConvGeometry>): ConvGeometry => ({
  strides: [1, 1],
  padding: 'same',
  dataFormat: 'channelsLast',
  dilationRate: [1, 1],
  ...g,
});

describe('outputScales', () => {
  const input = codes([1, 2], 'pow2', [0.5], 1);
  it('multiplies the input unit into per-tensor and per-output-channel kernel units', () => {
    expect(outputScales(input, codes([2, 3], 'pow2', [0.25], 2), 'dense')).toEqual([0.125]);
    expect(outputScales(input, codes([2, 3], 'pow2', [1, 2, 4], 2, 1), 'dense')).toEqual([0.5, 1, 2]);
  });

  it('spreads depthwise scales over the output channels c * multiplier + m', () => {
    const byInput = codes([1, 1, 2, 3], 'pow2', [1, 2], 3, 2);
    expect(outputScales(input, byInput, 'depthwise-conv2d')).toEqual([0.5, 0.5, 0.5, 1, 1, 1]);
    const byMultiplier = codes([1, 1, 2, 3], 'pow2', [1, 2, 4], 3, 3);
    expect(outputScales(input, byMultiplier, 'depthwise-conv2d')).toEqual([0.5, 1, 2, 0.5, 1, 2]);
  });

  it('rejects kernel scales along an axis that is not an output channel', () => {
    expect(() => outputScales(input, codes([2, 3], 'pow2', [1, 2], 4, 0), 'dense')).toThrow(LowbitConfigError);
    expect(() => outputScales(input, codes([1, 1, 2, 2], 'pow2', [1, 2], 4, 0), 'conv2d')).toThrow(/output-channel/);
  });
});

describe('shiftProduct', () => {
  it('dense over the last axis of a rank-3 input equals tf.matMul of the values', () => {
    const x = codes([2, 3, 5], 'pow2', [2 ** -3], 5);
    const w = codes([5, 4], 'int', [2 ** -2, 2 ** -1, 1, 2], 6, 1);
    const y = shiftProduct(x, w, { operation: 'dense', geometry: null, inputShape: [2, 3, 5] });
    const want = tf.tidy(() => {
      const xv = tf.reshape(valuesOf(x), [6, 5]);
      return tf.reshape(tf.matMul(xv as tf.Tensor2D, valuesOf(w, (i) => i % 4) as tf.Tensor2D), [2, 3, 4]);
    });
    expect(y.shape).toEqual([2, 3, 4]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([y, want]);
  });

  const convCases: Partial<ConvGeometry>[] = [
    { padding: 'valid', strides: [2, 1] },
    { dataFormat: 'channelsFirst' },
    { dilationRate: [2, 2] },
    { padding: 'valid', dilationRate: [1, 2] },
  ];
  for (const c of convCases) {
    it(`conv2d ${JSON.stringify(c)} equals tf.conv2d of the values`, () => {
      const g = geometry(c);
      const channelsFirst = g.dataFormat === 'channelsFirst';
      const shape = channelsFirst ? [2, 3, 7, 6] : [2, 7, 6, 3];
      const x = codes(shape, 'pow2', [2 ** -4], 7);
      const w = codes([3, 2, 3, 4], 'pow2', [2 ** -2], 8);
      const y = shiftProduct(x, w, { operation: 'conv2d', geometry: g, inputShape: shape });
      const want = tf.tidy(() => {
        const xv = valuesOf(x) as tf.Tensor4D;
        const df = channelsFirst ? 'NCHW' : 'NHWC';
        const nhwc = channelsFirst ? tf.transpose(xv, [0, 2, 3, 1]) : xv;
        const out = tf.conv2d(nhwc, valuesOf(w) as tf.Tensor4D, g.strides, g.padding, 'NHWC', g.dilationRate);
        return df === 'NCHW' ? tf.transpose(out, [0, 3, 1, 2]) : out;
      });
      expect(y.shape).toEqual(want.shape);
      expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([y, want]);
    });
  }

  it('depthwise conv2d with per-multiplier kernel scales equals tf.depthwiseConv2d of the values', () => {
    const x = codes([2, 6, 5, 3], 'int', [2 ** -3], 9);
    const w = codes([3, 3, 3, 2], 'pow2-sqrt2', [1, 0.5], 10, 3);
    const g = geometry({ strides: [2, 2] });
    const y = shiftProduct(x, w, { operation: 'depthwise-conv2d', geometry: g, inputShape: [2, 6, 5, 3] });
    const want = tf.tidy(() =>
      tf.depthwiseConv2d(valuesOf(x) as tf.Tensor4D, valuesOf(w, (i) => i % 2) as tf.Tensor4D, [2, 2], 'same'),
    );
    expect(y.shape).toEqual(want.shape);
    const got = y.dataSync();
    const ref = want.dataSync();
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref[i]!)));
    tf.dispose([y, want]);
  });
});
