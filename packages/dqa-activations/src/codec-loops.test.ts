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
      [4, 1001, 4, 2], // 4-bit pairs, an odd number of rows in the block
      [6, 333, 4, 3],
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

  it('float32 quotients by reciprocal equal the divided ones, next to float32 midpoints and integer halves', () => {
    // quantizeSplit multiplies float32 input by 1 / step; this checks the claim it rests on:
    // fround(x * (1 / s)) === fround(x / s) for float32 x and s, on quotients placed a few ulps
    // around float32 rounding midpoints (where a wrong rounding would show) and around the
    // integer halves where quantization rounds.
    let seed = 11;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    const nudge = (x: number, ulps: number) => {
      f[0] = x;
      bits[0] += ulps;
      return f[0];
    };
    let checked = 0;
    let mismatches = 0;
    for (let n = 0; n < 4000; n++) {
      // Steps from subnormal to large, with random mantissas.
      const s = Math.fround((1 + rand()) * 2 ** Math.floor(-150 + rand() * 250));
      if (!(s > 0) || !Number.isFinite(s)) continue;
      const targets = [
        Math.floor(rand() * 600) - 300 + 0.5, // an integer half (a quantization tie)
        (1 + rand()) * 2 ** Math.floor(rand() * 40 - 20), // any float32 ...
      ];
      f[0] = targets[1];
      targets.push(f[0] + (nudge(f[0], 1) - f[0]) / 2); // ... and the midpoint above it
      for (const q of targets) {
        const x0 = Math.fround(q * s);
        for (let u = -3; u <= 3; u++) {
          const x = nudge(x0, u);
          if (!Number.isFinite(x)) continue;
          checked++;
          if (!Object.is(Math.fround(x * (1 / s)), Math.fround(x / s))) mismatches++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50000);
    expect(mismatches).toBe(0);
  });

  it('quantizes ties and near-ties of float32 input as dqaQuantizeValues (4-bit pairs and other widths)', () => {
    let seed = 5;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    for (const [C, bits, extraBits] of [
      [4, 4, 3],
      [6, 4, 1],
      [3, 4, 2],
      [5, 3, 3],
      [2, 8, 2],
    ]) {
      const scales = Array.from({ length: C }, () => Math.fround(1e-3 + rand()));
      const important = [0, 2].filter((c) => c < C);
      const p = checkDqaParams({ bits, extraBits, scales, important });
      const steps = scales.map((s, c) => (important.includes(c) ? s / 2 ** extraBits : s));
      // Values at k + 1/2 steps and their float32 neighbours.
      const f = new Float32Array(1);
      const b = new Int32Array(f.buffer);
      const values = Float32Array.from({ length: C * 600 }, (_, i) => {
        f[0] = (Math.floor(rand() * 2 ** (bits + extraBits + 1)) - 2 ** (bits + extraBits) + 0.5) * steps[i % C];
        b[0] += Math.floor(rand() * 5) - 2;
        return f[0];
      });
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
    // The 4-bit pair path (even channel count) too.
    const p4 = checkDqaParams({ bits: 4, extraBits: 2, scales: [1, 1], important: [1] });
    const v4 = Float32Array.of(0, 1, 2, Number.NaN, Number.NaN, 5);
    expect(() => quantizeSplit(v4, p4, new Uint8Array(3), new Uint8Array(3))).toThrow(/index 3 is NaN/);
  });

  it('counts symbols per table', () => {
    const symbols = Uint8Array.of(0, 1, 1, 3, 2, 1, 0);
    expect(Array.from(countSymbols(symbols, 7, 1, 4))).toEqual([2, 3, 1, 1]);
    expect(Array.from(countSymbols(symbols, 6, 2, 4))).toEqual([1, 1, 1, 0, 0, 2, 0, 1]);
    // Word-wise paths (aligned and not, one and 4k tables, counts that are not whole words) against a plain count.
    let seed = 3;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const backing = Uint8Array.from({ length: 1031 }, () => Math.floor(rand() * 8));
    for (const tables of [1, 3, 4, 8, 12]) {
      for (const from of [0, 1, 4]) {
        const run = backing.subarray(from);
        for (const count of [0, 5, 1000, run.length]) {
          const expected = new Array<number>(tables * 8).fill(0);
          for (let i = 0; i < count; i++) expected[(i % tables) * 8 + run[i]]++;
          expect(Array.from(countSymbols(run, count, tables, 8))).toEqual(expected);
        }
      }
    }
  });
});
