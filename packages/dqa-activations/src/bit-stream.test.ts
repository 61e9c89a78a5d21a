import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { BitReader, BitWriter, reverseBits } from './bit-stream.js';

describe('bit streams', () => {
  it('fills bytes from bit 0 and writes each code most significant bit first', () => {
    const w = new BitWriter(1);
    w.writeCode(0b110, 3); // stream bits 1, 1, 0
    w.writeCode(0b1, 1); // bit 1
    w.writeCode(0b0000_0001_1, 9); // straddles a byte
    expect(w.bitLength).toBe(13);
    const bytes = w.finish();
    // bits 0..12: 1 1 0 1 | 0 0 0 0 0 0 0 1 1 -> byte0 = 0b00001011, byte1 = 0b00011000
    expect(Array.from(bytes)).toEqual([0b0000_1011, 0b0001_1000]);
    const r = new BitReader(bytes, 13);
    const bits = Array.from({ length: 13 }, () => r.readBit());
    expect(bits).toEqual([1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(() => r.readBit()).toThrow(/past the end/);
  });

  it('reverses bit order', () => {
    expect(reverseBits(0b110, 3)).toBe(0b011);
    expect(reverseBits(0b1, 4)).toBe(0b1000);
    expect(reverseBits(0, 0)).toBe(0);
    expect(reverseBits(1, 31)).toBe(2 ** 30);
  });

  it('rejects bad arguments with typed errors, before any work', () => {
    for (const [code, length] of [
      [5, 32],
      [5, 1e9],
      [5, -1],
      [5, 1.5],
      [-1, 3],
      [0.5, 3],
      [5, undefined],
      [undefined, 3],
    ]) {
      expect(() => reverseBits(code as number, length as number)).toThrow(LowbitConfigError);
    }
    expect(() => new BitReader(undefined as unknown as Uint8Array, 0)).toThrow(LowbitConfigError);
    expect(() => new BitReader([1, 2] as unknown as Uint8Array, 8)).toThrow(/Uint8Array/);
  });

  it('grows past its initial size', () => {
    const w = new BitWriter(1);
    for (let i = 0; i < 1000; i++) w.writeCode(i & 0x7f, 7);
    const r = new BitReader(w.finish(), w.bitLength);
    for (let i = 0; i < 1000; i++) {
      let v = 0;
      for (let b = 0; b < 7; b++) v = (v << 1) | r.readBit();
      if (v !== (i & 0x7f)) throw new Error(`code ${i} read back as ${v}`);
    }
    expect(r.position).toBe(7000);
  });
});
