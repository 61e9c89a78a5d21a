/**
 * Fuzz test of the bit-packing decoders `unpackBits` / `unpackSignedBits`: random bytes with any
 * `bits` and `count` (valid, out of range, non-integer, huge, negative, NaN, non-numbers), and
 * packed codes that are truncated, extended or bit-flipped. Property: a typed lowbit error, or
 * exactly `count` codes in the `bits`-bit range that re-pack to the input's first
 * `ceil(count * bits / 8)` bytes (padding bits masked); the work is bounded by the input (a huge
 * `count` is refused before allocating); never another exception, never a hang.
 *
 * Runs LOWBIT_FUZZ_RUNS cases per property (default 1000); `npm run fuzz` runs 100,000.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { packBits, packSignedBits, unpackBits, unpackSignedBits } from './bitpack.js';
import { LowbitConfigError, LowbitDataError } from './errors.js';

const RUNS = (() => {
  const n = Number(process.env.LOWBIT_FUZZ_RUNS ?? 1000);
  return Number.isInteger(n) && n > 0 ? n : 1000;
})();
const MAX_MS_PER_CASE = 2000;

const stats = {
  file: fileURLToPath(import.meta.url),
  decoder: 'unpackBits / unpackSignedBits',
  cases: 0,
  decoded: 0,
  rejected: 0,
};
afterAll(() => {
  if (process.env.LOWBIT_FUZZ_REPORT) appendFileSync(process.env.LOWBIT_FUZZ_REPORT, `${JSON.stringify(stats)}\n`);
});

/** The property, for one call of either decoder. */
function check(bytes: Uint8Array, bits: unknown, count: unknown, signed: boolean): void {
  stats.cases++;
  const t0 = performance.now();
  let out: Uint8Array | Int8Array | undefined;
  try {
    out = signed
      ? unpackSignedBits(bytes, bits as number, count as number)
      : unpackBits(bytes, bits as number, count as number);
  } catch (e) {
    if (!(e instanceof LowbitDataError || e instanceof LowbitConfigError)) throw e;
    stats.rejected++;
  }
  if (out) {
    stats.decoded++;
    const b = bits as number;
    const n = count as number;
    expect(Number.isInteger(b) && b >= 1 && b <= 8).toBe(true);
    expect(out.length).toBe(n);
    const needed = Math.ceil((n * b) / 8);
    expect(needed).toBeLessThanOrEqual(bytes.length);
    const [lo, hi] = signed ? [-(2 ** (b - 1)), 2 ** (b - 1) - 1] : [0, 2 ** b - 1];
    for (let i = 0; i < n; i++)
      if (!(out[i] >= lo && out[i] <= hi)) throw new Error(`code ${out[i]} at ${i} outside [${lo}, ${hi}]`);
    // Re-packing gives the bytes the codes came from (the last byte's unused bits cleared).
    const repacked = signed ? packSignedBits(out, b) : packBits(out, b);
    const expected = bytes.slice(0, needed);
    const used = (n * b) % 8;
    if (used !== 0) expected[needed - 1] &= (1 << used) - 1;
    expect(Array.from(repacked)).toEqual(Array.from(expected));
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS_PER_CASE);
}

const bitsArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 9, -1, 2.5, NaN, Infinity, '3', null, undefined, 2 ** 53) },
);
const countArb = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        -1,
        1.5,
        NaN,
        Infinity,
        2 ** 31,
        2 ** 53 - 1,
        2 ** 53,
        Number.MAX_VALUE,
        '4',
        null,
      ),
    },
  );

describe('unpackBits / unpackSignedBits fuzz', () => {
  it(`random bytes, bits and counts (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), bitsArb, countArb(80), fc.boolean(), (bytes, bits, count, signed) =>
        check(bytes, bits, count, signed),
      ),
      { numRuns: RUNS },
    );
  });

  it(`packed codes truncated, extended or flipped, read with the right or a wrong width (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((bits) =>
            fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 70 })),
          ),
        fc.record({
          cut: fc.integer({ min: -3, max: 3 }),
          flips: fc.array(fc.nat(), { maxLength: 3 }),
          readBits: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
          countDelta: fc.integer({ min: -2, max: 2 }),
        }),
        fc.boolean(),
        ([bits, values], { cut, flips, readBits, countDelta }, signed) => {
          let bytes = packBits(values, bits);
          if (cut < 0) bytes = bytes.slice(0, Math.max(0, bytes.length + cut));
          if (cut > 0) bytes = Uint8Array.from([...bytes, ...new Array(cut).fill(0xa5)]);
          for (const f of flips) if (bytes.length > 0) bytes[f % bytes.length] ^= 1 << (f % 8);
          check(bytes, readBits ?? bits, Math.max(0, values.length + countDelta), signed);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`a count far beyond the input is refused before allocating (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 16 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2 ** 28, max: 2 ** 52 }),
        (bytes, bits, count) => {
          const before = stats.rejected;
          check(bytes, bits, count, false);
          expect(stats.rejected).toBe(before + 1);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
