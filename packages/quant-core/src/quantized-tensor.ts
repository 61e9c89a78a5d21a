/**
 * `QuantizedTensor`: what hardware would store for a quantized tensor: integer codes plus the
 * numbers that turn them back into real values.
 *
 * Encodings (per channel `c` along `axis`, or one set for the whole tensor):
 * - `linear`: `value = scale[c] * (code - zeroPoint[c])`.
 * - `pow2`:   `value = 0` for code 0, else `sign(code) * scale[c] * 2^((|code| - 1) / stepsPerOctave)`,
 *   where `scale[c]` is the smallest magnitude (`2^minExponent`) and `stepsPerOctave` is 1 for
 *   base 2 and 2 for base sqrt(2).
 *
 * ```ts
 * const q = new QuantizedTensor({ codes: Int32Array.of(-1, 0, 1), shape: [3], bits: 2, signed: true, scale: [0.5] });
 * q.dequantize();                    // Float32Array [-0.5, 0, 0.5]
 * q.toTensor();                      // tf.Tensor float32 [-0.5, 0, 0.5] (caller disposes it)
 * const bytes = q.toBytes();         // 33 bytes: header, scale, zero point, packed codes, CRC-32
 * QuantizedTensor.fromBytes(bytes);  // an equal QuantizedTensor; corrupt bytes -> LowbitDataError
 * ```
 *
 * Byte format, version 1 (all numbers little-endian; offsets in bytes):
 *
 * ```text
 *   0  magic            4  ASCII "LBQT"
 *   4  version          1  1
 *   5  flags            1  bit 0: signed, bit 1: per-channel (axis present), bit 2: pow2 encoding;
 *                          other bits 0
 *   6  bits             1  1..32
 *   7  stepsPerOctave   1  1 or 2 (1 for linear)
 *   8  rank             1  0..32
 *   9  axis             1  channel axis (0 when per-tensor)
 *  10  reserved         2  0
 *  12  shape            4 * rank             uint32 per dimension
 *   .  scale            8 * channels         float64
 *   .  zeroPoint        4 * channels         int32
 *   .  codes            bits <= 8: ceil(size * bits / 8) bytes, bit-packed LSB-first by packBits
 *                          (two's complement packSignedBits when signed; unused high bits of
 *                          the last byte 0);
 *                       bits > 8: 4 * size, int32
 *   .  crc32            4  CRC-32 (IEEE) of every byte before it
 * ```
 * `channels` is `shape[axis]` when per-channel, else 1; `size` is the product of `shape`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { packBits, packSignedBits, unpackBits, unpackSignedBits } from './bitpack.js';
import { LowbitConfigError, LowbitDataError } from './errors.js';
import { crc32 } from './io/crc32.js';
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf } from './validate.js';

const MAGIC = [0x4c, 0x42, 0x51, 0x54]; // "LBQT"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 12;
const MAX_RANK = 32;
const FLAG_SIGNED = 1;
const FLAG_PER_CHANNEL = 2;
const FLAG_POW2 = 4;

export type CodeEncoding = 'linear' | 'pow2';

export interface QuantizedTensorInit {
  codes: Int32Array;
  shape: number[];
  bits: number;
  signed: boolean;
  scale: ArrayLike<number>;
  zeroPoint?: ArrayLike<number>;
  /** Channel axis when `scale` has one entry per channel. */
  axis?: number;
  encoding?: CodeEncoding;
  /** For `pow2`: 1 (base 2) or 2 (base sqrt 2). */
  stepsPerOctave?: number;
}

const INIT_KEYS = ['codes', 'shape', 'bits', 'signed', 'scale', 'zeroPoint', 'axis', 'encoding', 'stepsPerOctave'];

export class QuantizedTensor {
  readonly codes: Int32Array;
  readonly shape: number[];
  readonly bits: number;
  readonly signed: boolean;
  readonly scale: Float64Array;
  readonly zeroPoint: Int32Array;
  readonly axis: number | undefined;
  readonly encoding: CodeEncoding;
  readonly stepsPerOctave: number;

