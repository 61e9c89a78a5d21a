/**
 * Fuzz test of the DQA stream decoder: random bytes, and valid streams with bit flips,
 * truncation, extension and corrupted fields (scales, dims, counts, tables, bitstream length),
 * most with the CRC recomputed so the checks behind the checksum are reached. Property: decoding
 * throws a typed lowbit error or returns finite values of the declared size (the same values as
 * the first, bit-by-bit decoder), never another exception, never a hang.
 *
 * Runs LOWBIT_FUZZ_RUNS cases per property (default 1000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, crc32, packBits } from '@lowbit/quant-core';
import { decodeActivations, encodeWithStats } from './codec.js';
import { referenceDecode } from './codec-v1-reference.fixture.js';
import { dqaQuantizeValues } from './dqa-quantize.js';
import { HuffmanTable, huffmanCodeLengths, huffmanEncodeInto, huffmanEncodedBits } from './huffman.js';
import type { DqaParams } from './dqa-params.js';

const RUNS = (() => {
  const n = Number(process.env.LOWBIT_FUZZ_RUNS ?? 1000);
  return Number.isInteger(n) && n > 0 ? n : 1000;
})();
// Generous: a case decodes in well under a millisecond; this only catches a hang or a blow-up.
const MAX_MS_PER_CASE = 2000;
// Per property: a case takes about 1 ms (more on a loaded machine), so 100000 runs need minutes.
const TIMEOUT_MS = 30_000 + 10 * RUNS;

function resign(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4) new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

type Outcome = { ok: true; values: Float32Array } | { ok: false; error: Error };

/** The property: a typed error, or finite values of the declared size (and equal to v1's). */
function checkDecode(bytes: Uint8Array): Outcome {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const { shape, values, params } = decodeActivations(bytes);
    const size = shape.reduce((a, b) => a * b, 1);
    expect(values.length).toBe(size);
    expect(params.channels).toBe(shape[shape.length - 1]);
    // Decoded work is bounded by the input: at most 4 elements (2-bit codes) per byte.
    expect(size).toBeLessThanOrEqual(4 * bytes.length);
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) throw new Error(`non-finite value ${values[i]} at ${i}`);
    outcome = { ok: true, values };
  } catch (e) {
    if (!(e instanceof LowbitDataError || e instanceof LowbitConfigError)) throw e;
    outcome = { ok: false, error: e };
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS_PER_CASE);
  // Differential check against the first decoder: the new one is stricter (it also rejects
  // scales that could overflow float32) but otherwise must agree value for value.
  let ref: Float32Array | undefined;
  try {
    ref = referenceDecode(bytes).values;
  } catch {
    ref = undefined;
  }
  if (outcome.ok) {
    expect(ref).toBeDefined();
    expect(outcome.values.every((v, i) => Object.is(v, ref![i]))).toBe(true);
  } else if (ref !== undefined) {
    expect(outcome.error.message).toMatch(/scale of channel/);
  }
  return outcome;
}

/** A valid stream of a small random tensor, with its layout offsets. */
const validStream = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    bits: fc.integer({ min: 2, max: 8 }),
    extraBits: fc.integer({ min: 1, max: 8 }),
    tableGranularity: fc.constantFrom('channel' as const, 'layer' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  })
  .map(({ shape, bits, extraBits, tableGranularity, seed }) => {
    let s = seed >>> 0;
    const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const C = shape[shape.length - 1];
    const scales = Array.from({ length: C }, () => Math.fround(2 ** (rand() * 10 - 6)));
    const important = Array.from({ length: C }, (_, c) => c).filter(() => rand() < 0.6);
    const params: DqaParams = { bits, extraBits, scales, important, tableGranularity };
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from(
      { length: size },
      () => Math.max(0, rand() - 0.2) * 2 ** (bits - 1) * scales[0] * 4,
    );
    const { bytes, stats } = encodeWithStats({ values, shape }, params);
    const rank = shape.length;
    const scaleAt = 12 + 4 * rank;
    const kAt = scaleAt + 4 * C;
    const codesAt = kAt + 4 + 4 * important.length;
    const tablesAt = codesAt + stats.codeBytes;
    const bitsAt = tablesAt + stats.tableBytes;
    const expected = dqaQuantizeValues(values, params).output;
    return { bytes, C, rank, scaleAt, kAt, codesAt, tablesAt, bitsAt, expected, K: important.length };
  });
type Stream = typeof validStream extends fc.Arbitrary<infer T> ? T : never;

const specialFloats = [
  Number.NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  -1,
  1e-45,
  3e38,
  3.4028234663852886e38,
  1.7e38,
  2 ** 120,
  2 ** 127,
];

