import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from './errors.js';
import { crc32 } from './io/crc32.js';
import { QuantizedTensor, type QuantizedTensorInit } from './quantized-tensor.js';

/** Every observable field, as plain data, to compare two tensors. */
function fields(q: QuantizedTensor) {
  return {
    codes: Array.from(q.codes),
    shape: q.shape,
    bits: q.bits,
    signed: q.signed,
    scale: Array.from(q.scale),
    zeroPoint: Array.from(q.zeroPoint),
    axis: q.axis,
    encoding: q.encoding,
    stepsPerOctave: q.stepsPerOctave,
  };
}

/** Random valid QuantizedTensor inits: any rank 0..3, widths 1..16, per-tensor or per-channel. */
const initArb: fc.Arbitrary<QuantizedTensorInit> = fc
  .record({
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    bits: fc.integer({ min: 1, max: 16 }),
    signed: fc.boolean(),
    pow2: fc.boolean(),
    stepsPerOctave: fc.integer({ min: 1, max: 2 }),
    axisSeed: fc.option(fc.nat(), { nil: undefined }),
  })
  .chain(({ shape, bits: requestedBits, signed, pow2, stepsPerOctave, axisSeed }) => {
    const axis = axisSeed === undefined || shape.length === 0 ? undefined : axisSeed % shape.length;
    const channels = axis === undefined ? 1 : shape[axis];
    const size = shape.reduce((a, b) => a * b, 1);
    // pow2 magnitudes grow as 2^code: at most 6 bits keeps every value inside float32.
    const bits = pow2 ? Math.min(requestedBits, 6) : requestedBits;
    const half = 2 ** (bits - 1);
    const [lo, hi] = !signed ? [0, 2 ** bits - 1] : pow2 ? [-(half - 1), half - 1] : [-half, half - 1];
    return fc.array(fc.integer({ min: lo, max: hi }), { minLength: size, maxLength: size }).map((codes) => ({
      codes: Int32Array.from(codes),
      shape,
      bits,
      signed,
      scale: Array.from({ length: channels }, (_, c) => 0.01 * (c + 1) + 1 / 3),
      zeroPoint: Array.from({ length: channels }, (_, c) => (c % 3) - 1),
      axis,
      encoding: pow2 ? ('pow2' as const) : ('linear' as const),
      stepsPerOctave: pow2 ? stepsPerOctave : 1,
    }));
  });

