import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, crc32 } from '@lowbit/quant-core';
import { decode, decodeActivations, encode, encodeWithStats } from './codec.js';
import { referenceDecode, referenceEncode } from './codec-v1-reference.fixture.js';
import { dqaFakeQuant } from './dqa-quantize.js';
import type { DqaParams } from './dqa-params.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Re-computes the trailing CRC, to test the checks behind the checksum. */
function resign(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

const params: DqaParams = {
  bits: 3,
  extraBits: 3,
  scales: [0.25, 0.5, 0.125, 1],
  important: [1, 3],
  tableGranularity: 'channel',
};

function sample(shape: number[], seed = 1): tf.Tensor {
  const rand = lcg(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (rand() - 0.3) * 3),
    shape,
  );
}

describe('encode / decode', () => {
  it('restores the layer fake-quantized output bit for bit (both table granularities)', () => {
    for (const tableGranularity of ['channel', 'layer'] as const) {
      const x = sample([2, 3, 5, 4]);
      const p = { ...params, tableGranularity };
      const bytes = encode(x, p);
      const restored = decode(bytes);
      const expected = dqaFakeQuant(x, p);
      expect(restored.shape).toEqual([2, 3, 5, 4]);
      expect(Array.from(restored.dataSync())).toEqual(Array.from(expected.dataSync()));
      expect(decodeActivations(bytes).params.tableGranularity).toBe(tableGranularity);
      tf.dispose([x, restored, expected]);
    }
  });

  it('decodes into a given Float32Array: the same values, returned as values; bad or corrupt input leaves it alone', () => {
    const x = sample([3, 5, 4], 2);
    const bytes = encode(x, params);
    const fresh = decodeActivations(bytes).values;
    const out = new Float32Array(60).fill(7);
    const into = decodeActivations(bytes, out);
    expect(into.values).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(fresh));
    // Reused for a second stream of the same shape: overwritten with that stream's values.
    const second = encode(sample([3, 5, 4], 3), params);
    decodeActivations(second, out);
    expect(Array.from(out)).toEqual(Array.from(decodeActivations(second).values));
    const kept = new Float32Array(60).fill(7);
    expect(() => decodeActivations(bytes, new Float32Array(59))).toThrow(/out\.length.*expected 60.*\[3, 5, 4\]/);
    expect(() => decodeActivations(bytes, [] as unknown as Float32Array)).toThrow(/out.*Float32Array/);
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 20] ^= 0x5a;
    expect(() => decodeActivations(corrupt, kept)).toThrow(LowbitDataError);
    expect(() => decodeActivations(resign(corrupt), kept)).toThrow(LowbitDataError);
    expect(kept.every((v) => v === 7)).toBe(true);
    x.dispose();
  });

  it('reports section sizes that add up, and error bits that match the Huffman code', () => {
    const x = sample([64, 4], 7);
    const { bytes, stats } = encodeWithStats(x, params);
    expect(stats.totalBytes).toBe(bytes.length);
    expect(stats.headerBytes + stats.scaleBytes + stats.codeBytes + stats.tableBytes + stats.errorStreamBytes).toBe(
      bytes.length,
    );
    expect(stats.codeBytes).toBe(Math.ceil((256 * 3) / 8));
    expect(stats.errorSymbols).toBe(128);
    expect(stats.errorStreamBytes).toBe(Math.ceil(stats.errorBits / 8));
    // Huffman is within one bit per symbol of the entropy, never below it.
    expect(stats.errorBits).toBeGreaterThanOrEqual(stats.errorEntropyBits - 1e-6);
    expect(stats.errorBits).toBeLessThan(stats.errorEntropyBits + stats.errorSymbols);
    x.dispose();
  });

  it('spends no error bits when an important channel has a single shift-error value', () => {
    // Every element of important channel 1 quantizes to q+ = 8 (k = 0).
    const x = tf.tensor2d([0.1, 0.5, 0, 0, 0.2, 0.5, 0, 0], [2, 4]);
    const p = { ...params, important: [1] };
    const { bytes, stats } = encodeWithStats(x, p);
    expect(stats.errorBits).toBe(0);
    expect(stats.errorEntropyBits).toBe(0);
    expect(decodeActivations(bytes).values[1]).toBe(0.5);
    x.dispose();
  });

  it('handles no important channels and zero-size batches', () => {
    const x = sample([3, 4]);
    const direct = { ...params, important: [] };
    const { bytes, stats } = encodeWithStats(x, direct);
    expect(stats.tableBytes).toBe(0);
    expect(stats.errorBits).toBe(0);
    expect(Array.from(decodeActivations(bytes).values)).toEqual(Array.from(dqaFakeQuant(x, direct).dataSync()));
    const empty = decodeActivations(encode({ values: new Float32Array(0), shape: [0, 4] }, params));
    expect(empty.shape).toEqual([0, 4]);
    expect(empty.values.length).toBe(0);
    x.dispose();
  });

  it('round-trips random tensors and settings exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('channel' as const, 'layer' as const),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (shape, bits, extraBits, tableGranularity, seed) => {
          const rand = lcg(seed);
          const C = shape[shape.length - 1];
          const scales = Array.from({ length: C }, () => Math.fround(0.001 + rand() * 2));
          const important = Array.from({ length: C }, (_, c) => c).filter(() => rand() < 0.5);
          const p = { bits, extraBits, scales, important, tableGranularity };
          const size = shape.reduce((a, b) => a * b, 1);
          const spread = rand() * 10;
          const values = Float32Array.from({ length: size }, () => (rand() - 0.5) * spread);
          const decoded = decodeActivations(encode({ values, shape }, p));
          const expected = tf.tidy(() => dqaFakeQuant(tf.tensor(values, shape), p).dataSync());
          expect(decoded.shape).toEqual(shape);
          expect(Array.from(decoded.values)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('turns random corruption into a LowbitDataError (or, for a checksum collision, identical output)', () => {
    const x = sample([6, 4], 3);
    const bytes = encode(x, params);
    const good = decodeActivations(bytes).values;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (flips) => {
          const bad = bytes.slice();
          for (const [pos, xor] of flips) bad[pos % bad.length] ^= xor;
          try {
            expect(Array.from(decodeActivations(bad).values)).toEqual(Array.from(good));
          } catch (e) {
            expect(e).toBeInstanceOf(LowbitDataError);
          }
        },
      ),
      { numRuns: 300 },
    );
    x.dispose();
  });

  it('rejects every truncation and trailing garbage', () => {
    const x = sample([5, 4], 5);
    const bytes = encode(x, params);
    for (let n = 0; n < bytes.length; n++)
      expect(() => decodeActivations(bytes.subarray(0, n))).toThrow(LowbitDataError);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => decodeActivations(longer)).toThrow(LowbitDataError);
    expect(() => decodeActivations(resign(longer))).toThrow(/unexpected bytes/);
    x.dispose();
  });

  it('checks every field behind the checksum', () => {
    const x = sample([5, 4], 9);
    const bytes = encode(x, params);
    const patched = (offset: number, value: number) => {
      const b = bytes.slice();
      b[offset] = value;
      return resign(b);
    };
    expect(() => decodeActivations(patched(0, 0x58))).toThrow(/bad magic/);
    expect(() => decodeActivations(patched(4, 2))).toThrow(/version 2/);
    expect(() => decodeActivations(patched(5, 9))).toThrow(/bits 9/);
    expect(() => decodeActivations(patched(6, 0))).toThrow(/extraBits 0/);
    expect(() => decodeActivations(patched(7, 2))).toThrow(/granularity/);
    expect(() => decodeActivations(patched(8, 0))).toThrow(/rank 0/);
    expect(() => decodeActivations(patched(9, 1))).toThrow(/reserved/);
    // dims start at 12 (rank 2): a huge first dim means far more codes than bytes.
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(12, 0xffffffff, true);
    expect(() => decodeActivations(resign(huge))).toThrow(/truncated/);
    // A zero scale (channel 0 at offset 20).
    const zeroScale = bytes.slice();
    new DataView(zeroScale.buffer).setFloat32(20, 0, true);
    expect(() => decodeActivations(resign(zeroScale))).toThrow(/scale of channel 0/);
    // Important indices not increasing (K at 36, indices at 40, 44).
    const order = bytes.slice();
    new DataView(order.buffer).setUint32(44, 1, true);
    expect(() => decodeActivations(resign(order))).toThrow(/not increasing/);
    const tooMany = bytes.slice();
    new DataView(tooMany.buffer).setUint32(36, 5, true);
    expect(() => decodeActivations(resign(tooMany))).toThrow(/5 important channels/);
    expect(() => decodeActivations(new Uint8Array(3))).toThrow(/truncated/);
    expect(() => decodeActivations([1, 2] as never)).toThrow(LowbitConfigError);
    x.dispose();
  });

  it('rejects bad encode input with typed errors', () => {
    const x = sample([2, 4]);
    expect(() => encode(x, { ...params, bits: 9 })).toThrow(/bits = 9/);
    expect(() => encode(x, { ...params, extraBits: 0 })).toThrow(/extraBits = 0/);
    expect(() => encode(x, { ...params, scales: [1, 1, 1], important: [1] })).toThrow(/3 channels/);
    const scalar = tf.scalar(1);
    const ints = tf.tensor([1, 2, 3, 4], [1, 4], 'int32');
    expect(() => encode(scalar, { ...params, scales: [1], important: [] })).toThrow(/rank/);
    expect(() => encode(ints, params)).toThrow(/float32/);
    tf.dispose([scalar, ints]);
    expect(() => encode({ values: [Number.NaN, 0, 0, 0], shape: [1, 4] }, params)).toThrow(LowbitDataError);
    expect(() => encode({ values: [0, 0, 0], shape: [1, 4] }, params)).toThrow(/values.length/);
    expect(() => encode('x' as never, params)).toThrow(LowbitConfigError);
    x.dispose();
  });

  it('leaks no tensors', () => {
    const x = sample([4, 4]);
    decode(encode(x, params)).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) decode(encode(x, params)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
const sameFloats = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('the table-driven codec against the first (bit-by-bit) one', () => {
  // Streams written by the first codec (codec-v1-reference.fixture.ts, as of the v1 format).
  const goldenValues = Float32Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 2));
  const golden = [
    {
      shape: [2, 3, 4],
      params: {
        bits: 3,
        extraBits: 3,
        scales: [0.25, 0.5, 0.125, 1],
        important: [1, 3],
        tableGranularity: 'channel' as const,
      },
      bytes:
        '4c42445101030301030000000200000003000000040000000000803e0000003f0000003e0000803f02000000010000000300000018bdd10bbf132b33520033102033000201160000007d401f47ccbbe5',
    },
    {
      shape: [6, 4],
      params: {
        bits: 5,
        extraBits: 6,
        scales: [0.0625, 0.5, 0.125, 0.375],
        important: [0, 2, 3],
        tableGranularity: 'layer' as const,
      },
      bytes:
        '4c424451010506000200000006000000040000000000803d0000003f0000003e0000c03e0300000000000000020000000300000080ecfd06e54fc0ff000ccf53f2f82e04000400040040000404000400004000000000000400400000400400004400304400000074bcd328453e42e0062981d5ef',
    },
  ];

  it('writes the old streams byte for byte and decodes them to the layer output', () => {
    for (const g of golden) {
      const bytes = hex(g.bytes);
      expect(Buffer.from(encode({ values: goldenValues, shape: g.shape }, g.params)).toString('hex')).toBe(g.bytes);
      const decoded = decodeActivations(bytes);
      expect(decoded.shape).toEqual(g.shape);
      expect(sameFloats(decoded.values, referenceDecode(bytes).values)).toBe(true);
      const expected = tf.tidy(
        () => dqaFakeQuant(tf.tensor(goldenValues, g.shape), g.params).dataSync() as Float32Array,
      );
      expect(sameFloats(decoded.values, expected)).toBe(true);
    }
  });

  it('encodes the same bytes and decodes the same values as the first codec (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('channel' as const, 'layer' as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (shape, bits, extraBits, tableGranularity, importantShare, seed) => {
          const rand = lcg(seed);
          const C = shape[shape.length - 1];
          const scales = Array.from({ length: C }, () => Math.fround(2 ** (rand() * 12 - 8)));
          const important = Array.from({ length: C }, (_, c) => c).filter(() => rand() < importantShare);
          const p = { bits, extraBits, scales, important, tableGranularity };
          const size = shape.reduce((a, b) => a * b, 1);
          const spread = rand() * 40;
          // Skewed values (as after a ReLU) and exact halves of the step, to hit every rounding path.
          const values = Float32Array.from({ length: size }, (_, i) =>
            rand() < 0.2
              ? (Math.round(rand() * 64 - 32) / 2) * scales[i % C]
              : Math.max(0, rand() - 0.3) * spread * (rand() < 0.1 ? -1 : 1),
          );
          const bytes = encode({ values, shape }, p);
          const ref = referenceEncode(values, shape, p);
          expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(ref).toString('hex'));
          const decoded = decodeActivations(bytes);
          expect(sameFloats(decoded.values, referenceDecode(bytes).values)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes a large tensor (long error bitstream, many multi-symbol lookups) as the first codec', () => {
    const rand = lcg(42);
    const shape = [50, 7, 13];
    const scales = Array.from({ length: 13 }, () => Math.fround(0.05 + rand()));
    for (const tableGranularity of ['layer', 'channel'] as const) {
      const p = { bits: 4, extraBits: 5, scales, important: [0, 1, 4, 6, 7, 11], tableGranularity };
      const values = Float32Array.from({ length: 50 * 7 * 13 }, () => Math.max(0, rand() * 3 - 1) ** 2 * 4);
      const bytes = encode({ values, shape }, p);
      expect(Buffer.from(bytes).equals(Buffer.from(referenceEncode(values, shape, p)))).toBe(true);
      expect(sameFloats(decodeActivations(bytes).values, referenceDecode(bytes).values)).toBe(true);
    }
  });

  it('rejects scales whose values would overflow float32, even behind a valid checksum', () => {
    const x = sample([5, 4], 11);
    const bytes = encode(x, params);
    const huge = bytes.slice();
    // Channel 1 (offset 24): finite, but 2^(N-1) = 4 times it is not (the first decoder gave Infinity).
    new DataView(huge.buffer).setFloat32(24, 3e38, true);
    const resigned = resign(huge);
    expect(Array.from(referenceDecode(resigned).values).some((v) => !Number.isFinite(v))).toBe(true);
    expect(() => decodeActivations(resigned)).toThrow(LowbitDataError);
    expect(() => decodeActivations(resigned)).toThrow(/scale of channel 1 is 3\.\d+e\+38/);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, -0]) {
      const b = bytes.slice();
      new DataView(b.buffer).setFloat32(20, bad, true);
      expect(() => decodeActivations(resign(b))).toThrow(/scale of channel 0/);
    }
    // The largest allowed step still decodes to finite values.
    const edge = bytes.slice();
    new DataView(edge.buffer).setFloat32(24, 3.4028234663852886e38 / 4, true);
    expect(decodeActivations(resign(edge)).values.every(Number.isFinite)).toBe(true);
    // The encoder refuses such a step rather than writing a stream the decoder rejects.
    expect(() => encode(x, { ...params, scales: [0.25, 3e38, 0.125, 1] })).toThrow(LowbitConfigError);
    expect(() => encode(x, { ...params, scales: [0.25, 3e38, 0.125, 1] })).toThrow(/dqaParams\.scales\[1\]/);
    x.dispose();
  });

  it('rejects symbol counts the bitstream cannot hold before decoding them', () => {
    const x = sample([5, 4], 13);
    const bytes = encode(x, { ...params, tableGranularity: 'layer' });
    // Grow the first dim (offset 12) without growing the codes: caught as truncated codes.
    const more = bytes.slice();
    new DataView(more.buffer).setUint32(12, 5000, true);
    expect(() => decodeActivations(resign(more))).toThrow(/truncated/);
    // Shrink the error bitstream length: caught before any symbol is decoded.
    const layout = encodeWithStats(x, { ...params, tableGranularity: 'layer' }).stats;
    const bitsAt = bytes.length - 4 - layout.errorStreamBytes - 4;
    const fewer = bytes.slice(0, bitsAt + 4 + 1);
    const out = new Uint8Array(fewer.length + 4);
    out.set(fewer);
    new DataView(out.buffer).setUint32(bitsAt, 1, true);
    expect(() => decodeActivations(resign(out))).toThrow(/too short for 10 shift errors/);
    x.dispose();
  });
});