/** One corruption of a valid stream: what it does, and the bytes it gives. */
const mutation: fc.Arbitrary<(s: Stream) => Uint8Array> = fc.oneof(
  // Bit flips, with or without a recomputed CRC.
  fc
    .tuple(fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([flips, sign]) => (s: Stream) => {
      const b = s.bytes.slice();
      for (const [pos, bit] of flips) b[pos % b.length] ^= 1 << bit;
      return sign ? resign(b) : b;
    }),
  // Truncation anywhere.
  fc.tuple(fc.nat(), fc.boolean()).map(([cut, sign]) => (s: Stream) => {
    const b = s.bytes.slice(0, cut % (s.bytes.length + 1));
    return sign ? resign(b) : b;
  }),
  // Extension by random bytes (before the CRC, or after it).
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.boolean()).map(([extra, inside]) => (s: Stream) => {
    if (!inside) return Uint8Array.from([...s.bytes, ...extra]);
    const body = s.bytes.subarray(0, s.bytes.length - 4);
    return resign(Uint8Array.from([...body, ...extra, 0, 0, 0, 0]));
  }),
  // A scale field set to a special or random float32, CRC recomputed.
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        fc.constantFrom(...specialFloats),
        fc.integer().map((bitsOf) => new Float32Array(Int32Array.of(bitsOf).buffer)[0]),
      ),
    )
    .map(([c, value]) => (s: Stream) => {
      const b = s.bytes.slice();
      new DataView(b.buffer).setFloat32(s.scaleAt + 4 * (c % s.C), value, true);
      return resign(b);
    }),
  // A u32 field (a dim, K, an important index, the bitstream length) set to a random or extreme value.
  fc
    .tuple(fc.nat(), fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2, 0xffffffff, 0x7fffffff, 0x80000000, 65536)))
    .map(([which, value]) => (s: Stream) => {
      const b = s.bytes.slice();
      const fields = [
        ...Array.from({ length: s.rank }, (_, i) => 12 + 4 * i),
        s.kAt,
        ...Array.from({ length: s.K }, (_, i) => s.kAt + 4 + 4 * i),
        s.bitsAt,
      ];
      new DataView(b.buffer).setUint32(fields[which % fields.length], value >>> 0, true);
      return resign(b);
    }),
  // A header byte (version, bits, m, granularity, rank, reserved) set to anything.
  fc.tuple(fc.integer({ min: 4, max: 11 }), fc.nat(255)).map(([at, value]) => (s: Stream) => {
    const b = s.bytes.slice();
    b[at] = value;
    return resign(b);
  }),
  // Bit flips in the tables or the error bitstream only, CRC recomputed.
  fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([flips, inTables]) => (s: Stream) => {
    const b = s.bytes.slice();
    const from = inTables ? s.tablesAt : s.bitsAt + 4;
    const to = inTables ? s.bitsAt : b.length - 4;
    for (const f of flips) if (to > from) b[from + ((f >>> 3) % (to - from))] ^= 1 << (f & 7);
    return resign(b);
  }),
  // Huffman table nibbles or error-bitstream bytes rewritten (long codes, over-subscribed or
  // incomplete tables, all-zero tables, garbage bits), CRC recomputed.
  fc.tuple(fc.nat(), fc.nat(255), fc.boolean()).map(([pos, value, inTables]) => (s: Stream) => {
    const b = s.bytes.slice();
    const from = inTables ? s.tablesAt : s.bitsAt + 4;
    const to = inTables ? s.bitsAt : b.length - 4;
    if (to > from) b[from + (pos % (to - from))] = value;
    return resign(b);
  }),
);