describe('QuantizedTensor bytes', () => {
  const small = () =>
    new QuantizedTensor({ codes: Int32Array.of(-1, 0, 1), shape: [3], bits: 2, signed: true, scale: [0.5] });

  it('writes the documented byte image', () => {
    const bytes = small().toBytes();
    expect(bytes.length).toBe(33);
    const head = Array.from(bytes.subarray(0, 16));
    // magic, version 1, flags signed, bits 2, stepsPerOctave 1, rank 1, axis 0, reserved, shape [3].
    expect(head).toEqual([0x4c, 0x42, 0x51, 0x54, 1, 1, 2, 1, 1, 0, 0, 0, 3, 0, 0, 0]);
    const view = new DataView(bytes.buffer);
    expect(view.getFloat64(16, true)).toBe(0.5);
    expect(view.getInt32(24, true)).toBe(0);
    // codes -1, 0, 1 as 2-bit two's complement: 11 | 00 << 2 | 01 << 4 = 0b010011.
    expect(bytes[28]).toBe(0b010011);
    expect(view.getUint32(29, true)).toBe(crc32(bytes.subarray(0, 29)));
  });

  it('stores codes wider than 8 bits as int32', () => {
    const q = new QuantizedTensor({ codes: Int32Array.of(-300, 511), shape: [2], bits: 10, signed: true, scale: [1] });
    const bytes = q.toBytes();
    expect(bytes.length).toBe(12 + 4 + 12 + 8 + 4);
    const view = new DataView(bytes.buffer);
    expect([view.getInt32(28, true), view.getInt32(32, true)]).toEqual([-300, 511]);
    expect(fields(QuantizedTensor.fromBytes(bytes))).toEqual(fields(q));
  });

  it('round-trips every field (property)', () => {
    fc.assert(
      fc.property(initArb, (init) => {
        const q = new QuantizedTensor(init);
        const back = QuantizedTensor.fromBytes(q.toBytes());
        expect(fields(back)).toEqual(fields(q));
        expect(Array.from(back.dequantize())).toEqual(Array.from(q.dequantize()));
      }),
      { numRuns: 300 },
    );
  });

  it('reads from a Uint8Array that is a view into a larger buffer', () => {
    const bytes = small().toBytes();
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 5);
    expect(fields(QuantizedTensor.fromBytes(padded.subarray(5, 5 + bytes.length)))).toEqual(fields(small()));
  });

  it('never crashes or hangs on corrupt bytes: always a LowbitDataError (property)', () => {
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), xor: fc.constant(0) }),
      fc.record({
        kind: fc.constant('extend' as const),
        at: fc.integer({ min: 1, max: 9 }),
        xor: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(initArb, fc.array(corruption, { minLength: 1, maxLength: 3 }), (init, corruptions) => {
        const original = new QuantizedTensor(init).toBytes();
        let bytes = original.slice();
        for (const c of corruptions) {
          if (c.kind === 'flip' && bytes.length > 0) bytes[c.at % bytes.length] ^= c.xor;
          if (c.kind === 'truncate') bytes = bytes.slice(0, c.at % Math.max(1, bytes.length));
          if (c.kind === 'extend') bytes = Uint8Array.from([...bytes, ...new Array(c.at).fill(c.xor)]);
        }
        const same = bytes.length === original.length && bytes.every((b, i) => b === original[i]);
        if (same) return; // two flips of the same byte can cancel out
        expect(() => QuantizedTensor.fromBytes(bytes)).toThrow(LowbitDataError);
      }),
      { numRuns: 500 },
    );
  });

  it('names what is wrong', () => {
    const bytes = small().toBytes();
    expect(() => QuantizedTensor.fromBytes(bytes.slice(0, 10))).toThrow(/fewer than the 16-byte minimum/);
    expect(() => QuantizedTensor.fromBytes(bytes.slice(0, 30))).toThrow(/describes 33 bytes .* got 30 \(truncated\)/);
    expect(() => QuantizedTensor.fromBytes(Uint8Array.from([...bytes, 0]))).toThrow(/1 extra bytes/);
    const badMagic = bytes.slice();
    badMagic[0] = 0x50;
    expect(() => QuantizedTensor.fromBytes(badMagic)).toThrow(/magic "LBQT" .*not a lowbit QuantizedTensor/);
    const badVersion = bytes.slice();
    badVersion[4] = 9;
    expect(() => QuantizedTensor.fromBytes(badVersion)).toThrow(/version 9 is not supported/);
    const badCode = bytes.slice();
    badCode[28] ^= 0x40;
    expect(() => QuantizedTensor.fromBytes(badCode)).toThrow(
      /checksum mismatch: stored CRC-32 0x[0-9a-f]{8}, computed/,
    );
    const hugeShape = bytes.slice();
    new DataView(hugeShape.buffer).setUint32(12, 0xffffffff, true);
    expect(() => QuantizedTensor.fromBytes(hugeShape)).toThrow(/holds 4294967295 codes/);
    expect(() => QuantizedTensor.fromBytes([1, 2] as unknown as Uint8Array)).toThrow(LowbitConfigError);
  });

  it('names each bad header field', () => {
    const bytes = small().toBytes();
    const cases: Array<[number, number, RegExp]> = [
      [5, 0x09, /flags byte 0x09 has unknown bits/],
      [6, 0, /bits = 0 is outside 1\.\.32/],
      [6, 33, /bits = 33/],
      [7, 3, /stepsPerOctave = 3/],
      [8, 33, /rank = 33 exceeds 32/],
      [9, 1, /axis byte is 1 for a per-tensor tensor/],
      [10, 1, /reserved header bytes/],
    ];
    for (const [offset, value, message] of cases) {
      const bad = bytes.slice();
      bad[offset] = value;
      expect(() => QuantizedTensor.fromBytes(bad)).toThrow(message);
    }
    const perChannel = bytes.slice();
    perChannel[5] |= 2; // per-channel with axis 1 on a rank-1 tensor
    perChannel[9] = 1;
    expect(() => QuantizedTensor.fromBytes(perChannel)).toThrow(/axis = 1 is not below rank 1/);
  });

  it('refuses to write ranks above 32', () => {
    const shape = new Array(33).fill(1);
    const q = new QuantizedTensor({ codes: Int32Array.of(0), shape, bits: 1, signed: false, scale: [1] });
    expect(() => q.toBytes()).toThrow(LowbitConfigError);
  });

  it('rejects content that has a valid checksum but is inconsistent (a NaN scale)', () => {
    const bytes = small().toBytes();
    const view = new DataView(bytes.buffer);
    view.setFloat64(16, NaN, true);
    view.setUint32(29, crc32(bytes.subarray(0, 29)), true);
    expect(() => QuantizedTensor.fromBytes(bytes)).toThrow(/inconsistent content: .*scale must hold 1 finite positive/);
  });
});

