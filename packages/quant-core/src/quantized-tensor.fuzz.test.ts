/**
 * Fuzz test of `QuantizedTensor.fromBytes`: random bytes, random bytes behind a valid header, and
 * valid encodings with bit flips, byte overwrites, truncation, extension and corrupted header
 * fields (bits, flags, rank, axis, shape, scales, zero points), most with the CRC-32 recomputed so
 * the checks behind the checksum are reached. Property: a typed lowbit error, or a tensor of the
 * declared size whose scales are finite and positive, whose dequantized values are finite float32
 * and which re-encodes to exactly the input bytes; never another exception, never a hang.
 *
 * Runs LOWBIT_FUZZ_RUNS cases per property (default 1000); `npm run fuzz` runs 100,000.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from './errors.js';
import { crc32 } from './io/crc32.js';
import { QuantizedTensor, type QuantizedTensorInit } from './quantized-tensor.js';

const RUNS = (() => {
  const n = Number(process.env.LOWBIT_FUZZ_RUNS ?? 1000);
  return Number.isInteger(n) && n > 0 ? n : 1000;
})();
// Generous: a case takes well under a millisecond; this only catches a hang or a blow-up.
const MAX_MS_PER_CASE = 2000;

/** Counts cases and outcomes; `npm run fuzz` collects them from LOWBIT_FUZZ_REPORT. */
const stats = {
  file: fileURLToPath(import.meta.url),
  decoder: 'QuantizedTensor.fromBytes',
  cases: 0,
  decoded: 0,
  rejected: 0,
};
afterAll(() => {
  if (process.env.LOWBIT_FUZZ_REPORT) appendFileSync(process.env.LOWBIT_FUZZ_REPORT, `${JSON.stringify(stats)}\n`);
});

function resign(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4)
    new DataView(out.buffer, out.byteOffset).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The property. */
function check(bytes: Uint8Array): void {
  stats.cases++;
  const t0 = performance.now();
  let q: QuantizedTensor | undefined;
  try {
    q = QuantizedTensor.fromBytes(bytes);
  } catch (e) {
    if (!(e instanceof LowbitDataError || e instanceof LowbitConfigError)) throw e;
    stats.rejected++;
  }
  if (q) {
    stats.decoded++;
    const size = q.shape.reduce((a, b) => a * b, 1);
    expect(q.codes.length).toBe(size);
    expect(size).toBeLessThanOrEqual(8 * bytes.length);
    const channels = q.axis === undefined ? 1 : q.shape[q.axis];
    expect(q.scale.length).toBe(channels);
    for (const s of q.scale) expect(Number.isFinite(s) && s > 0).toBe(true);
    const values = q.dequantize();
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) throw new Error(`dequantized value ${values[i]} at ${i} is not finite`);
    // The format has one encoding per tensor: whatever decodes re-encodes to the same bytes.
    expect(Array.from(q.toBytes())).toEqual(Array.from(bytes));
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS_PER_CASE);
}

const FLOATS = [0, -0, NaN, Infinity, -Infinity, 1e308, -1, 5e-324, 1e-300, 3.4e38, 1e39, 2 ** -149, 0.5];
const INTS = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 255, 256, 2 ** 16, 0xffffffff];

