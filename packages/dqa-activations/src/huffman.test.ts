import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { BitReader, BitWriter } from './bit-stream.js';
import { HuffmanTable, MAX_CODE_LENGTH, canonicalCodes, entropyBits, huffmanCodeLengths } from './huffman.js';

function roundTrip(symbols: number[], lengths: Uint8Array): number[] {
  const table = new HuffmanTable(lengths);
  const w = new BitWriter(1);
  for (const s of symbols) table.encode(w, s);
  const r = new BitReader(w.finish(), w.bitLength);
  const out = symbols.map(() => table.decode(r));
  expect(r.position).toBe(w.bitLength);
  return out;
}

describe('Huffman code lengths', () => {
  it('gives optimal lengths for a known distribution', () => {
    expect(Array.from(huffmanCodeLengths([10, 1, 1, 0]))).toEqual([1, 2, 2, 0]);
    // Dyadic distribution: lengths equal -log2(p), so the average length equals the entropy.
    const counts = [8, 4, 2, 1, 1];
    const lengths = huffmanCodeLengths(counts);
    expect(Array.from(lengths)).toEqual([1, 2, 3, 4, 4]);
    const avg = counts.reduce((a, c, s) => a + c * lengths[s], 0) / 16;
    expect(avg).toBeCloseTo(entropyBits(counts), 12);
  });

  it('handles the empty and single-symbol cases', () => {
    expect(Array.from(huffmanCodeLengths([0, 0, 0]))).toEqual([0, 0, 0]);
    expect(Array.from(huffmanCodeLengths([0, 7, 0]))).toEqual([0, 1, 0]);
    const single = new HuffmanTable([0, 1, 0]);
    expect(single.bitsOf(1)).toBe(0);
    expect(roundTrip([1, 1, 1], Uint8Array.of(0, 1, 0))).toEqual([1, 1, 1]);
    const empty = new HuffmanTable([0, 0]);
    expect(() => empty.encode(new BitWriter(), 0)).toThrow(LowbitConfigError);
    expect(() => empty.decode(new BitReader(new Uint8Array(1), 8))).toThrow(LowbitDataError);
  });

  it('limits lengths to maxLength for skewed (Fibonacci) counts', () => {
    const fib = [1, 1];
    while (fib.length < 12) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    expect(Math.max(...huffmanCodeLengths(fib))).toBe(11); // unlimited: a chain of depth n - 1
    const limited = huffmanCodeLengths(fib, 6);
    expect(Math.max(...limited)).toBeLessThanOrEqual(6);
    expect(Array.from(limited).reduce((a, l) => a + 2 ** -l, 0)).toBe(1); // still complete
    const symbols = fib.map((_, s) => s);
    expect(roundTrip(symbols, limited)).toEqual(symbols);
  });

  it('is a complete prefix code whose round trips are exact, and within 1 bit of the entropy', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 200 }), (symbols) => {
        const counts = new Array(16).fill(0);
        for (const s of symbols) counts[s]++;
        const lengths = huffmanCodeLengths(counts);
        expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_CODE_LENGTH);
        expect(roundTrip(symbols, lengths)).toEqual(symbols);
        const used = counts.filter((c) => c > 0).length;
        if (used > 1) {
          const kraft = Array.from(lengths).reduce((a, l) => a + (l ? 2 ** -l : 0), 0);
          expect(kraft).toBe(1);
          const avg = counts.reduce((a, c, s) => a + c * lengths[s], 0) / symbols.length;
          const h = entropyBits(counts);
          expect(avg).toBeGreaterThanOrEqual(h - 1e-9);
          expect(avg).toBeLessThan(h + 1);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('canonical codes and decoding', () => {
  it('assigns canonical codes as DEFLATE does (RFC 1951 example)', () => {
    // Lengths (3,3,3,3,3,2,4,4) give codes 010,011,100,101,110,00,1110,1111.
    expect(Array.from(canonicalCodes([3, 3, 3, 3, 3, 2, 4, 4]))).toEqual([2, 3, 4, 5, 6, 0, 14, 15]);
  });

  it('rejects over-subscribed and out-of-range lengths, and a one-symbol table with length > 1', () => {
    expect(() => new HuffmanTable([1, 1, 1])).toThrow(LowbitDataError);
    expect(() => canonicalCodes([16, 1])).toThrow(LowbitDataError);
    expect(() => new HuffmanTable([0, 3])).toThrow(/one-symbol/);
  });

  it('fails cleanly on a truncated stream or an unused bit pattern', () => {
    const table = new HuffmanTable([1, 2, 0, 0]); // codes 0, 10; pattern 11 is unused
    expect(() => table.decode(new BitReader(Uint8Array.of(0xff, 0xff), 16))).toThrow(/matches no code/);
    expect(() => table.decode(new BitReader(Uint8Array.of(0b01), 1))).toThrow(/past the end/);
    expect(() => new BitReader(new Uint8Array(1), 9)).toThrow(LowbitDataError);
  });

  it('computes the entropy in bits per symbol', () => {
    expect(entropyBits([1, 1, 1, 1])).toBe(2);
    expect(entropyBits([5])).toBe(0);
    expect(entropyBits([0, 0])).toBe(0);
    expect(() => huffmanCodeLengths([1, -1])).toThrow(/counts\[1\]/);
    expect(() => huffmanCodeLengths([1, 1], 0)).toThrow(/maxLength/);
  });
});
