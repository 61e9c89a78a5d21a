/**
 * Bit packing of k-bit integer codes (k = 1..8) into bytes, as hardware or a file would store them.
 *
 * Bit order: the codes form one little-endian bit stream. Code `i` occupies stream bits
 * `[i*k, (i+1)*k)`, its least significant bit first, and stream bit `j` is bit `j % 8` (value
 * `2^(j % 8)`) of byte `floor(j / 8)`. A code may straddle two bytes; unused high bits of the last
 * byte are zero. Packed length: `ceil(count * k / 8)` bytes.
 *
 * Example, k = 3, codes a = 5 (101b), b = 3 (011b), c = 6 (110b); `a0` is the LSB of a. Each byte
 * is drawn most significant bit on the left, as one writes binary numbers:
 *
 * ```text
 *   stream bit:  7  6    5  4  3    2  1  0   |  15 ... 9   8
 *   byte 0    = [c1 c0 | b2 b1 b0 | a2 a1 a0] = [1 0 | 0 1 1 | 1 0 1] = 0b10011101 = 0x9d
 *   byte 1    = [0  0  0  0  0  0  0 | c2   ] = [0 0 0 0 0 0 0 | 1  ] = 0b00000001 = 0x01
 * ```
 *
 * Code c straddles the byte boundary: its low two bits end byte 0, its top bit starts byte 1.
 *
 * ```ts
 * const bytes = packBits([5, 3, 6], 3);   // Uint8Array [0x9d, 0x01]
 * unpackBits(bytes, 3, 3);                // Uint8Array [5, 3, 6]
 * packSignedBits([-1, 1], 2);             // two's complement 11b, 01b -> Uint8Array [0x07]
 * unpackSignedBits(Uint8Array.of(7), 2, 2); // Int8Array [-1, 1]
 * ```
 */
import { LowbitConfigError, LowbitDataError } from './errors.js';
import { checkInteger } from './validate.js';

/** Number of bytes `count` codes of `bits` bits take when packed. */
export function packedByteLength(count: number, bits: number): number {
  checkInteger('bits', bits, 1, 8);
  checkInteger('count', count, 0, Number.MAX_SAFE_INTEGER);
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs non-negative integers below `2^bits` into bytes, LSB-first (see the module docs).
 * Throws {@link LowbitConfigError} for `bits` outside 1..8 and for any value that is not an
 * integer in `[0, 2^bits - 1]` (the error names the index and the value).
 */
export function packBits(values: ArrayLike<number>, bits: number): Uint8Array {
  checkInteger('bits', bits, 1, 8);
  checkValues(values);
  const max = (1 << bits) - 1;
  const n = values.length;
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  // acc holds fewer than 8 pending bits before each add, so it never exceeds 16 bits.
  let acc = 0;
  let accBits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max)) {
      throw new LowbitConfigError(`values[${i}]`, v, `expected an integer from 0 to ${max} for ${bits}-bit codes`);
    }
    acc |= v << accBits;
    accBits += bits;
    while (accBits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out[o] = acc & 0xff;
  return out;
}

/**
 * Exact inverse of {@link packBits}: reads `count` codes of `bits` bits. Bytes beyond the packed
 * length and the unused high bits of the last byte are ignored. Throws {@link LowbitDataError}
 * when `bytes` is shorter than `ceil(count * bits / 8)`.
 */
export function unpackBits(bytes: Uint8Array, bits: number, count: number): Uint8Array {
  checkInteger('bits', bits, 1, 8);
  checkInteger('count', count, 0, Number.MAX_SAFE_INTEGER);
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  const needed = Math.ceil((count * bits) / 8);
  if (bytes.length < needed) {
    throw new LowbitDataError(
      'unpackBits',
      `${count} codes of ${bits} bits need ${needed} bytes, got ${bytes.length} (data truncated?)`,
    );
  }
  const out = new Uint8Array(count);
  const mask = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (accBits < bits) {
      acc |= bytes[p++] << accBits;
      accBits += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    accBits -= bits;
  }
  return out;
}

/**
 * Packs signed integers in `[-2^(bits-1), 2^(bits-1) - 1]` as `bits`-bit two's complement
 * (e.g. 3 bits: -4 -> 100b, -1 -> 111b, 3 -> 011b), then as {@link packBits}.
 */
export function packSignedBits(values: ArrayLike<number>, bits: number): Uint8Array {
  checkInteger('bits', bits, 1, 8);
  checkValues(values);
  const half = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  const raw = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= -half && v <= half - 1)) {
      throw new LowbitConfigError(
        `values[${i}]`,
        v,
        `expected an integer from ${-half} to ${half - 1} for ${bits}-bit signed codes`,
      );
    }
    raw[i] = v & mask;
  }
  return packBits(raw, bits);
}

/** Exact inverse of {@link packSignedBits}: sign-extends each `bits`-bit code. */
export function unpackSignedBits(bytes: Uint8Array, bits: number, count: number): Int8Array {
  const raw = unpackBits(bytes, bits, count);
  const out = new Int8Array(count);
  const shift = 32 - bits;
  // Shifting the code to the top of a 32-bit int and back sign-extends it.
  for (let i = 0; i < count; i++) out[i] = (raw[i] << shift) >> shift;
  return out;
}

function checkValues(values: ArrayLike<number>): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new LowbitConfigError('values', values, 'expected an array or typed array of integers');
  }
}
