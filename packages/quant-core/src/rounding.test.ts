import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './rounding.js';

describe('roundHalfEven', () => {
  it('sends halves to the even neighbour', () => {
    // Zero's sign is not part of the contract (codes are integers): compare with -0 folded into 0.
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5].map((v) => roundHalfEven(v) + 0)).toEqual([-2, -2, 0, 0, 2, 2, 4]);
    expect([0.49, 0.51, -0.51, 7.0].map(roundHalfEven)).toEqual([0, 1, -1, 7]);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });

  it('agrees with tf.round on random float32 values and halves', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.float({ noNaN: true, min: -1e6, max: 1e6 }),
            fc.integer({ min: -1000, max: 1000 }).map((k) => k + 0.5),
          ),
          { minLength: 1, maxLength: 64 },
        ),
        (xs) => {
          const t = tf.tensor1d(xs);
          const r = tf.round(t);
          const expected = Array.from(r.dataSync(), (v) => v + 0);
          tf.dispose([t, r]);
          expect(
            Array.from(
              Float32Array.from(xs, (x) => roundHalfEven(Math.fround(x))),
              (v) => v + 0,
            ),
          ).toEqual(expected);
        },
      ),
    );
  });
});
