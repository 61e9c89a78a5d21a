/**
 * The per-element loops of the DQA codec, kept apart from the format code in codec.ts. Each is one
 * pass over typed arrays with no per-element allocation (the quantizer and dequantizer go channel
 * by channel through blocks of rows); they compute exactly what the reference quantizer
 * (`dqaQuantizeValues`) and the first decoder computed (the tests compare them bit for bit).
 */
import { LowbitDataError } from '@lowbit/quant-core';
import type { CheckedDqaParams } from './dqa-params.js';
import { channelGrid } from './dqa-quantize.js';

// Symbols are read four per 32-bit word, low byte first: the byte order of every current JS platform.
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

// x + 1.5 * 2^52 - 1.5 * 2^52 rounds x to an integer half to even (the float64 addition does it)
// for |x| < 2^51: the clamped quotients here are below 2^16 in magnitude.
const ROUND_HALF_EVEN = 6755399441055744;

/**
 * Rows per block of the channel-major loops: about 4K elements (16 KB of float32, 4 KB of codes,
 * at most 4 KB of shift errors), so a block stays in the L1 cache while each channel's constants
 * (step, bounds, importance) stay in registers; the per-element channel lookups of a flat loop
 * cost about twice as much in V8. A block holds a multiple of 8 elements, so its N-bit codes start
 * on a byte and blocks pack and unpack independently.
 */