describe('QuantizedTensor.toTensor', () => {
  it('returns the dequantized values per channel with the shape', () => {
    // Per-channel along axis 1 of a [2, 2] tensor: value = scale[c] * (code - zeroPoint[c]).
    const q = new QuantizedTensor({
      codes: Int32Array.of(0, 3, 2, 1),
      shape: [2, 2],
      bits: 2,
      signed: false,
      scale: [0.5, 2],
      zeroPoint: [1, 0],
      axis: 1,
    });
    const t = q.toTensor();
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([-0.5, 6, 0.5, 2]);
    t.dispose();
  });

  it('dequantizes pow2 codes in base sqrt 2', () => {
    const q = new QuantizedTensor({
      codes: Int32Array.of(0, 1, -3, 2),
      shape: [4],
      bits: 3,
      signed: true,
      scale: [0.25],
      encoding: 'pow2',
      stepsPerOctave: 2,
    });
    const t = q.toTensor();
    const expected = [0, 0.25, -0.5, 0.25 * Math.SQRT2];
    Array.from(t.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    t.dispose();
  });

  it('leaks no tensors', () => {
    const q = new QuantizedTensor({ codes: Int32Array.of(1, 2), shape: [2], bits: 3, signed: false, scale: [1] });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) q.toTensor().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('QuantizedTensor checks', () => {
  const base = { codes: Int32Array.of(-1, 0, 1), shape: [3], bits: 2, signed: true, scale: [0.5] };

  it('rejects zero points that are not int32 instead of converting them', () => {
    for (const z of [NaN, 1.5, 2 ** 31, -(2 ** 31) - 1, Infinity]) {
      expect(() => new QuantizedTensor({ ...base, zeroPoint: [z] })).toThrow(
        new RegExp(`zeroPoint\\[0\\] = ${z} is not an int32`),
      );
    }
    expect(() => new QuantizedTensor({ ...base, zeroPoint: [0, 0] })).toThrow(/zeroPoint must hold 1 values/);
  });

  it('rejects scales whose dequantized values overflow float32', () => {
    expect(() => new QuantizedTensor({ ...base, scale: [3.4e38], zeroPoint: [-2] })).toThrow(
      /scale\[0\] = 3\.4e\+38 .*beyond float32/,
    );
    // Fine when the codes stay small enough.
    expect(
      new QuantizedTensor({ ...base, codes: Int32Array.of(0, 0, 1), scale: [3.4e38] }).dequantize()[2],
    ).toBeCloseTo(3.4e38, -32);
    const pow2 = {
      codes: Int32Array.of(0, 130),
      shape: [2],
      bits: 8,
      signed: false,
      encoding: 'pow2' as const,
      scale: [1],
    };
    expect(() => new QuantizedTensor(pow2)).toThrow(/\|code\| = 130 dequantizes to .*beyond float32/);
    expect(new QuantizedTensor({ ...pow2, codes: Int32Array.of(0, 100) }).dequantize().every(Number.isFinite)).toBe(
      true,
    );
  });

  it('rejects an axis on a rank-0 tensor, a non-boolean signed, and octave steps for linear codes', () => {
    expect(
      () => new QuantizedTensor({ codes: Int32Array.of(1), shape: [], bits: 2, signed: false, scale: [1], axis: 0 }),
    ).toThrow(/rank-0 tensor has no channel axis/);
    expect(() => new QuantizedTensor({ ...base, signed: 1 as unknown as boolean })).toThrow(/signed = 1 is invalid/);
    expect(() => new QuantizedTensor({ ...base, stepsPerOctave: 2 })).toThrow(/only pow2 codes have steps per octave/);
    expect(() => new QuantizedTensor({ ...base, scale: { length: 2 ** 40 } as ArrayLike<number> })).toThrow(
      /scale must hold 1 finite positive values/,
    );
  });

  it('rejects unknown keys of init (a misspelt zeroPoint would otherwise be dropped silently)', () => {
    const init = { ...base, zeropoint: [3] } as unknown as QuantizedTensorInit;
    expect(() => new QuantizedTensor(init)).toThrow(LowbitConfigError);
    expect(() => new QuantizedTensor(init)).toThrow(/init\.zeropoint = \[3\] is invalid: unknown/);
    expect(new QuantizedTensor({ ...base, zeroPoint: [0] }).zeroPoint).toEqual(Int32Array.of(0));
  });

  it('fromBytes rejects non-zero padding bits, octave steps on linear codes and impossible channel counts', () => {
    const resign = (b: Uint8Array) => (
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true),
      b
    );
    const bytes = new QuantizedTensor(base).toBytes();
    const padded = bytes.slice();
    padded[28] |= 0x80; // 3 codes x 2 bits use 6 bits of the byte
    expect(() => QuantizedTensor.fromBytes(resign(padded))).toThrow(
      /unused high 2 bits of the last code byte are not zero \(0x93\)/,
    );
    const steps = bytes.slice();
    steps[7] = 2;
    expect(() => QuantizedTensor.fromBytes(resign(steps))).toThrow(/stepsPerOctave = 2 with linear encoding/);
    const channels = bytes.slice();
    channels[5] |= 2; // per channel along axis 0 of a shape [0xffff0000]: size check first
    new DataView(channels.buffer).setUint32(12, 0, true);
    expect(fieldsOf(QuantizedTensor.fromBytes.bind(null, resign(channels)))).toMatch(/describes|channels/);
  });
});

function fieldsOf(f: () => unknown): string {
  try {
    f();
    return 'decoded';
  } catch (e) {
    expect(e).toBeInstanceOf(LowbitDataError);
    return (e as Error).message;
  }
}
