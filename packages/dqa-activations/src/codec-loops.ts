/**
 * The per-element loops of the DQA codec, kept apart from the format code in codec.ts. Each is one
 * branch-light pass over typed arrays with no per-element allocation; they compute exactly what
 * the reference quantizer ({@link dqaQuantizeValues}) and the first decoder computed (the tests
 * compare them bit for bit).
 */
import { LowbitDataError } from '@lowbit/quant-core';
import type { CheckedDqaParams } from './dqa-params.js';
import { channelGrid, type dqaQuantizeValues } from './dqa-quantize.js';

// x + 1.5 * 2^52 - 1.5 * 2^52 rounds x to an integer half to even (the float64 addition does it)
// for |x| < 2^51: the clamped quotients here are below 2^16.
const ROUND_HALF_EVEN = 6755399441055744;

/**
 * Quantizes channels-last `input` with `p`: `codes[i]` the N-bit code of element i, `errors` the
 * shift errors of important-channel elements in flat order (`errors` needs one spare entry:
 * every element writes to the next error slot, only important ones advance).
 * Throws {@link LowbitDataError} on NaN, as {@link dqaQuantizeValues}.
 */
export function quantizeSplit(input: ArrayLike<number>, p: CheckedDqaParams, codes: Int8Array, errors: Uint8Array): void {
  // One typed-array type per call keeps the loop monomorphic; Float64Array holds any number exactly.
  const values = input instanceof Float32Array || input instanceof Float64Array ? input : Float64Array.from(input);
  const C = p.channels;
  const grid = channelGrid(p);
  // Same numbers as dqaQuantizeValues (float32 step, float32 quotient, integer bounds), read
  // from float64 arrays.
  const step = Float64Array.from(grid.step);
  const lo = Float64Array.from(grid.lo);
  const hi = Float64Array.from(grid.hi);
  const m = p.extraBits;
  const maskM = (1 << m) - 1;
  const shift = new Int32Array(C);
  const advance = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    shift[c] = p.isImportant[c] ? m : 0;
    advance[c] = p.isImportant[c];
  }
  const n = values.length;
  let e = 0;
  for (let i = 0, c = 0; i < n; i++) {
    let t = Math.fround(values[i] / step[c]);
    // Clamping before rounding equals clamping after (the bounds are integers).
    if (t < lo[c]) t = lo[c];
    else if (t > hi[c]) t = hi[c];
    else if (t !== t) throw new LowbitDataError('dqaQuantizeValues', `activation at index ${i} is NaN`);
    // Half to even, as tf.round; `| 0` also turns -0 into +0 (a stored code 0 has no sign).
    const q = (t + ROUND_HALF_EVEN - ROUND_HALF_EVEN) | 0;
    codes[i] = q >> shift[c];
    errors[e] = q & maskM;
    e += advance[c];
    if (++c === C) c = 0;
  }
}

/**
 * Packs signed `bits`-bit codes into `out` from `offset`: the bytes of quant-core's
 * `packSignedBits` (two's complement, LSB-first, unused high bits of the last byte 0).
 * The codes must be in range (they come from {@link quantizeSplit}).
 */
export function packSignedCodes(codes: Int8Array, bits: number, out: Uint8Array, offset: number): void {
  const n = codes.length;
  const mask = (1 << bits) - 1;
  if (bits === 8) {
    out.set(new Uint8Array(codes.buffer, codes.byteOffset, n), offset);
  } else if (bits === 4) {
    let o = offset;
    let i = 0;
    for (; i + 1 < n; i += 2) out[o++] = (codes[i] & 15) | ((codes[i + 1] & 15) << 4);
    if (i < n) out[o] = codes[i] & 15;
  } else if (bits === 2) {
    let o = offset;
    let i = 0;
    for (; i + 3 < n; i += 4) out[o++] = (codes[i] & 3) | ((codes[i + 1] & 3) << 2) | ((codes[i + 2] & 3) << 4) | ((codes[i + 3] & 3) << 6);
    let acc = 0;
    for (let k = 0; i < n; i++, k += 2) acc |= (codes[i] & 3) << k;
    if (n % 4 !== 0) out[o] = acc;
  } else {
    let acc = 0; // fewer than 8 pending bits between codes
    let accBits = 0;
    let o = offset;
    for (let i = 0; i < n; i++) {
      acc |= (codes[i] & mask) << accBits;
      accBits += bits;
      if (accBits >= 8) {
        out[o++] = acc;
        acc >>>= 8;
        accBits -= 8;
      }
    }
    if (accBits > 0) out[o] = acc;
  }
}