  /**
   * Checks every field: `bits` 1..32, `signed` a boolean, `shape` non-negative integers, `codes` an
   * Int32Array of the shape's size with every code in {@link codeRange}, `axis` a valid axis of a
   * tensor of rank >= 1, `scale` one finite positive value per channel, `zeroPoint` one int32 per
   * channel, `stepsPerOctave` 1 or 2 for pow2 and 1 for linear, and every dequantized value finite
   * in float32. Bad settings (an unknown key of `init` too) throw {@link LowbitConfigError}, inconsistent
   * data {@link LowbitDataError}.
   */
  constructor(init: QuantizedTensorInit) {
    if (init === null || typeof init !== 'object')
      throw new LowbitConfigError('init', init, 'expected { codes, shape, bits, signed, scale, ... }');
    checkKnownKeys('init', init, INIT_KEYS);
    this.bits = checkInteger('bits', init.bits, 1, 32);
    this.encoding = checkOneOf('encoding', init.encoding ?? 'linear', ['linear', 'pow2'] as const);
    this.stepsPerOctave = checkInteger('stepsPerOctave', init.stepsPerOctave ?? 1, 1, 2);
    if (this.encoding === 'linear' && this.stepsPerOctave !== 1) {
      throw new LowbitConfigError(
        'stepsPerOctave',
        init.stepsPerOctave,
        "only pow2 codes have steps per octave: expected 1 (or none) for 'linear'",
      );
    }
    this.signed = checkBoolean('signed', init.signed);
    if (!Array.isArray(init.shape) || !init.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new LowbitConfigError('shape', init.shape, 'expected an array of non-negative integers');
    }
    this.shape = [...init.shape];
    const size = this.shape.reduce((a, b) => a * b, 1);
    if (!(init.codes instanceof Int32Array) || init.codes.length !== size) {
      throw new LowbitDataError(
        'QuantizedTensor',
        `codes must be an Int32Array of ${size} elements (shape [${this.shape}])`,
      );
    }
    this.codes = init.codes;
    if (init.axis !== undefined) {
      if (this.shape.length === 0)
        throw new LowbitConfigError('axis', init.axis, 'a rank-0 tensor has no channel axis (leave axis undefined)');
      checkInteger('axis', init.axis, 0, this.shape.length - 1);
    }
    this.axis = init.axis;
    const channels = this.axis === undefined ? 1 : this.shape[this.axis];
    // Lengths first: nothing is copied from an array-like of the wrong size.
    if (init.scale === null || typeof init.scale !== 'object' || init.scale.length !== channels) {
      throw new LowbitDataError('QuantizedTensor', `scale must hold ${channels} finite positive values`);
    }
    this.scale = Float64Array.from(init.scale);
    if (!this.scale.every((s) => Number.isFinite(s) && s > 0)) {
      throw new LowbitDataError('QuantizedTensor', `scale must hold ${channels} finite positive values`);
    }
    const zeroPoint = init.zeroPoint ?? new Array<number>(channels).fill(0);
    if (zeroPoint === null || typeof zeroPoint !== 'object' || zeroPoint.length !== channels) {
      throw new LowbitDataError('QuantizedTensor', `zeroPoint must hold ${channels} values`);
    }
    for (let c = 0; c < channels; c++) {
      const z = zeroPoint[c];
      if (!Number.isInteger(z) || z < -(2 ** 31) || z > 2 ** 31 - 1) {
        throw new LowbitDataError(
          'QuantizedTensor',
          `zeroPoint[${c}] = ${z} is not an int32 (zero points are integer codes)`,
        );
      }
    }
    this.zeroPoint = Int32Array.from(zeroPoint);
    // Every code in range, and the largest magnitude per channel: dequantizing is monotonic in it,
    // so checking that magnitude keeps every dequantized value finite in float32.
    const [lo, hi] = this.codeRange();
    const inner = this.innerSize();
    const largest = new Float64Array(channels);
    for (let i = 0; i < size; i++) {
      const c = this.codes[i];
      if (c < lo || c > hi)
        throw new LowbitDataError(
          'QuantizedTensor',
          `code ${c} at index ${i} is outside [${lo}, ${hi}] for ${this.bits}-bit ${this.signed ? 'signed' : 'unsigned'} codes`,
        );
      const ch = this.axis === undefined ? 0 : Math.floor(i / inner) % channels;
      const m = this.encoding === 'linear' ? Math.abs(c - this.zeroPoint[ch]) : Math.abs(c);
      if (m > largest[ch]) largest[ch] = m;
    }
    for (let ch = 0; ch < channels; ch++) {
      if (largest[ch] === 0) continue;
      const v =
        this.encoding === 'linear'
          ? this.scale[ch] * largest[ch]
          : this.scale[ch] * 2 ** ((largest[ch] - 1) / this.stepsPerOctave);
      if (!Number.isFinite(Math.fround(v))) {
        throw new LowbitDataError(
          'QuantizedTensor',
          `scale[${ch}] = ${this.scale[ch]} with codes up to ${this.encoding === 'linear' ? '|code - zeroPoint|' : '|code|'} = ${largest[ch]} dequantizes to ${v}, beyond float32`,
        );
      }
    }
  }

