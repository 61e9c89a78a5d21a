import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { LowbitShiftMatMul } from '../kernels/shift-matmul.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { randomCodes, referenceMatMul, unitValues } from '../testing/codes.test-util.js';
import { shiftMatMul } from './shift-matmul.js';

const combos: [ShiftOperandKind, ShiftOperandKind, number, number][] = [
  // kind of a, kind of b, max |code| of a, max |code| of b
  ['pow2', 'int', 7, 7], // 4-bit log activations x 4-bit fixed-point weights
  ['pow2', 'pow2', 7, 15], // log x log
  ['int', 'pow2', 127, 3],
  ['pow2-sqrt2', 'int', 7, 7],
  ['pow2-sqrt2', 'pow2-sqrt2', 7, 7],
  ['pow2', 'pow2-sqrt2', 7, 7],
];

describe('shiftMatMul', () => {
  it('has its JS-loop kernel registered for cpu (so "auto" runs the kernel, not the fallback)', () => {
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getKernel(LowbitShiftMatMul, 'cpu')).toBeDefined();
  });

  for (const [aKind, bKind, aMax, bMax] of combos) {
    it(`${aKind} x ${bKind}: kernel equals the float64 product of the quantized values`, () => {
      const [m, k, n] = [5, 33, 6];
      const a = randomCodes([m, k], aMax, 1);
      const b = randomCodes([k, n], bMax, 2);
      const scale = 2 ** -7;
      const y = shiftMatMul(a, b, { aKind, bKind, scale });
      const ref = referenceMatMul(unitValues(a.dataSync(), aKind), unitValues(b.dataSync(), bKind), m, k, n, scale);
      const got = y.dataSync();
      if (aKind === 'pow2-sqrt2' || bKind === 'pow2-sqrt2') {
        // sqrt 2 is irrational: the single multiply by float32 sqrt 2 at the end costs < 1e-6 relative.
        for (let i = 0; i < ref.length; i++)
          expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref[i])));
      } else {
        expect(Array.from(got)).toEqual(Array.from(ref));
      }
      tf.dispose([a, b, y]);
    });

    it(`${aKind} x ${bKind}: kernel equals the composed fallback bit for bit`, () => {
      const a = randomCodes([4, 17], aMax, 3);
      const b = randomCodes([17, 3], bMax, 4);
      const opts = { aKind, bKind, scale: [0.25, 0.5, 2 ** -3] };
      const y = shiftMatMul(a, b, opts);
      const f = shiftMatMul(a, b, { ...opts, implementation: 'fallback' });
      expect(Array.from(y.dataSync())).toEqual(Array.from(f.dataSync()));
      tf.dispose([a, b, y, f]);
    });
  }

  it('pow2 x int equals tf.matMul of the dequantized float32 values (sizes where float32 is exact)', () => {
    const a = tf.tensor2d(
      [
        [1, -2, 0, 4],
        [-5, 3, 2, -1],
      ],
      [2, 4],
      'int32',
    ); // 2^0, -2^1, 0, 2^3 ...
    const b = tf.tensor2d(
      [
        [3, -1],
        [-7, 2],
        [5, 5],
        [0, -8],
      ],
      [4, 2],
      'int32',
    );
    // units: a in 2^-3, b in 2^-2 (a 4-bit LinearQuant step)
    const y = shiftMatMul(a, b, { aKind: 'pow2', bKind: 'int', scale: 2 ** -5 });
    const av = tf.tensor2d(
      Array.from(unitValues(a.dataSync(), 'pow2'), (v) => v * 2 ** -3),
      [2, 4],
    );
    const bv = tf.tensor2d(
      Array.from(unitValues(b.dataSync(), 'int'), (v) => v * 2 ** -2),
      [4, 2],
    );
    const ref = tf.matMul(av, bv);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    // hand check of y[0][0]: 1*3 + (-2)*(-7) + 0 + 8*0 = 17 units of 2^-5
    expect(y.dataSync()[0]).toBe(17 / 32);
    tf.dispose([a, b, y, av, bv, ref]);
  });

  it('handles exponents far below 1 exactly (negative exponents are right shifts of the output unit)', () => {
    const a = tf.tensor2d([[15, -1]], [1, 2], 'int32'); // 2^14 and -2^0 units
    const b = tf.tensor2d([[1], [1]], [2, 1], 'int32');
    const y = shiftMatMul(a, b, { aKind: 'pow2', bKind: 'pow2', scale: 2 ** -20 });
    expect(y.dataSync()[0]).toBe((2 ** 14 - 1) * 2 ** -20);
    tf.dispose([a, b, y]);
  });

  it('does not leak tensors on either path', () => {
    const a = randomCodes([3, 4], 7, 5);
    const b = randomCodes([4, 2], 7, 6);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(shiftMatMul(a, b, { aKind: 'pow2-sqrt2', bKind: 'pow2', scale: 1 }));
      tf.dispose(shiftMatMul(a, b, { aKind: 'pow2-sqrt2', bKind: 'pow2', scale: 1, implementation: 'fallback' }));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('rejects bad input with typed errors', () => {
    const a = tf.zeros([2, 3], 'int32');
    const b = tf.zeros([3, 2], 'int32');
    const opts = { aKind: 'pow2', bKind: 'int' } as const;
    expect(() => shiftMatMul(tf.zeros([2, 3]), b, opts)).toThrow(LowbitConfigError);
    expect(() => shiftMatMul(tf.zeros([2, 3, 1], 'int32'), b, opts)).toThrow(/rank 2/);
    expect(() => shiftMatMul(a, tf.zeros([2, 2], 'int32'), opts)).toThrow(/3 rows/);
    expect(() => shiftMatMul(a, b, { aKind: 'log' as never, bKind: 'int' })).toThrow(/aKind/);
    expect(() => shiftMatMul(a, b, { ...opts, scale: Number.NaN })).toThrow(/scale/);
    expect(() => shiftMatMul(a, b, { ...opts, scale: [1, 2, 3] })).toThrow(/scale/);
    expect(() => shiftMatMul(a, b, { ...opts, implementation: 'gpu' as never })).toThrow(/implementation/);
    const huge = tf.tensor2d([[100000, 0, 0]], [1, 3], 'int32');
    expect(() => shiftMatMul(huge, b, opts)).toThrow(LowbitDataError);
    expect(() => shiftMatMul(huge, b, { ...opts, implementation: 'fallback' })).toThrow(LowbitDataError);
    tf.dispose([a, b, huge]);
  });
});
