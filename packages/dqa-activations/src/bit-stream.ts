/**
 * Bit streams for variable-length (Huffman) codes. Bits fill each byte from its least significant
 * bit up (the same order as quant-core's `packBits`); a code is written from its most
 * significant bit first, so a decoder can walk the code tree one bit at a time (as DEFLATE does).
 *
 * ```ts
 * const w = new BitWriter(); w.writeCode(0b110, 3); w.writeCode(0b1, 1);
 * const r = new BitReader(w.finish(), w.bitLength);
 * r.readBit(); // 1 (the first bit of 110)
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkInteger } from '@lowbit/quant-core';

export class BitWriter {
  private bytes: Uint8Array;
  private bytePos = 0;
  // Pending bits not yet flushed to `bytes` (fewer than 8 between calls).
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 64) {
    this.bytes = new Uint8Array(Math.max(4, initialBytes));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.bytePos * 8 + this.accBits;
  }

  /** Appends the low `length` bits of `code` (length 0..24), most significant first. */
  writeCode(code: number, length: number): void {
    this.writeReversed(reverseBits(code, length), length);
  }

  /**
   * Appends `length` bits (0..24) of `bits` least significant first: the fast path for a code
   * whose bit order was reversed once in advance (see {@link reverseBits}).
   */
  writeReversed(bits: number, length: number): void {
    if (this.bytePos + 4 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + 4);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.acc |= bits << this.accBits;
    this.accBits += length;
    while (this.accBits >= 8) {
      this.bytes[this.bytePos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }

  /** The written bytes, `ceil(bitLength / 8)` of them; unused high bits of the last byte are 0. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.bytePos + (this.accBits > 0 ? 1 : 0));
    out.set(this.bytes.subarray(0, this.bytePos));
    if (this.accBits > 0) out[this.bytePos] = this.acc & 0xff;
    return out;
  }
}

/** The low `length` (0..31) bits of the non-negative integer `code` in reverse order. */
export function reverseBits(code: number, length: number): number {
  checkInteger('code', code, 0, 0xffffffff);
  checkInteger('length', length, 0, 31);
  let r = 0;
  for (let b = 0; b < length; b++) r |= ((code >>> b) & 1) << (length - 1 - b);
  return r;
}

export class BitReader {
  private readonly bytes: Uint8Array;
  private readonly bitLimit: number;
  private bitPos = 0;

  /** Reads at most `bitLength` bits of `bytes` (which must hold them). */
  constructor(bytes: Uint8Array, bitLength: number) {
    if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
    if (!Number.isInteger(bitLength) || bitLength < 0 || bitLength > bytes.length * 8) {
      throw new LowbitDataError('BitReader', `bit length ${bitLength} exceeds the ${bytes.length} bytes given`);
    }
    this.bytes = bytes;
    this.bitLimit = bitLength;
  }

  get position(): number {
    return this.bitPos;
  }

  /** The next bit; throws {@link LowbitDataError} past the end (never reads out of bounds). */
  readBit(): number {
    if (this.bitPos >= this.bitLimit) {
      throw new LowbitDataError(
        'BitReader',
        `read past the end of the ${this.bitLimit}-bit stream (data truncated or corrupt)`,
      );
    }
    const bit = (this.bytes[this.bitPos >>> 3] >>> (this.bitPos & 7)) & 1;
    this.bitPos++;
    return bit;
  }
}
