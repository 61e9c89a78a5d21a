import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitShiftConv2D } from '../kernels/shift-conv2d.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { randomCodes, unitValues } from '../testing/codes.test-util.js';
import { shiftConv2d } from './shift-conv2d.js';

const cases: {
  xKind: ShiftOperandKind;
  filterKind: ShiftOperandKind;
  strides: number | [number, number];
  pad: 'valid' | 'same';
}[] = [
  { xKind: 'pow2', filterKind: 'int', strides: 1, pad: 'valid' },
  { xKind: 'pow2', filterKind: 'pow2', strides: 2, pad: 'same' },
  { xKind: 'int', filterKind: 'pow2', strides: [1, 2], pad: 'same' },
  { xKind: 'pow2-sqrt2', filterKind: 'pow2-sqrt2', strides: 1, pad: 'same' },
];

describe('shiftConv2d', () => {
  it('has its JS-loop kernel registered for cpu', () => {
    expect(tf.getKernel(LowbitShiftConv2D, 'cpu')).toBeDefined();
  });

  for (const c of cases) {
    const name = `${c.xKind} x ${c.filterKind}, strides ${c.strides}, ${c.pad}`;
    it(`${name}: kernel equals tf.conv2d on the dequantized values and the fallback`, () => {
      const x = randomCodes([2, 7, 6, 3], 5, 11);
      const f = randomCodes([3, 2, 3, 4], 5, 12);
      const scale = [2 ** -4, 2 ** -3, 2 ** -4, 1];
      const y = shiftConv2d(x, f, { ...c, scale });
      const fb = shiftConv2d(x, f, { ...c, scale, implementation: 'fallback' });
      expect(Array.from(y.dataSync())).toEqual(Array.from(fb.dataSync()));
      // tf.conv2d on the real values (float32 is exact here for base 2: small integers times powers of two)
      const xv = tf.tensor(Array.from(unitValues(x.dataSync(), c.xKind)), x.shape);
      const fv = tf.tensor(Array.from(unitValues(f.dataSync(), c.filterKind)), f.shape);
      const ref = tf.mul(tf.conv2d(xv as tf.Tensor4D, fv as tf.Tensor4D, c.strides, c.pad), tf.tensor1d(scale));
      expect(y.shape).toEqual(ref.shape);
      const got = y.dataSync();
      const want = ref.dataSync();
      if (c.xKind === 'pow2-sqrt2') {
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
      } else {
        expect(Array.from(got)).toEqual(Array.from(want));
      }
      tf.dispose([x, f, y, fb, xv, fv, ref]);
    });
  }

  it('dilations: equal tf.conv2d with the same dilation rate, on the kernel and the fallback', () => {
    const x = randomCodes([1, 7, 8, 2], 5, 21);
    const f = randomCodes([2, 3, 2, 3], 5, 22);
    for (const pad of ['same', 'valid'] as const) {
      const o = { xKind: 'pow2', filterKind: 'int', pad, dilations: [2, 3] as [number, number] } as const;
      const y = shiftConv2d(x, f, o);
      const fb = shiftConv2d(x, f, { ...o, implementation: 'fallback' });
      const xv = tf.tensor(
        Array.from(unitValues(x.dataSync(), 'pow2')),
        x.shape as [number, number, number, number],
      ) as tf.Tensor4D;
      const fv = tf.tensor(
        Array.from(unitValues(f.dataSync(), 'int')),
        f.shape as [number, number, number, number],
      ) as tf.Tensor4D;
      const ref = tf.conv2d(xv, fv, 1, pad, 'NHWC', [2, 3]);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
      expect(Array.from(fb.dataSync())).toEqual(Array.from(ref.dataSync()));
      tf.dispose([y, fb, xv, fv, ref]);
    }
    expect(() => shiftConv2d(x, f, { xKind: 'pow2', filterKind: 'int', strides: 2, dilations: 2 })).toThrow(
      /strides and dilations/,
    );
    expect(() => shiftConv2d(x, f, { xKind: 'pow2', filterKind: 'int', dilations: 0 })).toThrow(LowbitConfigError);
    tf.dispose([x, f]);
  });

  it('does not leak tensors', () => {
    const x = randomCodes([1, 4, 4, 2], 5, 1);
    const f = randomCodes([2, 2, 2, 2], 5, 2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(shiftConv2d(x, f, { xKind: 'pow2-sqrt2', filterKind: 'pow2', pad: 'same' }));
      tf.dispose(
        shiftConv2d(x, f, { xKind: 'pow2-sqrt2', filterKind: 'pow2', pad: 'same', implementation: 'fallback' }),
      );
      tf.dispose(shiftConv2d(x, f, { xKind: 'pow2', filterKind: 'pow2', pad: 'same', dilations: 2 }));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });

  it('rejects bad input with typed errors', () => {
    const x = tf.zeros([1, 4, 4, 2], 'int32');
    const f = tf.zeros([2, 2, 2, 3], 'int32');
    const o = { xKind: 'pow2', filterKind: 'int' } as const;
    expect(() => shiftConv2d(tf.zeros([4, 4, 2], 'int32'), f, o)).toThrow(/rank 4/);
    expect(() => shiftConv2d(tf.zeros([1, 4, 4, 2]), f, o)).toThrow(/int32/);
    expect(() => shiftConv2d(x, tf.zeros([2, 2, 3, 3], 'int32'), o)).toThrow(/input channels/);
    expect(() => shiftConv2d(x, f, { ...o, strides: 0 })).toThrow(LowbitConfigError);
    expect(() => shiftConv2d(x, f, { ...o, pad: 'full' as never })).toThrow(/pad/);
    expect(() => shiftConv2d(x, f, { ...o, scale: [1, 1] })).toThrow(/scale/);
    expect(() => shiftConv2d(x, tf.zeros([5, 5, 2, 3], 'int32'), o)).toThrow(/no larger/);
    tf.dispose([x, f]);
  });
});
