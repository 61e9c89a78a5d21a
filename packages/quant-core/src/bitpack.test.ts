import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBits, packedByteLength, packSignedBits, unpackBits, unpackSignedBits } from './bitpack.js';
import { LowbitConfigError, LowbitDataError } from './errors.js';

const bitsArb = fc.integer({ min: 1, max: 8 });

describe('packBits / unpackBits', () => {
  it('packs the documented 3-bit example LSB-first', () => {
    // a=5 (101b) in bits 0-2, b=3 (011b) in bits 3-5, c=6 (110b) in bits 6-8.
    expect(Array.from(packBits([5, 3, 6], 3))).toEqual([0x9d, 0x01]);
    expect(Array.from(unpackBits(Uint8Array.of(0x9d, 0x01), 3, 3))).toEqual([5, 3, 6]);
  });

  it('matches hand-worked byte images for 1, 2, 4, 5, 7 and 8 bits', () => {
    // 1 bit: value i is bit i of the byte.
    expect(Array.from(packBits([1, 0, 0, 0, 0, 0, 0, 1, 1], 1))).toEqual([0b10000001, 0b1]);
    // 2 bits: 3,0,1,2 -> 11 | 00<<2 | 01<<4 | 10<<6 = 0b10010011.
    expect(Array.from(packBits([3, 0, 1, 2], 2))).toEqual([0b10010011]);
    // 4 bits: low nibble first.
    expect(Array.from(packBits([0x1, 0xf, 0xa], 4))).toEqual([0xf1, 0x0a]);
    // 5 bits: 31, 1 -> bits 0-4 = 11111, bits 5-9 = 00001 -> byte0 = 0b00111111, byte1 = 0.
    expect(Array.from(packBits([31, 1], 5))).toEqual([0b00111111, 0]);
    // 7 bits: 1, 127 -> byte0 = 1 | (127 & 1) << 7 = 0x81, byte1 = 127 >> 1 = 0x3f.
    expect(Array.from(packBits([1, 127], 7))).toEqual([0x81, 0x3f]);
    // 8 bits: bytes unchanged.
    expect(Array.from(packBits([0, 200, 255], 8))).toEqual([0, 200, 255]);
  });

  it('packs nothing into nothing', () => {
    expect(packBits([], 3).length).toBe(0);
    expect(unpackBits(new Uint8Array(0), 3, 0).length).toBe(0);
  });

  it('round-trips any codes for every width 1..8 and any length (property)', () => {
    fc.assert(
      fc.property(
        bitsArb.chain((bits) =>
          fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 67 })),
        ),
        ([bits, values]) => {
          const bytes = packBits(values, bits);
          expect(bytes.length).toBe(Math.ceil((values.length * bits) / 8));
          expect(bytes.length).toBe(packedByteLength(values.length, bits));
          expect(Array.from(unpackBits(bytes, bits, values.length))).toEqual(values);
          // Padding bits of the last byte are zero.
          const used = (values.length * bits) % 8;
          if (used !== 0) expect(bytes[bytes.length - 1] >> used).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('each code lands at stream bits [i*k, (i+1)*k) (property against a bit-by-bit reference)', () => {
    fc.assert(
      fc.property(
        bitsArb.chain((bits) =>
          fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 30 })),
        ),
        ([bits, values]) => {
          const bytes = packBits(values, bits);
          const bit = (j: number) => (bytes[j >> 3] >> (j & 7)) & 1;
          values.forEach((v, i) => {
            let read = 0;
            for (let b = 0; b < bits; b++) read |= bit(i * bits + b) << b;
            expect(read).toBe(v);
          });
        },
      ),
    );
  });

  it('ignores trailing bytes when unpacking', () => {
    expect(Array.from(unpackBits(Uint8Array.of(0x21, 0xff, 0xff), 4, 2))).toEqual([1, 2]);
  });

  it('rejects bit widths outside 1..8 or non-integer', () => {
    for (const bits of [0, 9, 2.5, NaN, -1]) {
      expect(() => packBits([0], bits)).toThrow(LowbitConfigError);
      expect(() => unpackBits(Uint8Array.of(0), bits, 1)).toThrow(LowbitConfigError);
      expect(() => packSignedBits([0], bits)).toThrow(LowbitConfigError);
    }
    expect(() => packBits([0], '3' as unknown as number)).toThrow(/bits = "3"/);
  });

  it('rejects out-of-range or non-integer values, naming index and value', () => {
    expect(() => packBits([1, 2, 8], 3)).toThrow(/values\[2\] = 8 .*0 to 7/);
    expect(() => packBits([1, -1], 3)).toThrow(/values\[1\] = -1/);
    expect(() => packBits([0.5], 3)).toThrow(/values\[0\] = 0.5/);
    expect(() => packBits([NaN], 8)).toThrow(LowbitConfigError);
    expect(() => packBits(Float32Array.of(0, 256), 8)).toThrow(/values\[1\] = 256/);
    expect(() => packBits(null as unknown as number[], 8)).toThrow(LowbitConfigError);
  });

  it('rejects too few bytes with a LowbitDataError and a bad count with a LowbitConfigError', () => {
    expect(() => unpackBits(Uint8Array.of(0xff), 3, 3)).toThrow(LowbitDataError);
    expect(() => unpackBits(Uint8Array.of(0xff), 3, 3)).toThrow(/need 2 bytes, got 1/);
    expect(() => unpackBits(Uint8Array.of(0xff), 3, -1)).toThrow(LowbitConfigError);
    expect(() => unpackBits(Uint8Array.of(0xff), 3, 1.5)).toThrow(LowbitConfigError);
    expect(() => unpackBits([255] as unknown as Uint8Array, 3, 1)).toThrow(LowbitConfigError);
  });
});