function blockRows(channels: number): number {
  const align = 8 / gcd(channels, 8); // rows making a multiple of 8 elements
  return Math.max(align, Math.floor(4096 / channels / align) * align);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Quantizes channels-last `input` with `p`: the N-bit codes of all elements into `codeBytes`
 * (packed as quant-core's `packSignedBits`, `ceil(n * N / 8)` bytes), the shift errors of
 * important-channel elements into `errors` in flat order (row by row, important channels in
 * increasing order). Throws {@link LowbitDataError} on NaN, as
 * `dqaQuantizeValues`.
 */
export function quantizeSplit(
  input: ArrayLike<number>,
  p: CheckedDqaParams,
  codeBytes: Uint8Array,
  errors: Uint8Array,
): void {
  if (input instanceof Float32Array) {
    if (p.bits === 4 && p.channels % 2 === 0) quantizeSplitF32Nibbles(input, p, codeBytes, errors);
    else quantizeSplitF32(input, p, codeBytes, errors);
  } else quantizeSplitF64(input instanceof Float64Array ? input : Float64Array.from(input), p, codeBytes, errors);
}

/**
 * {@link quantizeSplit} for float32 input: multiplies by the reciprocal of each step instead of
 * dividing. For float32 x and step s, `fround(x * (1 / s))` (in float64) equals `fround(x / s)`:
 * an exact quotient of two float32 values is never a float32 rounding midpoint and lies at a
 * relative distance of more than 2^-50 from every midpoint (the midpoint has 25 significant bits,
 * the step 24), while the two float64 roundings of the product are off by at most about 2^-52.
 * Quotients below the float32 normal range round to the integer 0 either way, and ones beyond it
 * clamp. (Float64 input has no such bound, so it divides.) The tests check this on crafted
 * near-midpoint quotients.
 */
function quantizeSplitF32(values: Float32Array, p: CheckedDqaParams, codeBytes: Uint8Array, errors: Uint8Array): void {
  const C = p.channels;
  const K = p.important.length;
  const N = p.bits;
  const grid = channelGrid(p);
  const m = p.extraBits;
  const maskM = (1 << m) - 1;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const B = blockRows(C);
  const block = new Int8Array(Math.min(rows, B) * C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const base = r0 * C;
    const len = (Math.min(rows, r0 + B) - r0) * C;
    for (let c = 0; c < C; c++) {
      const inv = 1 / grid.step[c];
      const lo = grid.lo[c];
      const hi = grid.hi[c];
      const j = importantIndex[c];
      // Clamping before rounding equals clamping after (the bounds are integers); adding and
      // subtracting ROUND_HALF_EVEN rounds half to even, as tf.round; `| 0` turns -0 into +0.
      if (j < 0) {
        for (let i = c; i < len; i += C) {
          let t = Math.fround(values[base + i] * inv);
          if (t < lo) t = lo;
          else if (t > hi) t = hi;
          else if (t !== t) throw nanAt(values);
          block[i] = t + ROUND_HALF_EVEN - ROUND_HALF_EVEN;
        }
      } else {
        for (let i = c, e = r0 * K + j; i < len; i += C, e += K) {
          let t = Math.fround(values[base + i] * inv);
          if (t < lo) t = lo;
          else if (t > hi) t = hi;
          else if (t !== t) throw nanAt(values);
          const q = (t + ROUND_HALF_EVEN - ROUND_HALF_EVEN) | 0;
          block[i] = q >> m;
          errors[e] = q & maskM;
        }
      }
    }
    packSignedCodes(block, len, N, codeBytes, (base * N) / 8);
  }
}

/**
 * {@link quantizeSplitF32} for 4-bit codes and an even channel count: channels 2h and 2h + 1 share
 * a byte of every row, so each pair is quantized together and its byte written directly (no block
 * of codes to pack afterwards).
 */
function quantizeSplitF32Nibbles(
  values: Float32Array,
  p: CheckedDqaParams,
  codeBytes: Uint8Array,
  errors: Uint8Array,
): void {
  const C = p.channels;
  const K = p.important.length;
  const grid = channelGrid(p);
  const m = p.extraBits;
  const maskM = (1 << m) - 1;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const rowBytes = C >>> 1;
  const B = blockRows(C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const end = Math.min(rows, r0 + B) * C;
    for (let c = 0; c < C; c += 2) {
      const inv0 = 1 / grid.step[c];
      const lo0 = grid.lo[c];
      const hi0 = grid.hi[c];
      const inv1 = 1 / grid.step[c + 1];
      const lo1 = grid.lo[c + 1];
      const hi1 = grid.hi[c + 1];
      const j0 = importantIndex[c];
      const j1 = importantIndex[c + 1];
      // The shift taking q+ to its code (m for an important channel, else 0).
      const s0 = j0 < 0 ? 0 : m;
      const s1 = j1 < 0 ? 0 : m;
      let e0 = r0 * K + j0;
      let e1 = r0 * K + j1;
      for (let i = r0 * C + c, o = (r0 * C + c) >>> 1; i < end; i += C, o += rowBytes) {
        // As quantizeSplitF32, for both channels (written out: V8 does not always inline a helper here).
        let t0 = Math.fround(values[i] * inv0);
        if (t0 < lo0) t0 = lo0;
        else if (t0 > hi0) t0 = hi0;
        else if (t0 !== t0) throw nanAt(values);
        let t1 = Math.fround(values[i + 1] * inv1);
        if (t1 < lo1) t1 = lo1;
        else if (t1 > hi1) t1 = hi1;
        else if (t1 !== t1) throw nanAt(values);
        const q0 = (t0 + ROUND_HALF_EVEN - ROUND_HALF_EVEN) | 0;
        const q1 = (t1 + ROUND_HALF_EVEN - ROUND_HALF_EVEN) | 0;
        codeBytes[o] = ((q0 >> s0) & 15) | (((q1 >> s1) & 15) << 4);
        if (j0 >= 0) {
          errors[e0] = q0 & maskM;
          e0 += K;
        }
        if (j1 >= 0) {
          errors[e1] = q1 & maskM;
          e1 += K;
        }
      }
    }
  }
}

/** {@link quantizeSplit} for float64 input: the float32 quotient by division, as `dqaQuantizeValues`. */
function quantizeSplitF64(values: Float64Array, p: CheckedDqaParams, codeBytes: Uint8Array, errors: Uint8Array): void {
  const C = p.channels;
  const K = p.important.length;
  const N = p.bits;
  const grid = channelGrid(p);
  const m = p.extraBits;
  const maskM = (1 << m) - 1;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const B = blockRows(C);
  const block = new Int8Array(Math.min(rows, B) * C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const base = r0 * C;
    const len = (Math.min(rows, r0 + B) - r0) * C;
    for (let c = 0; c < C; c++) {
      const step = grid.step[c];
      const lo = grid.lo[c];
      const hi = grid.hi[c];
      const j = importantIndex[c];
      if (j < 0) {
        for (let i = c; i < len; i += C) {
          let t = Math.fround(values[base + i] / step);
          if (t < lo) t = lo;
          else if (t > hi) t = hi;
          else if (t !== t) throw nanAt(values);
          block[i] = t + ROUND_HALF_EVEN - ROUND_HALF_EVEN;
        }
      } else {
        for (let i = c, e = r0 * K + j; i < len; i += C, e += K) {
          let t = Math.fround(values[base + i] / step);
          if (t < lo) t = lo;
          else if (t > hi) t = hi;
          else if (t !== t) throw nanAt(values);
          const q = (t + ROUND_HALF_EVEN - ROUND_HALF_EVEN) | 0;
          block[i] = q >> m;
          errors[e] = q & maskM;
        }
      }
    }
    packSignedCodes(block, len, N, codeBytes, (base * N) / 8);
  }
}

/** The error for the first NaN of `values` (in flat order, as the element-wise quantizer reports). */
function nanAt(values: ArrayLike<number>): LowbitDataError {
  let i = 0;
  while (i < values.length && values[i] === values[i]) i++;
  return new LowbitDataError('dqaQuantizeValues', `activation at index ${i} is NaN`);
}

/**
 * Packs the first `count` signed `bits`-bit codes of `codes` into `out` from byte `offset`: the
 * bytes of quant-core's `packSignedBits` (two's complement, LSB-first, unused high bits of the
 * last byte 0). The codes must be in range. Offsets and counts, not subarrays: the loops stay on
 * the same typed-array shapes.
 */
export function packSignedCodes(codes: Int8Array, count: number, bits: number, out: Uint8Array, offset: number): void {
  const n = count;
  const mask = (1 << bits) - 1;
  if (bits === 8) {
    for (let i = 0; i < n; i++) out[offset + i] = codes[i];
  } else if (bits === 4) {
    let o = offset;
    let i = 0;
    for (; i + 1 < n; i += 2) out[o++] = (codes[i] & 15) | ((codes[i + 1] & 15) << 4);
    if (i < n) out[o] = codes[i] & 15;
  } else if (bits === 2) {
    let o = offset;
    let i = 0;
    for (; i + 3 < n; i += 4)
      out[o++] = (codes[i] & 3) | ((codes[i + 1] & 3) << 2) | ((codes[i + 2] & 3) << 4) | ((codes[i + 3] & 3) << 6);
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
    if (LITTLE_ENDIAN && (symbols.byteOffset & 3) === 0) {
      // Four symbols per 32-bit word read.
      const words = new Int32Array(symbols.buffer, symbols.byteOffset, count >>> 2);
      for (let w = 0; w < words.length; w++) {
        const x = words[w];
        h[x & 0xff]++;
        h[256 + ((x >>> 8) & 0xff)]++;
        h[512 + ((x >>> 16) & 0xff)]++;
        h[768 + (x >>> 24)]++;
      }
      i = words.length << 2;
    }
    for (; i + 3 < count; i += 4) {
      h[symbols[i]]++;
      h[256 + symbols[i + 1]]++;
      h[512 + symbols[i + 2]]++;
      h[768 + symbols[i + 3]]++;
    }
    for (; i < count; i++) h[symbols[i]]++;
    for (let s = 0; s < alphabet; s++) counts[s] = h[s] + h[256 + s] + h[512 + s] + h[768 + s];
  } else {
    let i = 0;
    if (LITTLE_ENDIAN && (symbols.byteOffset & 3) === 0 && tableCount % 4 === 0) {
      // Four symbols (of four successive tables) per 32-bit word read.
      const words = new Int32Array(symbols.buffer, symbols.byteOffset, count >>> 2);
      const stride = 4 * alphabet;
      for (let w = 0, base = 0; w < words.length; w++) {
        const x = words[w];
        counts[base + (x & 0xff)]++;
        counts[base + alphabet + ((x >>> 8) & 0xff)]++;
        counts[base + 2 * alphabet + ((x >>> 16) & 0xff)]++;
        counts[base + 3 * alphabet + (x >>> 24)]++;
        base += stride;
        if (base === counts.length) base = 0;
      }
      i = words.length << 2;
    }
    for (let base = (i % tableCount) * alphabet; i < count; i++) {
      counts[base + symbols[i]]++;
      base += alphabet;
      if (base === counts.length) base = 0;
    }
  }
  return counts;
}

/**
 * Exact inverse of {@link packSignedCodes}: `count` signed `bits`-bit codes packed in `bytes` from
 * byte `offset` (which must hold them), sign-extended into `codes`, as quant-core's
 * `unpackSignedBits`.
 */
export function unpackSignedCodes(
  bytes: Uint8Array,
  offset: number,
  bits: number,
  codes: Int8Array,
  count: number,
): void {
  const n = count;
  if (bits === 8) {
    for (let i = 0; i < n; i++) codes[i] = bytes[offset + i];
  } else if (bits === 4) {
    let i = 0;
    for (let o = offset; i + 1 < n; i += 2, o++) {
      const b = bytes[o];
      codes[i] = (b << 28) >> 28;
      codes[i + 1] = (b << 24) >> 28;
    }
    if (i < n) codes[i] = (bytes[offset + (i >>> 1)] << 28) >> 28;
  } else {
    const signShift = 32 - bits;
    let acc = 0;
    let accBits = 0;
    let o = offset;
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
 * `values[i] = step * q`, with q the code of element i (from `codeBytes`, packed as
 * {@link packSignedCodes}), or `(code << m) | k` for an element of an important channel (k its
 * shift error, in flat order), whose step is delta_N / 2^m. These are the float32 values of the
 * first decoder's `delta_N * (code + k / 2^m)`: both products are exact in float64 (24 + 16 bits),
 * so the one rounding to float32 is the same.
 */
export function dequantize(codeBytes: Uint8Array, errors: Uint8Array, p: CheckedDqaParams, values: Float32Array): void {
  const C = p.channels;
  const N = p.bits;
  if (N === 4 && C % 2 === 0) dequantizeNibbles(codeBytes, errors, p, values);
  else if ((C * N) % 8 === 0) dequantizeAligned(codeBytes, errors, p, values);
  else dequantizeUnaligned(codeBytes, errors, p, values);
}

/**
 * {@link dequantize} for 4-bit codes and an even channel count: channels 2h and 2h + 1 share a
 * byte of every row, so each pair is restored together from one byte read.
 */
function dequantizeNibbles(codeBytes: Uint8Array, errors: Uint8Array, p: CheckedDqaParams, values: Float32Array): void {
  const C = p.channels;
  const K = p.important.length;
  const m = p.extraBits;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const rowBytes = C >>> 1;
  const B = blockRows(C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const end = Math.min(rows, r0 + B) * C;
    for (let c = 0; c < C; c += 2) {
      const j0 = importantIndex[c];
      const j1 = importantIndex[c + 1];
      const step0 = j0 < 0 ? p.scales[c] : p.scales[c] / 2 ** m;
      const step1 = j1 < 0 ? p.scales[c + 1] : p.scales[c + 1] / 2 ** m;
      let e0 = r0 * K + j0;
      let e1 = r0 * K + j1;
      let i = r0 * C + c;
      let o = i >>> 1;
      // Two rows per step (fewer loop checks), then the odd last row.
      for (; i + C < end; i += 2 * C, o += 2 * rowBytes) {
        const b = codeBytes[o];
        const b2 = codeBytes[o + rowBytes];
        let q0 = (b << 28) >> 28;
        let q1 = (b << 24) >> 28;
        let q2 = (b2 << 28) >> 28;
        let q3 = (b2 << 24) >> 28;
        if (j0 >= 0) {
          q0 = (q0 << m) | errors[e0];
          q2 = (q2 << m) | errors[e0 + K];
          e0 += 2 * K;
        }
        if (j1 >= 0) {
          q1 = (q1 << m) | errors[e1];
          q3 = (q3 << m) | errors[e1 + K];
          e1 += 2 * K;
        }
        values[i] = q0 * step0;
        values[i + 1] = q1 * step1;
        values[i + C] = q2 * step0;
        values[i + C + 1] = q3 * step1;
      }
      if (i < end) {
        const b = codeBytes[o];
        let q0 = (b << 28) >> 28;
        let q1 = (b << 24) >> 28;
        if (j0 >= 0) q0 = (q0 << m) | errors[e0];
        if (j1 >= 0) q1 = (q1 << m) | errors[e1];
        values[i] = q0 * step0;
        values[i + 1] = q1 * step1;
      }
    }
  }
}

/**
 * {@link dequantize} when a row of codes is whole bytes (C x N a multiple of 8): channel c's code
 * then sits at the same bit offset of every row, so it is read straight from the packed bytes
 * with constant shifts (one byte, or two when it straddles a byte boundary).
 */
function dequantizeAligned(codeBytes: Uint8Array, errors: Uint8Array, p: CheckedDqaParams, values: Float32Array): void {
  const C = p.channels;
  const K = p.important.length;
  const N = p.bits;
  const m = p.extraBits;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const rowBytes = (C * N) / 8;
  const up = 32 - N;
  const B = blockRows(C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const end = Math.min(rows, r0 + B) * C;
    for (let c = 0; c < C; c++) {
      const bit = c * N;
      const o0 = r0 * rowBytes + (bit >>> 3);
      // (x << left) >> up: bits [bit & 7, (bit & 7) + N) of x, sign-extended.
      const left = up - (bit & 7);
      const straddles = (bit & 7) + N > 8;
      const j = importantIndex[c];
      if (j < 0) {
        const step = p.scales[c];
        if (!straddles) {
          for (let i = r0 * C + c, o = o0; i < end; i += C, o += rowBytes)
            values[i] = ((codeBytes[o] << left) >> up) * step;
        } else {
          for (let i = r0 * C + c, o = o0; i < end; i += C, o += rowBytes)
            values[i] = (((codeBytes[o] | (codeBytes[o + 1] << 8)) << left) >> up) * step;
        }
      } else {
        const step = p.scales[c] / 2 ** m;
        if (!straddles) {
          for (let i = r0 * C + c, o = o0, e = r0 * K + j; i < end; i += C, o += rowBytes, e += K) {
            values[i] = ((((codeBytes[o] << left) >> up) << m) | errors[e]) * step;
          }
        } else {
          for (let i = r0 * C + c, o = o0, e = r0 * K + j; i < end; i += C, o += rowBytes, e += K) {
            values[i] = (((((codeBytes[o] | (codeBytes[o + 1] << 8)) << left) >> up) << m) | errors[e]) * step;
          }
        }
      }
    }
  }
}

/** {@link dequantize} for rows of codes that end inside a byte: unpacks each block of codes first. */
function dequantizeUnaligned(
  codeBytes: Uint8Array,
  errors: Uint8Array,
  p: CheckedDqaParams,
  values: Float32Array,
): void {
  const C = p.channels;
  const K = p.important.length;
  const N = p.bits;
  const m = p.extraBits;
  const importantIndex = new Int32Array(C).fill(-1);
  p.important.forEach((c, j) => (importantIndex[c] = j));
  const rows = values.length / C;
  const B = blockRows(C);
  const codes = new Int8Array(Math.min(rows, B) * C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const base = r0 * C;
    const len = (Math.min(rows, r0 + B) - r0) * C;
    unpackSignedCodes(codeBytes, (base * N) / 8, N, codes, len);
    for (let c = 0; c < C; c++) {
      const j = importantIndex[c];
      if (j < 0) {
        const step = p.scales[c];
        for (let i = c; i < len; i += C) values[base + i] = codes[i] * step;
      } else {
        const step = p.scales[c] / 2 ** m;
        for (let i = c, e = r0 * K + j; i < len; i += C, e += K)
          values[base + i] = ((codes[i] << m) | errors[e]) * step;
      }
    }
  }
}
