import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packSignedBits, unpackSignedBits } from '@lowbit/quant-core';
import { countSymbols, dequantize, packSignedCodes, quantizeSplit, unpackSignedCodes } from './codec-loops.js';
import { checkDqaParams } from './dqa-params.js';
import { dqaQuantizeValues } from './dqa-quantize.js';

describe('codec loops', () => {
  it('pack and unpack N-bit codes as quant-core does, for every N (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.integer(), { maxLength: 70 }),
        fc.nat(3),
        (bits, raw, offset) => {
          const half = 2 ** (bits - 1);
          const codes = Int8Array.from(raw, (r) => (((r % (2 * half)) + 2 * half) % (2 * half)) - half);
          const expected = packSignedBits(codes, bits);
          const out = new Uint8Array(expected.length + offset);
          packSignedCodes(codes, codes.length, bits, out, offset);
          expect(Array.from(out.subarray(offset))).toEqual(Array.from(expected));
          const back = new Int8Array(codes.length);
          unpackSignedCodes(out, offset, bits, back, back.length);
          expect(Array.from(back)).toEqual(Array.from(unpackSignedBits(expected, bits, codes.length)));
          expect(Array.from(back)).toEqual(Array.from(codes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('quantizes exactly as dqaQuantizeValues, halves and clamps included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.oneof(
            fc.float({ noNaN: true }),
            fc.integer({ min: -300, max: 300 }).map((k) => k / 4),
          ),
          { maxLength: 60 },
        ),
        fc.array(fc.float({ min: Math.fround(1e-3), max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (C, bits, extraBits, raw, rawScales, flags) => {
          const values = Float32Array.from(raw.slice(0, raw.length - (raw.length % C)));
          const scales = rawScales.slice(0, C).map((s) => Math.fround(Math.max(s, 1e-3)));
          const important = flags.slice(0, C).flatMap((f, c) => (f ? [c] : []));
          const p = checkDqaParams({ bits, extraBits, scales, important });
          const ref = dqaQuantizeValues(values, p);
          const codeBytes = new Uint8Array(Math.ceil((values.length * bits) / 8));
          const errors = new Uint8Array(ref.errors.length);
          quantizeSplit(values, p, codeBytes, errors);
          expect(Array.from(codeBytes)).toEqual(Array.from(packSignedBits(ref.codes, bits)));
          expect(Array.from(errors)).toEqual(Array.from(ref.errors));
          // Plain number arrays (float64 values) too.
          quantizeSplit(
            Array.from(values, (v) => v * 1.0000001),
            p,
            codeBytes,
            errors,
          );
          const ref64 = dqaQuantizeValues(
            Array.from(values, (v) => v * 1.0000001),
            p,
          );
          expect(Array.from(codeBytes)).toEqual(Array.from(packSignedBits(ref64.codes, bits)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('quantizes and dequantizes across many blocks, for channel counts that do not divide them', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    // Rows of whole bytes (C x N a multiple of 8, codes read in place, some straddling two bytes) and not.
    const cases = [
      [1, 9000, 3, 2],
      [3, 3000, 5, 3],
      [7, 1300, 2, 8],
      [13, 700, 8, 1],
      [4099, 3, 3, 4],
      [8, 1000, 3, 2],
      [8, 700, 7, 5],
      [16, 600, 5, 3],
      [32, 300, 4, 3],
      [2, 5000, 4, 8],
      [4, 2100, 6, 1],
    ];
    for (const [C, rows, bits, extraBits] of cases) {
      const scales = Array.from({ length: C }, () => Math.fround(0.01 + rand()));
      const important = Array.from({ length: C }, (_, c) => c).filter(() => rand() < 0.5);
      const p = checkDqaParams({ bits, extraBits, scales, important });
      const values = Float32Array.from({ length: C * rows }, () => (rand() - 0.3) * 2 ** bits);
      const ref = dqaQuantizeValues(values, p);
      const codeBytes = new Uint8Array(Math.ceil((values.length * bits) / 8));
      const errors = new Uint8Array(ref.errors.length);
      quantizeSplit(values, p, codeBytes, errors);
      expect(Buffer.from(codeBytes).equals(Buffer.from(packSignedBits(ref.codes, bits)))).toBe(true);
      expect(Buffer.from(errors).equals(Buffer.from(ref.errors))).toBe(true);
      const back = new Float32Array(values.length);
      dequantize(codeBytes, errors, p, back);
      expect(back.every((v, i) => Object.is(v, ref.output[i]))).toBe(true);
    }
  });

  it('reports the first NaN in flat order, as dqaQuantizeValues', () => {
    const p = checkDqaParams({ bits: 4, extraBits: 2, scales: [1, 1, 1], important: [2] });
    const values = Float32Array.of(0, 1, 2, 3, Number.NaN, 5, Number.NaN, 7, 8);
    expect(() => dqaQuantizeValues(values, p)).toThrow(/index 4 is NaN/);
    expect(() => quantizeSplit(values, p, new Uint8Array(5), new Uint8Array(3))).toThrow(/index 4 is NaN/);
  });

  it('counts symbols per table', () => {
    const symbols = Uint8Array.of(0, 1, 1, 3, 2, 1, 0);
    expect(Array.from(countSymbols(symbols, 7, 1, 4))).toEqual([2, 3, 1, 1]);
    expect(Array.from(countSymbols(symbols, 6, 2, 4))).toEqual([1, 1, 1, 0, 0, 2, 0, 1]);
  });
});