describe(`DQA stream decoder fuzz (${RUNS} runs per property)`, () => {
  it(
    'random bytes: a typed error or a valid decode',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          checkDecode(bytes);
          checkDecode(resign(bytes));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'random bytes behind a plausible header and a valid CRC: a typed error or a valid decode',
    () => {
      // Mostly in-range header fields (so the checks behind them are reached), sometimes anything.
      const mostly = (valid: fc.Arbitrary<number>) =>
        fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: fc.nat(255), weight: 1 });
      const header = fc.tuple(
        mostly(fc.constant(1)),
        mostly(fc.integer({ min: 2, max: 8 })),
        mostly(fc.integer({ min: 1, max: 8 })),
        mostly(fc.integer({ min: 0, max: 1 })),
      );
      const dims = fc.array(
        fc.oneof({ arbitrary: fc.integer({ min: 0, max: 6 }), weight: 8 }, { arbitrary: fc.nat(), weight: 1 }),
        { minLength: 1, maxLength: 8 },
      );
      fc.assert(
        fc.property(
          header,
          dims,
          fc.boolean(),
          fc.uint8Array({ maxLength: 400 }),
          ([version, bits, m, granularity], dimValues, rankMatches, rest) => {
            const rank = rankMatches ? dimValues.length : (dimValues.length + 1) % 10;
            const head = new Uint8Array(12 + 4 * dimValues.length);
            head.set([0x4c, 0x42, 0x44, 0x51, version, bits, m, granularity, rank]);
            dimValues.forEach((d, i) => new DataView(head.buffer).setUint32(12 + 4 * i, d >>> 0, true));
            checkDecode(resign(Uint8Array.from([...head, ...rest, 0, 0, 0, 0])));
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'well-formed streams with random tables and bitstreams: a typed error or a valid decode',
    () => {
      // Every section has its declared size and the header is valid; the Huffman tables are
      // optimal codes of random counts, or random nibbles (incomplete, over-subscribed, long or
      // empty codes); the error bitstream is random symbols coded with the tables (then maybe a
      // bit flipped or its length changed), or random bits. Most cases reach the Huffman decoder.
      const stream = fc.record({
        shape: fc
          .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 })
          .map((d) => [...d.slice(0, -1), Math.max(1, d[d.length - 1])]),
        bits: fc.integer({ min: 2, max: 8 }),
        m: fc.integer({ min: 1, max: 8 }),
        perChannel: fc.boolean(),
        importantMask: fc.nat(),
        tables: fc.constantFrom('optimal', 'optimal', 'random', 'zero'),
        bitstream: fc.constantFrom('coded', 'coded', 'flipped', 'length', 'random'),
        seed: fc.nat(),
      });
      fc.assert(
        fc.property(stream, (g) => {
          let sd = g.seed >>> 0;
          const rand = () => (sd = (sd * 1664525 + 1013904223) >>> 0) / 2 ** 32;
          const C = g.shape[g.shape.length - 1];
          const important = Array.from({ length: C }, (_, c) => c).filter((c) => (g.importantMask >>> c) & 1);
          const K = important.length;
          const size = g.shape.reduce((a, b) => a * b, 1);
          const rows = size / C;
          const A = 2 ** g.m;
          const tableCount = K === 0 ? 0 : g.perChannel ? K : 1;
          const lengths: Uint8Array[] = Array.from({ length: tableCount }, () => {
            if (g.tables === 'zero') return new Uint8Array(A);
            if (g.tables === 'random')
              return Uint8Array.from({ length: A }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 16)));
            // Skewed counts give long codes (up to 15 bits) as well as short ones.
            return huffmanCodeLengths(
              Array.from({ length: A }, () => (rand() < 0.3 ? 0 : Math.floor(2 ** (rand() * 14)))),
            );
          });
          const body: number[] = [
            0x4c,
            0x42,
            0x44,
            0x51,
            1,
            g.bits,
            g.m,
            g.perChannel ? 1 : 0,
            g.shape.length,
            0,
            0,
            0,
          ];
          const u32 = (v: number) => body.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
          g.shape.forEach(u32);
          for (let c = 0; c < C; c++) body.push(0, 0, 0x80, 0x3f); // scale 1
          u32(K);
          important.forEach(u32);
          for (let i = 0; i < Math.ceil((size * g.bits) / 8); i++) body.push(Math.floor(rand() * 256));
          for (const l of lengths) body.push(...packBits(l, 4));
          let errorBits: number;
          let errorBytes: Uint8Array;
          let tables: HuffmanTable[] | undefined;
          try {
            tables = lengths.map((l) => new HuffmanTable(l));
          } catch {
            tables = undefined; // not a prefix code: the decoder must say so
          }
          if (tableCount === 0) {
            errorBytes = new Uint8Array(0);
            errorBits = 0;
          } else if (g.bitstream === 'random' || !tables || tables.some((t) => t.symbolCount === 0)) {
            errorBytes = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
            errorBits = Math.floor(rand() * (8 * errorBytes.length + 1));
          } else {
            const coded = tables.map((t) => Array.from(t.lengths.keys()).filter((k) => t.lengths[k] > 0));
            const symbols = Uint8Array.from({ length: rows * K }, (_, e) => {
              const c = coded[e % tableCount];
              return c[Math.floor(rand() * c.length)];
            });
            errorBytes = new Uint8Array(Math.ceil(huffmanEncodedBits(tables, symbols) / 8));
            errorBits = huffmanEncodeInto(tables, symbols, errorBytes);
            if (g.bitstream === 'flipped' && errorBytes.length > 0)
              errorBytes[Math.floor(rand() * errorBytes.length)] ^= 1 << Math.floor(rand() * 8);
            if (g.bitstream === 'length')
              errorBits = Math.max(0, Math.min(8 * errorBytes.length, errorBits + Math.floor(rand() * 17) - 8));
          }
          u32(errorBits);
          body.push(...errorBytes.subarray(0, Math.ceil(errorBits / 8)), 0, 0, 0, 0);
          const outcome = checkDecode(resign(Uint8Array.from(body)));
          if (tables && g.bitstream === 'coded' && !tables.some((t) => t.symbolCount === 0))
            expect(outcome.ok).toBe(true);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'valid streams decode exactly; corrupted ones give a typed error or a valid decode',
    () => {
      fc.assert(
        fc.property(validStream, mutation, (s, mutate) => {
          const clean = checkDecode(s.bytes);
          expect(clean.ok).toBe(true);
          if (clean.ok) expect(clean.values.every((v, i) => Object.is(v, s.expected[i]))).toBe(true);
          checkDecode(mutate(s));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
