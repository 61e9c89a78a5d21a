// The code-to-factors kernel: its loop on every axis and rank against a direct index formula, the
// cpu kernel and the composed gather against the loop, NaN propagation and typed errors.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { expectConfigError } from '../test/config-error.js';
import { codeFactorsShape } from './check-code-factors.js';
import { CODE_FACTORS, codeFactors, codeFactorsComposed, codeFactorsLoop } from './code-factors.js';
import './register.js';

/** out[..., c r + j, rest] = F[x[..., c, rest] - min][j], written from the definition. */
function reference(x: number[], shape: number[], factors: Float32Array, min: number, rank: number, axis: number) {
  const a = axis < 0 ? axis + shape.length : axis;
  const outShape = codeFactorsShape(shape, rank, axis);
  const out = new Float32Array(x.length * rank);
  const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((p, d) => p * d, 1));
  const [inS, outS] = [strides(shape), strides(outShape)];
  x.forEach((code, i) => {
    const idx = inS.map((st, d) => Math.floor(i / st) % shape[d]!);
    for (let j = 0; j < rank; j++) {
      const o = idx.reduce((p, v, d) => p + (d === a ? v * rank + j : v) * outS[d]!, 0);
      out[o] = factors[(code - min) * rank + j]!;
    }
  });
  return Array.from(out);
}

describe('LowbitCodeFactors', () => {
  it('the loop, the cpu kernel and the composed gather follow the definition on every axis and rank', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: -8, max: 3 }),
        fc.nat(),
        fc.integer({ min: 0, max: 1000 }),
        (shape, rank, min, axisSeed, seed) => {
          const axis = (axisSeed % (2 * shape.length)) - shape.length;
          const span = 5;
          const size = shape.reduce((p, d) => p * d, 1);
          let r = seed;
          const next = () => (r = (Math.imul(r, 1664525) + 1013904223) >>> 0);
          const x = Array.from({ length: size }, () => min + (next() % (span + 1)));
          const factors = Float32Array.from({ length: (span + 1) * rank }, () => (next() % 200) - 100);
          const attrs = { factors, min, max: min + span, rank, axis };
          const want = reference(x, shape, factors, min, rank, axis);
          expect(Array.from(codeFactorsLoop(Int32Array.from(x), attrs, shape))).toEqual(want);
          expect(Array.from(codeFactorsLoop(Float32Array.from(x), attrs, shape))).toEqual(want);
          const t = tf.tensor(x, shape, 'int32');
          const viaKernel = codeFactors(t, attrs);
          const composed = codeFactorsComposed(t, attrs);
          expect(viaKernel.shape).toEqual(codeFactorsShape(shape, rank, axis));
          expect(composed.shape).toEqual(viaKernel.shape);
          expect(Array.from(viaKernel.dataSync())).toEqual(want);
          expect(Array.from(composed.dataSync())).toEqual(want);
          tf.dispose([t, viaKernel, composed]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('propagates NaN codes, names a code out of range or a fraction with its index, checks attributes', () => {
    expect(tf.getKernel(CODE_FACTORS, 'cpu')).toBeDefined();
    const attrs = { factors: Float32Array.of(1, 2, 3, 4, 5, 6), min: -1, max: 1, rank: 2 };
    const nan = tf.tensor1d([0, NaN, 1]);
    for (const y of [codeFactors(nan, attrs), codeFactorsComposed(nan, attrs)]) {
      expect(Array.from(y.dataSync())).toEqual([3, 4, NaN, NaN, 5, 6]);
      y.dispose();
    }
    expect(() => codeFactorsLoop(Int32Array.of(0, 2), attrs)).toThrow(
      /code 2 at index 1 is not an integer in \[-1, 1\]/,
    );
    expect(() => codeFactorsLoop(Float32Array.of(0.5), attrs)).toThrow(LowbitDataError);
    expect(() => codeFactorsLoop(Int32Array.of(0, 1), attrs, [3])).toThrow(/x holds 2 codes, its shape \[3\] needs 3/);
    const before = tf.memory().numTensors;
    const big = tf.tensor1d([7], 'int32');
    expect(() => codeFactors(big, attrs)).toThrow(LowbitDataError);
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), { ...attrs, rank: 0 }), 'attrs.rank');
    expectConfigError(
      () => codeFactorsLoop(Int32Array.of(0), { ...attrs, factors: new Float32Array(5) }),
      'attrs.factors',
    );
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), { ...attrs, max: -2 }), 'attrs.max');
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), { ...attrs, axis: 1 }), 'attrs.axis');
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), { ...attrs, extra: 1 } as never), 'attrs.extra');
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), attrs, [1], new Float32Array(1)), 'into');
    expectConfigError(() => codeFactorsLoop(null as never, attrs), 'xv');
    expectConfigError(() => codeFactorsLoop(Int32Array.of(0), attrs, [1.5] as never), 'shape');
    expectConfigError(() => codeFactors({} as never, attrs), 'x');
    nan.dispose();
  });
});
