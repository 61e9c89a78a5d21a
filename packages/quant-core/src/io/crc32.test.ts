import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the standard check value and 0 for no bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // One byte 0x00: the well-known value 0xd202ef8d.
    expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
  });

  it('agrees with zlib and continues across chunks (property)', () => {
    const zlibCrc = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cutSeed) => {
        const whole = crc32(bytes);
        if (zlibCrc) expect(whole).toBe(zlibCrc(bytes));
        const cut = bytes.length === 0 ? 0 : cutSeed % bytes.length;
        expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(whole);
      }),
    );
  });

  it('rejects what is not bytes, and a previous value that is not a crc32 result', () => {
    for (const bytes of [undefined, null, 'abc', [1, 2, 3], new Uint16Array(2), {}]) {
      expect(() => crc32(bytes as Uint8Array)).toThrow(LowbitConfigError);
    }
    expect(() => crc32(undefined as unknown as Uint8Array)).toThrow(
      /bytes = undefined is invalid: expected a Uint8Array/,
    );
    for (const previous of [-1, 2 ** 32, 0.5, NaN, '1']) {
      expect(() => crc32(Uint8Array.of(1), previous as number)).toThrow(/previous = .* is invalid/);
    }
    expect(() => crc32(Uint8Array.of(1), 0xffffffff)).not.toThrow();
  });
});
