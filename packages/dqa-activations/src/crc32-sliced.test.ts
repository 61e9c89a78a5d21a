import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '@lowbit/quant-core';
import { crc32Fast, crc32Sliced, hasNativeCrc32 } from './crc32-sliced.js';

describe('crc32Sliced', () => {
  it('gives the standard check value', () => {
    expect(crc32Sliced(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Sliced(new Uint8Array(0))).toBe(0);
  });

  it('equals quant-core crc32 at every length and alignment, and when continued (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.nat(), (bytes, skip, previous) => {
        const view = bytes.subarray(Math.min(skip, bytes.length)); // odd byte offsets too
        expect(crc32Sliced(view)).toBe(crc32(view));
        expect(crc32Sliced(view, previous >>> 0)).toBe(crc32(view, previous >>> 0));
        const half = view.length >> 1;
        expect(crc32Sliced(view.subarray(half), crc32Sliced(view.subarray(0, half)))).toBe(crc32(view));
      }),
      { numRuns: 300 },
    );
  });

  it('crc32Fast is native in this Node and equals crc32Sliced at every length, alignment and continuation (property)', () => {
    // Node >= 20.15 (here 20.20) has zlib.crc32; package.json `imports` gives Node the native module.
    expect(hasNativeCrc32).toBe(typeof (zlib as { crc32?: unknown }).crc32 === 'function');
    expect(hasNativeCrc32).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.nat(), (bytes, skip, previous) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(crc32Fast(view)).toBe(crc32Sliced(view));
        expect(crc32Fast(view, previous >>> 0)).toBe(crc32Sliced(view, previous >>> 0));
      }),
      { numRuns: 300 },
    );
  });
});
