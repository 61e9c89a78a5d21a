import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { BitReader, BitWriter } from './bit-stream.js';
import {
  HuffmanTable,
  HuffmanTableSet,
  MAX_CODE_LENGTH,
  MAX_LOOKUP_BITS,
  canonicalCodes,
  entropyBits,
  huffmanCodeLengths,
  huffmanDecodeInto,
  huffmanEncodeInto,
  huffmanEncodedBits,
} from './huffman.js';

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

/** Random complete or incomplete code lengths (0..15) for `n` symbols, valid (Kraft <= 1). */
function randomLengths(rand: () => number, n: number, maxLength = MAX_CODE_LENGTH): Uint8Array {
  const counts = Array.from({ length: n }, () => (rand() < 0.3 ? 0 : Math.floor(2 ** (rand() * 12))));
  return huffmanCodeLengths(counts, maxLength);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Symbols i of table i mod T, drawn among each table's coded symbols. */
function randomRun(rand: () => number, tables: HuffmanTable[], count: number): Uint8Array {
  const coded = tables.map((t) => Array.from(t.lengths.keys()).filter((s) => t.lengths[s] > 0));
  return Uint8Array.from({ length: count }, (_, i) => {
    const c = coded[i % tables.length];
    // Skewed toward the first (often shortest) symbols, with a tail of long codes.
    return c[Math.min(c.length - 1, Math.floor(c.length * rand() ** 3))];
  });
}

describe('bulk Huffman encode / decode', () => {
  it('writes the same bits as one-symbol-at-a-time encoding, and reads them back (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: MAX_CODE_LENGTH }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (T, m, count, maxLength, seed) => {
          const rand = lcg(seed);
          const tables = Array.from({ length: T }, () => {
            let lengths = randomLengths(rand, 2 ** m, Math.max(maxLength, m));
            if (lengths.every((l) => l === 0))
              lengths = Uint8Array.from({ length: 2 ** m }, (_, s) => (s === 0 ? 1 : 0));
            return new HuffmanTable(lengths);
          });
          const symbols = randomRun(rand, tables, count);
          const w = new BitWriter(1);
          symbols.forEach((s, i) => tables[i % T].encode(w, s));
          const expected = w.finish();
          expect(huffmanEncodedBits(tables, symbols)).toBe(w.bitLength);
          const out = new Uint8Array(expected.length + 3).fill(0xaa);
          expect(huffmanEncodeInto(tables, symbols, out, 1)).toBe(w.bitLength);
          expect(Array.from(out.subarray(1, 1 + expected.length))).toEqual(Array.from(expected));
          expect(out[1 + expected.length]).toBe(0xaa); // nothing written past the codes
          // Decoding: the same symbols and bits, whether the tables come as objects or a set.
          const back = new Uint8Array(count);
          expect(huffmanDecodeInto(tables, expected, w.bitLength, back)).toBe(w.bitLength);
          expect(Array.from(back)).toEqual(Array.from(symbols));
          const r = new BitReader(expected, w.bitLength);
          expect(Array.from(symbols, (_, i) => tables[i % T].decode(r))).toEqual(Array.from(symbols));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decodes codes longer than the lookup, and with a lookup cut down for many tables', () => {
    const fib = [1, 1];
    while (fib.length < 16) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    const lengths = huffmanCodeLengths(fib); // lengths up to 15 > MAX_LOOKUP_BITS
    expect(Math.max(...lengths)).toBeGreaterThan(MAX_LOOKUP_BITS);
    const long = new HuffmanTable(lengths);
    const all = Uint8Array.from({ length: 64 }, (_, i) => i % 16);
    const w = new BitWriter();
    for (const s of all) long.encode(w, s);
    const back = new Uint8Array(all.length);
    expect(huffmanDecodeInto([long], w.finish(), w.bitLength, back)).toBe(w.bitLength);
    expect(Array.from(back)).toEqual(Array.from(all));
    // 3000 tables and one symbol each: the lookup shrinks to a few bits, results are unchanged.
    const many = Array.from({ length: 3000 }, (_, t) =>
      t % 2 ? long : new HuffmanTable([1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    );
    const symbols = Uint8Array.from({ length: 3000 }, (_, i) => (i % 2 ? i % 16 : i % 3));
    const bytes = new Uint8Array(3000 * 2);
    const bits = huffmanEncodeInto(many, symbols, bytes);
    const out = new Uint8Array(3000);
    expect(huffmanDecodeInto(HuffmanTableSet.of(many), bytes, bits, out)).toBe(bits);
    expect(Array.from(out)).toEqual(Array.from(symbols));
  });

  it('decodes any bytes, valid or corrupt, alike with one table and with that table twice (property)', () => {
    // One table takes a loop of its own; the same table listed twice takes the general loop.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: MAX_CODE_LENGTH }),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (m, maxLength, bytes, count, seed) => {
          let lengths = randomLengths(lcg(seed), 2 ** m, Math.max(maxLength, m));
          if (lengths.every((l) => l === 0)) lengths = Uint8Array.from({ length: 2 ** m }, (_, s) => (s ? 0 : 1));
          const table = new HuffmanTable(lengths);
          const run = (tables: HuffmanTable[]) => {
            const out = new Uint8Array(count);
            try {
              return { bits: huffmanDecodeInto(tables, bytes, bytes.length * 8, out), out: Array.from(out) };
            } catch (e) {
              expect(e).toBeInstanceOf(LowbitDataError);
              return { error: (e as Error).message };
            }
          };
          expect(run([table])).toEqual(run([table, table]));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('checks tables as HuffmanTable does (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 16 }), (raw) => {
        const lengths = raw.map((b) => b & 15);
        let objectError: unknown;
        let setError: unknown;
        try {
          new HuffmanTable(lengths);
        } catch (e) {
          objectError = e;
        }
        try {
          new HuffmanTableSet(lengths, lengths.length);
        } catch (e) {
          setError = e;
        }
        expect(setError === undefined).toBe(objectError === undefined);
        if (setError) expect(setError).toBeInstanceOf(LowbitDataError);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects bad runs with typed errors: no code, empty table, past the end, short output', () => {
    const t = new HuffmanTable([1, 2, 0, 0]); // codes 0, 10; 11 unused
    expect(() => huffmanDecodeInto([t], Uint8Array.of(0xff, 0xff), 16, new Uint8Array(4))).toThrow(/matches no code/);
    expect(() => huffmanDecodeInto([t], Uint8Array.of(0), 3, new Uint8Array(4))).toThrow(/past the end/);
    expect(() => huffmanDecodeInto([t], Uint8Array.of(0), 9, new Uint8Array(4))).toThrow(LowbitDataError);
    expect(() => huffmanDecodeInto([new HuffmanTable([0, 0])], Uint8Array.of(0), 8, new Uint8Array(1))).toThrow(
      /empty/,
    );
    expect(huffmanDecodeInto([t], Uint8Array.of(0b1110), 0, new Uint8Array(0))).toBe(0);
    expect(() => huffmanEncodeInto([t], [2], new Uint8Array(4))).toThrow(LowbitConfigError);
    expect(() => huffmanEncodeInto([t], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], new Uint8Array(2))).toThrow(/too short/);
    expect(() => huffmanEncodeInto([t], [0.5], new Uint8Array(2))).toThrow(/symbols\[0\]/);
    expect(() => huffmanEncodeInto([], [0], new Uint8Array(2))).toThrow(LowbitConfigError);
    expect(() => new HuffmanTableSet(new Uint8Array(3), 2)).toThrow(LowbitConfigError);
  });

  it('names the first symbol without a code when encoding two symbols per lookup', () => {
    const t = new HuffmanTable([1, 2, 2, 0, 0, 0, 0, 0]); // symbols 3..7 have no code
    const u = new HuffmanTable([0, 1, 0, 1, 0, 0, 0, 0]); // only 1 and 3
    for (let at = 0; at < 11; at++) {
      const symbols = new Uint8Array(11).fill(1);
      symbols[at] = at % 2 ? 9 : 3; // 9 is outside the alphabet, 3 has no code in t
      expect(() => huffmanEncodeInto([t], symbols, new Uint8Array(8))).toThrow(`symbols[${at}]`);
      expect(() => huffmanEncodedBits([t], symbols)).toThrow(`symbols[${at}]`);
    }
    // Two tables: symbol 0 is coded in t (even positions) but not in u (odd positions).
    const symbols = Uint8Array.of(0, 1, 0, 1, 0, 1, 0, 0);
    expect(() => huffmanEncodeInto([t, u], symbols, new Uint8Array(8))).toThrow(/symbols\[7\].*table 1/);
  });

  it('encodes the same bits from aligned and unaligned symbol arrays, with one and several tables', () => {
    const rand = lcg(99);
    const t = new HuffmanTable(huffmanCodeLengths([40, 20, 10, 5, 3, 2, 1, 1]));
    const u = new HuffmanTable(huffmanCodeLengths([1, 1, 2, 3, 5, 8, 13, 21]));
    for (const tables of [[t], [t, u], [t, u, t]]) {
      const backing = new Uint8Array(1003);
      for (let i = 0; i < backing.length; i++) backing[i] = Math.floor(rand() ** 2 * 8);
      for (const from of [0, 1, 2, 3]) {
        const symbols = backing.subarray(from, from + 997);
        const w = new BitWriter(1);
        symbols.forEach((s, i) => tables[i % tables.length].encode(w, s));
        const out = new Uint8Array(Math.ceil(w.bitLength / 8));
        expect(huffmanEncodeInto(tables, symbols, out)).toBe(w.bitLength);
        expect(Buffer.from(out).equals(Buffer.from(w.finish()))).toBe(true);
        const back = new Uint8Array(997);
        expect(huffmanDecodeInto(tables, out, w.bitLength, back)).toBe(w.bitLength);
        expect(Buffer.from(back).equals(Buffer.from(symbols))).toBe(true);
      }
    }
  });

  it('rejects arguments that are not arrays with typed errors', () => {
    for (const bad of [undefined, null, 3, 'nope', {}]) {
      expect(() => huffmanCodeLengths(bad as unknown as number[])).toThrow(LowbitConfigError);
      expect(() => canonicalCodes(bad as unknown as number[])).toThrow(LowbitConfigError);
      expect(() => new HuffmanTable(bad as unknown as number[])).toThrow(LowbitConfigError);
      expect(() => entropyBits(bad as unknown as number[])).toThrow(LowbitConfigError);
      expect(() =>
        huffmanDecodeInto(bad as unknown as HuffmanTable[], new Uint8Array(1), 0, new Uint8Array(1)),
      ).toThrow(LowbitConfigError);
      const t = [new HuffmanTable([1, 1])];
      expect(() => huffmanDecodeInto(t, bad as unknown as Uint8Array, 0, new Uint8Array(1))).toThrow(LowbitConfigError);
      expect(() => huffmanDecodeInto(t, new Uint8Array(1), 0, bad as unknown as Uint8Array)).toThrow(LowbitConfigError);
    }
  });
});