  /** Elements per step of the channel axis (1 when per-tensor). */
  private innerSize(): number {
    let inner = 1;
    if (this.axis !== undefined) for (let d = this.axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
    return inner;
  }

  /** Smallest and largest code a `bits`-bit code can hold. */
  codeRange(): [number, number] {
    const half = 2 ** (this.bits - 1);
    if (!this.signed) return [0, 2 ** this.bits - 1];
    // pow2 keeps code 0 for the value 0, so its magnitudes are symmetric.
    return this.encoding === 'pow2' ? [-(half - 1), half - 1] : [-half, half - 1];
  }

  get size(): number {
    return this.codes.length;
  }

  /** Index of the channel (scale entry) of flat element `i`. */
  channelOf(i: number): number {
    if (this.axis === undefined) return 0;
    let inner = 1;
    for (let d = this.axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
    return Math.floor(i / inner) % this.shape[this.axis];
  }

  /** The real values the codes stand for. */
  dequantize(): Float32Array {
    const out = new Float32Array(this.size);
    let inner = 1;
    if (this.axis !== undefined) for (let d = this.axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
    const channels = this.scale.length;
    for (let i = 0; i < out.length; i++) {
      const ch = this.axis === undefined ? 0 : Math.floor(i / inner) % channels;
      const code = this.codes[i];
      if (this.encoding === 'linear') {
        out[i] = this.scale[ch] * (code - this.zeroPoint[ch]);
      } else {
        out[i] = code === 0 ? 0 : Math.sign(code) * this.scale[ch] * 2 ** ((Math.abs(code) - 1) / this.stepsPerOctave);
      }
    }
    return out;
  }

  /** The dequantized values as a float32 tf tensor of `shape`; the caller owns (disposes) it. */
  toTensor(): tf.Tensor {
    return tf.tensor(this.dequantize(), this.shape, 'float32');
  }

  /**
   * The tensor in the compact, self-describing byte format documented at the top of this file
   * (codes of at most 8 bits are bit-packed). Read it back with {@link QuantizedTensor.fromBytes}.
   */
  toBytes(): Uint8Array {
    const channels = this.scale.length;
    const packed =
      this.bits > 8 ? undefined : this.signed ? packSignedBits(this.codes, this.bits) : packBits(this.codes, this.bits);
    const codeByteLength = packed ? packed.length : 4 * this.codes.length;
    if (this.shape.length > MAX_RANK) {
      throw new LowbitConfigError('shape', this.shape, `expected rank at most ${MAX_RANK} for toBytes`);
    }
    if (this.shape.some((d) => d > 0xffffffff)) {
      throw new LowbitConfigError('shape', this.shape, 'expected every dimension below 2^32 for toBytes');
    }
    const total = HEADER_BYTES + 4 * this.shape.length + 12 * channels + codeByteLength + 4;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    out[4] = FORMAT_VERSION;
    out[5] =
      (this.signed ? FLAG_SIGNED : 0) |
      (this.axis !== undefined ? FLAG_PER_CHANNEL : 0) |
      (this.encoding === 'pow2' ? FLAG_POW2 : 0);
    out[6] = this.bits;
    out[7] = this.stepsPerOctave;
    out[8] = this.shape.length;
    out[9] = this.axis ?? 0;
    let o = HEADER_BYTES;
    for (const d of this.shape) {
      view.setUint32(o, d, true);
      o += 4;
    }
    for (const s of this.scale) {
      view.setFloat64(o, s, true);
      o += 8;
    }
    for (const z of this.zeroPoint) {
      view.setInt32(o, z, true);
      o += 4;
    }
    if (packed) {
      out.set(packed, o);
      o += packed.length;
    } else {
      // Write element by element: typed arrays use the platform's byte order, the format is LE.
      for (const c of this.codes) {
        view.setInt32(o, c, true);
        o += 4;
      }
    }
    view.setUint32(o, crc32(out.subarray(0, o)), true);
    return out;
  }

  /**
   * Reads the byte format written by {@link QuantizedTensor.toBytes}. Every defect (wrong magic,
   * unknown version, bad header field, truncated or extended data, checksum mismatch, non-zero
   * padding bits, codes out of range, non-finite or non-positive scales, scales whose dequantized
   * values overflow float32) throws {@link LowbitDataError} saying what is wrong; reads never go
   * past the end of `bytes`, nothing is allocated before the length is checked, and the work is
   * linear in `bytes.length`. What decodes re-encodes to exactly `bytes`.
   */
  static fromBytes(bytes: Uint8Array): QuantizedTensor {
    if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
    const fail = (problem: string): never => {
      throw new LowbitDataError('QuantizedTensor.fromBytes', problem);
    };
    const minimum = HEADER_BYTES + 4;
    if (bytes.length < minimum) fail(`got ${bytes.length} bytes, fewer than the ${minimum}-byte minimum (truncated?)`);
    if (!MAGIC.every((m, i) => bytes[i] === m)) {
      fail(
        `bytes do not start with the magic "LBQT" (got ${Array.from(bytes.subarray(0, 4), hex2).join(' ')}): not a lowbit QuantizedTensor`,
      );
    }
    if (bytes[4] !== FORMAT_VERSION)
      fail(`format version ${bytes[4]} is not supported (this reader knows version ${FORMAT_VERSION})`);
    const flags = bytes[5];
    if (flags & ~(FLAG_SIGNED | FLAG_PER_CHANNEL | FLAG_POW2)) fail(`flags byte 0x${hex2(flags)} has unknown bits set`);
    const bits = bytes[6];
    if (bits < 1 || bits > 32) fail(`bits = ${bits} is outside 1..32`);
    const stepsPerOctave = bytes[7];
    if (stepsPerOctave < 1 || stepsPerOctave > 2) fail(`stepsPerOctave = ${stepsPerOctave} is not 1 or 2`);
    const rank = bytes[8];
    if (rank > MAX_RANK) fail(`rank = ${rank} exceeds ${MAX_RANK}`);
    const perChannel = (flags & FLAG_PER_CHANNEL) !== 0;
    const axisByte = bytes[9];
    if (perChannel ? axisByte >= rank : axisByte !== 0) {
      fail(
        perChannel
          ? `axis = ${axisByte} is not below rank ${rank}`
          : `axis byte is ${axisByte} for a per-tensor tensor (expected 0)`,
      );
    }
    if (bytes[10] !== 0 || bytes[11] !== 0) fail('reserved header bytes 10-11 are not zero');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < HEADER_BYTES + 4 * rank + 4) {
      fail(`got ${bytes.length} bytes, too few to hold the shape of rank ${rank} (truncated?)`);
    }
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(view.getUint32(HEADER_BYTES + 4 * d, true));
    // Every code takes at least one bit, so a size beyond 8 codes per byte cannot be genuine;
    // checking this first keeps the arithmetic below exact and every allocation bounded. (A zero
    // dimension makes the size 0 whatever the others are: the product stops growing at the bound.)
    const bound = bytes.length * 8;
    const size = shape.includes(0) ? 0 : shape.reduce((a, b) => Math.min(a * b, bound + 1), 1);
    if (size > bound)
      fail(
        `shape [${shape.join(', ')}] holds ${shape.reduce((a, b) => a * b, 1)} codes, more than ${bytes.length} bytes can store`,
      );
    const channels = perChannel ? shape[axisByte] : 1;
    if (channels > bytes.length)
      fail(
        `shape [${shape.join(', ')}] has ${channels} channels along axis ${axisByte}, more than ${bytes.length} bytes can store`,
      );
    if ((flags & FLAG_POW2) === 0 && stepsPerOctave !== 1)
      fail(`stepsPerOctave = ${stepsPerOctave} with linear encoding (expected 1)`);
    const codeBytes = bits <= 8 ? Math.ceil((size * bits) / 8) : 4 * size;
    const expected = HEADER_BYTES + 4 * rank + 12 * channels + codeBytes + 4;
    if (bytes.length !== expected) {
      fail(
        `header describes ${expected} bytes (shape [${shape.join(', ')}], ${bits} bits, ${channels} channel(s)) but got ${bytes.length}` +
          (bytes.length < expected ? ' (truncated)' : ` (${bytes.length - expected} extra bytes)`),
      );
    }
    const stored = view.getUint32(expected - 4, true);
    const computed = crc32(bytes.subarray(0, expected - 4));
    if (stored !== computed) {
      fail(`checksum mismatch: stored CRC-32 0x${hex8(stored)}, computed 0x${hex8(computed)} (data corrupted)`);
    }
    let o = HEADER_BYTES + 4 * rank;
    const scale = new Float64Array(channels);
    for (let c = 0; c < channels; c++, o += 8) scale[c] = view.getFloat64(o, true);
    const zeroPoint = new Int32Array(channels);
    for (let c = 0; c < channels; c++, o += 4) zeroPoint[c] = view.getInt32(o, true);
    let codes: Int32Array;
    if (bits <= 8) {
      const packed = bytes.subarray(o, o + codeBytes);
      const used = (size * bits) % 8;
      if (used !== 0 && packed[codeBytes - 1] >> used !== 0) {
        fail(`the unused high ${8 - used} bits of the last code byte are not zero (0x${hex2(packed[codeBytes - 1])})`);
      }
      codes = Int32Array.from(
        (flags & FLAG_SIGNED) !== 0 ? unpackSignedBits(packed, bits, size) : unpackBits(packed, bits, size),
      );
    } else {
      codes = new Int32Array(size);
      for (let i = 0; i < size; i++, o += 4) codes[i] = view.getInt32(o, true);
    }
    try {
      return new QuantizedTensor({
        codes,
        shape,
        bits,
        signed: (flags & FLAG_SIGNED) !== 0,
        scale,
        zeroPoint,
        axis: perChannel ? axisByte : undefined,
        encoding: (flags & FLAG_POW2) !== 0 ? 'pow2' : 'linear',
        stepsPerOctave,
      });
    } catch (e) {
      // The checksum matched, so these bytes were written like this: report what is inconsistent.
      return fail(`inconsistent content: ${(e as Error).message}`);
    }
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