/**
 * Counts of each symbol per table (`alphabet` per table) of the first `count` symbols, symbol i
 * in table i mod T. One table is counted in four interleaved histograms (consecutive increments
 * of one counter would wait on each other).
 */
export function countSymbols(symbols: Uint8Array, count: number, tableCount: number, alphabet: number): Int32Array {
  const counts = new Int32Array(tableCount * alphabet);
  if (tableCount === 1) {
    const h = new Int32Array(4 * 256);
    let i = 0;
    for (; i + 3 < count; i += 4) {
      h[symbols[i]]++;
      h[256 + symbols[i + 1]]++;
      h[512 + symbols[i + 2]]++;
      h[768 + symbols[i + 3]]++;
    }
    for (; i < count; i++) h[symbols[i]]++;
    for (let s = 0; s < alphabet; s++) counts[s] = h[s] + h[256 + s] + h[512 + s] + h[768 + s];
  } else {
    for (let i = 0, base = 0; i < count; i++) {
      counts[base + symbols[i]]++;
      base += alphabet;
      if (base === counts.length) base = 0;
    }
  }
  return counts;
}

/**
 * Exact inverse of {@link packSignedCodes}: the `codes.length` signed `bits`-bit codes packed in
 * `bytes` (which must hold them), sign-extended, as quant-core's `unpackSignedBits`.
 */
export function unpackSignedCodes(bytes: Uint8Array, bits: number, codes: Int8Array): void {
  const n = codes.length;
  if (bits === 8) {
    codes.set(new Int8Array(bytes.buffer, bytes.byteOffset, n));
  } else if (bits === 4) {
    let i = 0;
    for (let o = 0; i + 1 < n; i += 2, o++) {
      const b = bytes[o];
      codes[i] = (b << 28) >> 28;
      codes[i + 1] = (b << 24) >> 28;
    }
    if (i < n) codes[i] = (bytes[i >>> 1] << 28) >> 28;
  } else {
    const signShift = 32 - bits;
    let acc = 0;
    let accBits = 0;
    let o = 0;
    for (let i = 0; i < n; i++) {
      if (accBits < bits) {
        acc |= bytes[o++] << accBits;
        accBits += 8;
      }
      codes[i] = (acc << signShift) >> signShift;
      acc >>>= bits;
      accBits -= bits;
    }
  }
}

/**
 * `values[i] = step * q`, with q the code of element i, or `(code << m) | k` for an element of an
 * important channel (k its shift error, in flat order), whose step is delta_N / 2^m. These are the
 * float32 values of the first decoder's `delta_N * (code + k / 2^m)`: both products are exact in
 * float64 (24 + 16 bits), so the one rounding to float32 is the same.
 */
export function dequantize(codes: Int8Array, errors: Uint8Array, p: CheckedDqaParams, values: Float32Array): void {
  const C = p.channels;
  const m = p.extraBits;
  const step = new Float64Array(C);
  for (let c = 0; c < C; c++) step[c] = p.isImportant[c] ? p.scales[c] / 2 ** m : p.scales[c];
  const n = values.length;
  if (p.important.length === 0) {
    for (let i = 0, c = 0; i < n; i++) {
      values[i] = codes[i] * step[c];
      if (++c === C) c = 0;
    }
    return;
  }
  const isImportant = p.isImportant;
  let e = 0;
  for (let i = 0, c = 0; i < n; i++) {
    let q = codes[i];
    if (isImportant[c] !== 0) q = (q << m) | errors[e++];
    values[i] = q * step[c];
    if (++c === C) c = 0;
  }
}