describe('packSignedBits / unpackSignedBits', () => {
  it("stores two's complement codes", () => {
    expect(Array.from(packSignedBits([-1, 1], 2))).toEqual([0b0111]);
    // 3 bits: -4 -> 100b, -1 -> 111b, 3 -> 011b; stream = 100 | 111<<3 | 011<<6 = 0b11_111_100, then bit 8 = 0.
    expect(Array.from(packSignedBits([-4, -1, 3], 3))).toEqual([0b11111100, 0]);
    expect(Array.from(packSignedBits([-128, 127, -1], 8))).toEqual([0x80, 0x7f, 0xff]);
    // 1 bit: the codes are -1 and 0.
    expect(Array.from(unpackSignedBits(Uint8Array.of(0b101), 1, 3))).toEqual([-1, 0, -1]);
  });

  it('round-trips every signed code for every width (property)', () => {
    fc.assert(
      fc.property(
        bitsArb.chain((bits) =>
          fc.tuple(
            fc.constant(bits),
            fc.array(fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }), { maxLength: 67 }),
          ),
        ),
        ([bits, values]) => {
          const bytes = packSignedBits(values, bits);
          expect(bytes.length).toBe(Math.ceil((values.length * bits) / 8));
          const back = unpackSignedBits(bytes, bits, values.length);
          expect(back).toBeInstanceOf(Int8Array);
          expect(Array.from(back)).toEqual(values.map((v) => v + 0)); // -0 is not a code
        },
      ),
      { numRuns: 400 },
    );
  });

  it('rejects values outside the signed range, naming index and value', () => {
    expect(() => packSignedBits([0, 4], 3)).toThrow(/values\[1\] = 4 .*-4 to 3/);
    expect(() => packSignedBits([-5], 3)).toThrow(LowbitConfigError);
    expect(() => packSignedBits([1], 1)).toThrow(/-1 to 0/);
    expect(() => unpackSignedBits(new Uint8Array(0), 2, 1)).toThrow(LowbitDataError);
  });
});
