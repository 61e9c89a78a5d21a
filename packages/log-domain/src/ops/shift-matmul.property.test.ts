// Property: for any small shapes, base-2 code kinds and codes, the shift kernel equals the float64
// product of the quantized values rounded once to float32, and equals the composed fallback.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../index.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { referenceMatMul, unitValues } from '../testing/codes.test-util.js';
import { shiftMatMul } from './shift-matmul.js';

const kind = fc.constantFrom<ShiftOperandKind>('int', 'pow2');

describe('shiftMatMul (property)', () => {
  it('kernel == float64 reference == fallback for random shapes, kinds, codes and power-of-two scales', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        kind,
        fc.constantFrom<ShiftOperandKind>('pow2', 'pow2-sqrt2'),
        fc.integer({ min: -12, max: 4 }),
        // |code| <= 7 keeps every sum below 2^24, where the fallback's float32 sums are exact too
        fc.infiniteStream(fc.integer({ min: -7, max: 7 })),
        (m, k, n, bKind, aKind, scaleExp, codes) => {
          const it = codes[Symbol.iterator]();
          const take = (len: number) => Int32Array.from({ length: len }, () => it.next().value as number);
          const a = tf.tensor2d(take(m * k), [m, k], 'int32');
          const b = tf.tensor2d(take(k * n), [k, n], 'int32');
          const scale = 2 ** scaleExp;
          const y = shiftMatMul(a, b, { aKind, bKind, scale });
          const f = shiftMatMul(a, b, { aKind, bKind, scale, implementation: 'fallback' });
          const got = Array.from(y.dataSync());
          expect(got).toEqual(Array.from(f.dataSync()));
          if (aKind === 'pow2') {
            const ref = referenceMatMul(
              unitValues(a.dataSync(), aKind),
              unitValues(b.dataSync(), bKind),
              m,
              k,
              n,
              scale,
            );
            expect(got).toEqual(Array.from(ref));
          }
          tf.dispose([a, b, y, f]);
        },
      ),
      { numRuns: 40, seed: 1603 },
    );
  });
});