/** Valid tensors, rank 0..3, widths 1..32, both encodings, per tensor or per channel. */
const initArb: fc.Arbitrary<QuantizedTensorInit> = fc
  .record({
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    bits: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 32 })),
    signed: fc.boolean(),
    pow2: fc.boolean(),
    stepsPerOctave: fc.integer({ min: 1, max: 2 }),
    axisSeed: fc.option(fc.nat(), { nil: undefined }),
    scaleSeed: fc.double({ min: 1e-6, max: 10, noNaN: true }),
  })
  .chain(({ shape, bits, signed, pow2, stepsPerOctave, axisSeed, scaleSeed }) => {
    const axis = axisSeed === undefined || shape.length === 0 ? undefined : axisSeed % shape.length;
    const channels = axis === undefined ? 1 : shape[axis];
    const size = shape.reduce((a, b) => a * b, 1);
    // pow2 magnitudes grow as 2^code: keep them inside float32.
    const b = pow2 ? Math.min(bits, 6) : bits;
    const half = 2 ** (b - 1);
    const [lo, hi] = !signed
      ? [0, Math.min(2 ** b - 1, 2 ** 31 - 1)]
      : pow2
        ? [-(half - 1), half - 1]
        : [-half, half - 1];
    return fc.array(fc.integer({ min: lo, max: hi }), { minLength: size, maxLength: size }).map((codes) => ({
      codes: Int32Array.from(codes),
      shape,
      bits: b,
      signed,
      scale: Array.from({ length: channels }, (_, c) => scaleSeed * (c + 1)),
      zeroPoint: pow2 ? undefined : Array.from({ length: channels }, (_, c) => ((c * 7) % 5) - 2),
      axis,
      encoding: pow2 ? ('pow2' as const) : ('linear' as const),
      stepsPerOctave: pow2 ? stepsPerOctave : 1,
    }));
  });

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: number[] }
  | { kind: 'delete'; at: number }
  | { kind: 'header'; field: number; value: number }
  | { kind: 'float'; at: number; value: number }
  | { kind: 'int32'; at: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extend' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  // Header bytes 4..11 with small values (where the interesting ones are).
  fc.record({
    kind: fc.constant('header' as const),
    field: fc.integer({ min: 4, max: 11 }),
    value: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({ kind: fc.constant('float' as const), at: fc.nat(), value: fc.constantFrom(...FLOATS) }),
  fc.record({ kind: fc.constant('int32' as const), at: fc.nat(), value: fc.constantFrom(...INTS) }),
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = input.slice();
  for (const m of mutations) {
    const n = bytes.length;
    if (m.kind === 'flip' && n > 0) bytes[m.at % n] ^= 1 << m.bit;
    else if (m.kind === 'set' && n > 0) bytes[m.at % n] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.slice(0, m.at % (n + 1));
    else if (m.kind === 'extend') bytes = Uint8Array.from([...bytes, ...m.bytes]);
    else if (m.kind === 'delete' && n > 0)
      bytes = Uint8Array.from([...bytes.subarray(0, m.at % n), ...bytes.subarray((m.at % n) + 1)]);
    else if (m.kind === 'header' && n > m.field) bytes[m.field] = m.value;
    else if (m.kind === 'float' && n >= 8) {
      // Mostly past the header, where the scales are.
      const at = n >= 20 ? 12 + (m.at % (n - 19)) : m.at % (n - 7);
      new DataView(bytes.buffer).setFloat64(at, m.value, true);
    } else if (m.kind === 'int32' && n >= 4) new DataView(bytes.buffer).setUint32(m.at % (n - 3), m.value >>> 0, true);
  }
  return bytes;
}

describe('QuantizedTensor.fromBytes fuzz', () => {
  it(`random bytes (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (bytes) => check(bytes)),
      { numRuns: RUNS },
    );
  });

  it(`random bytes behind the magic, version 1, with a valid CRC (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 160 }), fc.boolean(), (tail, sign) => {
        const bytes = Uint8Array.from([0x4c, 0x42, 0x51, 0x54, 1, ...tail.subarray(0, tail.length - 1)]);
        bytes[10] = bytes[11] = 0;
        bytes[8] %= 4; // small ranks, so the shape fits
        check(sign ? resign(bytes) : bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it(`valid encodings, mutated, CRC recomputed or not (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        initArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (init, mutations, sign) => {
          const bytes = mutate(new QuantizedTensor(init).toBytes(), mutations);
          check(sign ? resign(bytes) : bytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`valid encodings decode to themselves (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(initArb, (init) => {
        const bytes = new QuantizedTensor(init).toBytes();
        const decodedBefore = stats.decoded;
        check(bytes);
        expect(stats.decoded).toBe(decodedBefore + 1);
      }),
      { numRuns: RUNS },
    );
  });
});
