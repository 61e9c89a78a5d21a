import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packSignedBits, unpackSignedBits } from '@lowbit/quant-core';
import { countSymbols, packSignedCodes, quantizeSplit, unpackSignedCodes } from './codec-loops.js';
import { checkDqaParams } from './dqa-params.js';
import { dqaQuantizeValues } from './dqa-quantize.js';

describe('codec loops', () => {
  it('pack and unpack N-bit codes as quant-core does, for every N (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.array(fc.integer(), { maxLength: 70 }), fc.nat(3), (bits, raw, offset) => {
        const half = 2 ** (bits - 1);
        const codes = Int8Array.from(raw, (r) => (((r % (2 * half)) + 2 * half) % (2 * half)) - half);
        const expected = packSignedBits(codes, bits);
        const out = new Uint8Array(expected.length + offset);
        packSignedCodes(codes, bits, out, offset);
        expect(Array.from(out.subarray(offset))).toEqual(Array.from(expected));
        const back = new Int8Array(codes.length);
        unpackSignedCodes(out.subarray(offset), bits, back);
        expect(Array.from(back)).toEqual(Array.from(unpackSignedBits(expected, bits, codes.length)));
        expect(Array.from(back)).toEqual(Array.from(codes));
      }),
      { numRuns: 300 },
    );
  });

  it('quantizes exactly as dqaQuantizeValues, halves and clamps included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.oneof(fc.float({ noNaN: true }), fc.integer({ min: -300, max: 300 }).map((k) => k / 4)), { maxLength: 60 }),
        fc.array(fc.float({ min: Math.fround(1e-3), max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (C, bits, extraBits, raw, rawScales, flags) => {
          const values = Float32Array.from(raw.slice(0, raw.length - (raw.length % C)));
          const scales = rawScales.slice(0, C).map((s) => Math.fround(Math.max(s, 1e-3)));
          const important = flags.slice(0, C).flatMap((f, c) => (f ? [c] : []));
          const p = checkDqaParams({ bits, extraBits, scales, important });
          const ref = dqaQuantizeValues(values, p);
          const codes = new Int8Array(values.length);
          const errors = new Uint8Array(ref.errors.length);
          quantizeSplit(values, p, codes, errors);
          expect(Array.from(codes)).toEqual(Array.from(ref.codes));
          expect(Array.from(errors)).toEqual(Array.from(ref.errors));
          // Plain number arrays (float64 values) too.
          quantizeSplit(Array.from(values, (v) => v * 1.0000001), p, codes, errors);
          const ref64 = dqaQuantizeValues(Array.from(values, (v) => v * 1.0000001), p);
          expect(Array.from(codes)).toEqual(Array.from(ref64.codes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports the first NaN in flat order, as dqaQuantizeValues', () => {
    const p = checkDqaParams({ bits: 4, extraBits: 2, scales: [1, 1, 1], important: [2] });
    const values = Float32Array.of(0, 1, 2, 3, Number.NaN, 5, Number.NaN, 7, 8);
    expect(() => dqaQuantizeValues(values, p)).toThrow(/index 4 is NaN/);
    expect(() => quantizeSplit(values, p, new Int8Array(9), new Uint8Array(3))).toThrow(/index 4 is NaN/);
  });

  it('counts symbols per table', () => {
    const symbols = Uint8Array.of(0, 1, 1, 3, 2, 1, 0);
    expect(Array.from(countSymbols(symbols, 7, 1, 4))).toEqual([2, 3, 1, 1]);
    expect(Array.from(countSymbols(symbols, 6, 2, 4))).toEqual([1, 1, 1, 0, 0, 2, 0, 1]);
  });
});
