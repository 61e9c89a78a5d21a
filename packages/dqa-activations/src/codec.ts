/**
 * The encoded DQA activation format: what a device would store or send for one activation tensor.
 * `encode` quantizes a float tensor with the layer's {@link DqaParams} and returns bytes; `decode`
 * restores the dequantized tensor, equal bit for bit to the layer's fake-quantized output.
 *
 * Layout (version 1; integers little-endian; channels are the last axis, C = last dim):
 *
 * | bytes                     | content                                                         |
 * |---------------------------|-----------------------------------------------------------------|
 * | 4                         | magic `LBDQ`                                                    |
 * | 1, 1, 1, 1                | version (1), N (bits), m (extraBits), granularity (0 layer, 1 channel) |
 * | 1, 3                      | rank (1..8), three zero bytes                                   |
 * | 4 x rank                  | dims (u32)                                                      |
 * | 4 x C                     | `delta_N` per channel (float32)                                 |
 * | 4, 4 x K                  | K = number of important channels (u32), their indices, increasing |
 * | ceil(size x N / 8)        | every element's N-bit code, two's complement, `packSignedBits`  |
 * | T x ceil(2^m x 4 / 8)     | T Huffman tables (1 per layer if K > 0, or K per channel): 4-bit code lengths of the 2^m symbols, `packBits` |
 * | 4, ceil(B / 8)            | B = error bitstream length in bits (u32), then the shift errors of important-channel elements in flat order, each a canonical Huffman code (most significant bit first, bytes filled from bit 0) |
 * | 4                         | CRC-32 of every byte before it                                  |
 *
 * Decoding checks the checksum, then the length of every section before reading it (and before
 * allocating anything of that size), and every field's range: scales finite, > 0 and small enough
 * that every N-bit value stays finite in float32, tables prefix codes, the symbol count against
 * the bitstream length. It throws {@link LowbitDataError} naming the problem: never a hang, an
 * out-of-bounds read or a non-finite value, with work and memory linear in the input.
 *
 * Speed: one pass per stage over typed arrays (codec-loops.ts), table-driven Huffman coding
 * (huffman.ts) and a slicing-by-16 CRC; the bytes are those of the first, bit-by-bit codec
 * (codec-v1-reference.fixture.ts, which the tests compare against).
 *
 * ```ts
 * const layerParams = dqaLayer.dqaParams();
 * const bytes = encode(activations, layerParams);      // Uint8Array
 * const restored = decode(bytes);                      // tf.Tensor, == dqaLayer.apply(activations)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, unpackBits } from '@lowbit/quant-core';
import { crc32Fast } from './crc32-sliced.js';
import {
  checkDqaParams,
  type CheckedDqaParams,
  type DqaParams,
  MAX_BITS,
  MAX_EXTRA_BITS,
  MIN_BITS,
  MIN_EXTRA_BITS,
} from './dqa-params.js';
import { countSymbols, dequantize, quantizeSplit } from './codec-loops.js';
import {
  HuffmanTable,
  HuffmanTableSet,
  entropyBits,
  huffmanCodeLengths,
  huffmanDecodeInto,
  huffmanEncodeInto,
} from './huffman.js';

export const DQA_MAGIC = Uint8Array.of(0x4c, 0x42, 0x44, 0x51); // "LBDQ"
export const DQA_FORMAT_VERSION = 1;
const MAX_RANK = 8;
const SOURCE = 'DQA activation decode';

/** Plain activations: flat channels-last values with their shape. */
export interface ActivationValues {
  values: ArrayLike<number>;
  shape: number[];
}

/** Sizes (bytes, bits) of one encoded tensor, section by section. */
export interface EncodeStats {
  elements: number;
  channels: number;
  importantChannels: number;
  headerBytes: number;
  scaleBytes: number;
  codeBytes: number;
  tableBytes: number;
  errorStreamBytes: number;
  totalBytes: number;
  /** Shift-error symbols coded (elements of important channels). */
  errorSymbols: number;
  /** Bits of the error bitstream. */
  errorBits: number;
  /** Sum over tables of (symbols x entropy of that table's symbol distribution), in bits. */
  errorEntropyBits: number;
}

export interface EncodeResult {
  bytes: Uint8Array;
  stats: EncodeStats;
}

/** Decoded activations and the parameters stored with them. */
export interface DecodedActivations {
  shape: number[];
  values: Float32Array;
  params: CheckedDqaParams;
}

function tableByteLength(m: number): number {
  return Math.ceil((2 ** m * 4) / 8);
}

function readInput(activations: tf.Tensor | ActivationValues): ActivationValues {
  if (activations instanceof tf.Tensor) {
    if (activations.dtype !== 'float32') {
      throw new LowbitConfigError('activations', activations, `expected a float32 tensor, got ${activations.dtype}`);
    }
    return { values: activations.dataSync() as Float32Array, shape: activations.shape };
  }
  if (
    activations === null ||
    typeof activations !== 'object' ||
    !Array.isArray(activations.shape) ||
    typeof activations.values?.length !== 'number'
  ) {
    throw new LowbitConfigError('activations', activations, 'expected a tf.Tensor or { values, shape }');
  }
  return activations;
}

/** Encodes activations (channels last) with DQA; see the module docs for the byte layout. */
export function encode(activations: tf.Tensor | ActivationValues, dqaParams: DqaParams): Uint8Array {
  return encodeWithStats(activations, dqaParams).bytes;
}

/**
 * Largest step whose N-bit values all stay finite in float32: the largest magnitude decoded is
 * `step * 2^(N-1)` (code -2^(N-1); important channels reach the same bound).
 */
function maxFiniteScale(bits: number): number {
  return FLOAT32_MAX / 2 ** (bits - 1);
}
const FLOAT32_MAX = 3.4028234663852886e38;

/** {@link encode}, plus the size of each section and the entropy of the shift errors. */
export function encodeWithStats(activations: tf.Tensor | ActivationValues, dqaParams: DqaParams): EncodeResult {
  const p = checkDqaParams(dqaParams);
  const { values, shape } = readInput(activations);
  if (shape.length < 1 || shape.length > MAX_RANK) {
    throw new LowbitConfigError(
      'activations',
      activations,
      `expected rank 1 to ${MAX_RANK} (channels last), got rank ${shape.length}`,
    );
  }
  if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) {
    throw new LowbitConfigError('activations.shape', shape, 'expected non-negative integer dims');
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size)
    throw new LowbitConfigError('activations.values.length', values.length, `expected ${size} (shape [${shape}])`);
  if (shape[shape.length - 1] !== p.channels) {
    throw new LowbitConfigError(
      'activations',
      activations,
      `expected a last axis of ${p.channels} channels (one per scale), got ${shape[shape.length - 1]}`,
    );
  }
  const maxScale = maxFiniteScale(p.bits);
  for (let c = 0; c < p.channels; c++) {
    if (p.scales[c] > maxScale) {
      throw new LowbitConfigError(
        `dqaParams.scales[${c}]`,
        p.scales[c],
        `expected at most ${maxScale} (float32 max / 2^${p.bits - 1}), so that every ${p.bits}-bit value is finite`,
      );
    }
  }
  const m = p.extraBits;
  const symbols = 2 ** m;
  const K = p.important.length;
  const perChannel = p.tableGranularity === 'channel';
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  const rows = size / p.channels;
  const errorCount = rows * K;
  const codeByteLength = Math.ceil((size * p.bits) / 8);
  const codeBytes = new Uint8Array(codeByteLength);
  const errors = new Uint8Array(errorCount);
  quantizeSplit(values, p, codeBytes, errors);
  const counts = countSymbols(errors, errorCount, Math.max(1, tableCount), symbols);
  const tables: HuffmanTable[] = [];
  let errorBits = 0;
  for (let t = 0; t < tableCount; t++) {
    const c = counts.subarray(t * symbols, (t + 1) * symbols);
    const table = new HuffmanTable(huffmanCodeLengths(c));
    for (let k = 0; k < symbols; k++) if (c[k] > 0) errorBits += c[k] * table.bitsOf(k);
    tables.push(table);
  }
  const errorByteLength = Math.ceil(errorBits / 8);

  const headerBytes = 12 + 4 * shape.length + 4 + 4 * K + 4;
  const scaleBytes = 4 * p.channels;
  const tableBytes = tableCount * tableByteLength(m);
  const total = headerBytes + scaleBytes + codeByteLength + tableBytes + errorByteLength + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(DQA_MAGIC, 0);
  out[4] = DQA_FORMAT_VERSION;
  out[5] = p.bits;
  out[6] = m;
  out[7] = perChannel ? 1 : 0;
  out[8] = shape.length;
  let o = 12;
  for (const d of shape) {
    view.setUint32(o, d, true);
    o += 4;
  }
  for (let c = 0; c < p.channels; c++) {
    view.setFloat32(o, p.scales[c], true);
    o += 4;
  }
  view.setUint32(o, K, true);
  o += 4;
  for (let i = 0; i < K; i++) {
    view.setUint32(o, p.important[i], true);
    o += 4;
  }
  out.set(codeBytes, o);
  o += codeByteLength;
  // 4-bit lengths, two per byte (packBits order); 2^m is even, so each table fills whole bytes.
  for (const t of tables) {
    const l = t.lengths;
    for (let j = 0; j < l.length; j += 2, o++) out[o] = l[j] | (l[j + 1] << 4);
  }
  view.setUint32(o, errorBits, true);
  o += 4;
  // Symbol e is an element of important channel p.important[e % K]: table e % K (or the one table).
  if (
    tableCount > 0 &&
    huffmanEncodeInto(tables, errors.subarray(0, errorCount), out.subarray(o, o + errorByteLength)) !== errorBits
  ) {
    throw new Error('DQA encode: Huffman bit count disagrees with the symbol counts (bug)');
  }
  o += errorByteLength;
  view.setUint32(o, crc32Fast(out.subarray(0, o)), true);

  let errorEntropyBits = 0;
  for (let t = 0; t < tableCount; t++) {
    const c = counts.subarray(t * symbols, (t + 1) * symbols);
    errorEntropyBits += c.reduce((a, b) => a + b, 0) * entropyBits(c);
  }
  return {
    bytes: out,
    stats: {
      elements: size,
      channels: p.channels,
      importantChannels: K,
      headerBytes: headerBytes + 4,
      scaleBytes,
      codeBytes: codeByteLength,
      tableBytes,
      errorStreamBytes: errorByteLength,
      totalBytes: total,
      errorSymbols: errorCount,
      errorBits,
      errorEntropyBits,
    },
  };
}

/** Bounds-checked little-endian reader over the encoded bytes. */
class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (!(n >= 0) || this.pos + n > this.end) {
      throw new LowbitDataError(
        SOURCE,
        `truncated: ${what} needs ${n} bytes at offset ${this.pos}, only ${Math.max(0, this.end - this.pos)} left`,
      );
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  slice(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/**
 * Parses and dequantizes encoded activations; throws {@link LowbitDataError} for any corruption.
 * Every declared size is checked against the bytes present before anything of that size is
 * allocated, and the work is linear in the input: at most 4 elements per byte of codes, a bounded
 * number of steps per Huffman code, lookup tables no larger than a few times the symbols coded.
 *
 * `out`, when given, receives the values (and is returned as `values`) instead of a new array, so a
 * stream of same-shaped batches decodes without allocating 4 bytes per element each time. It must
 * be a Float32Array of exactly the decoded size; it is written only once the whole stream has
 * been checked and decoded, so a corrupt stream leaves it as it was.
 *
 * ```ts
 * const out = new Float32Array(64 * 24 * 24 * 32);
 * for (const batch of streams) decodeActivations(batch, out); // out holds the latest batch
 * ```
 */
export function decodeActivations(bytes: Uint8Array, out?: Float32Array): DecodedActivations {
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  if (out !== undefined && !(out instanceof Float32Array))
    throw new LowbitConfigError('out', out, 'expected a Float32Array (or nothing, for a new one)');
  if (bytes.length < 12 + 4)
    throw new LowbitDataError(SOURCE, `truncated: ${bytes.length} bytes is shorter than the smallest header`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== DQA_MAGIC[i])
      throw new LowbitDataError(SOURCE, 'bad magic: not a DQA activation stream (expected "LBDQ")');
  }
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  const actual = crc32Fast(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) {
    throw new LowbitDataError(
      SOURCE,
      `checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}): data corrupt or truncated`,
    );
  }
  // Everything below still checks every field: a checksum does not make crafted bytes valid.
  const r = new Reader(bytes, bytes.length - 4);
  r.pos = 4;
  const version = r.u8('version');
  if (version !== DQA_FORMAT_VERSION)
    throw new LowbitDataError(
      SOURCE,
      `unsupported format version ${version} (this decoder reads ${DQA_FORMAT_VERSION})`,
    );
  const bits = r.u8('bits');
  if (bits < MIN_BITS || bits > MAX_BITS)
    throw new LowbitDataError(SOURCE, `bits ${bits} outside ${MIN_BITS}..${MAX_BITS}`);
  const m = r.u8('extraBits');
  if (m < MIN_EXTRA_BITS || m > MAX_EXTRA_BITS)
    throw new LowbitDataError(SOURCE, `extraBits ${m} outside ${MIN_EXTRA_BITS}..${MAX_EXTRA_BITS}`);
  const granularity = r.u8('table granularity');
  if (granularity > 1)
    throw new LowbitDataError(SOURCE, `table granularity ${granularity} is neither 0 (layer) nor 1 (channel)`);
  const rank = r.u8('rank');
  if (rank < 1 || rank > MAX_RANK) throw new LowbitDataError(SOURCE, `rank ${rank} outside 1..${MAX_RANK}`);
  for (let i = 0; i < 3; i++)
    if (r.u8('reserved') !== 0) throw new LowbitDataError(SOURCE, 'reserved header bytes are not zero');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(r.u32(`dim ${i}`));
  const channels = shape[rank - 1];
  if (channels < 1) throw new LowbitDataError(SOURCE, 'the channel (last) dim is 0');
  const size = shape.reduce((a, b) => a * b, 1);
  r.need(4 * channels, `${channels} scales`);
  const scales = new Float32Array(channels);
  const maxScale = maxFiniteScale(bits);
  for (let c = 0; c < channels; c++) {
    const s = r.f32('scale');
    if (!(Number.isFinite(s) && s > 0 && s <= maxScale)) {
      throw new LowbitDataError(
        SOURCE,
        `scale of channel ${c} is ${s}, expected finite > 0 and at most ${maxScale} (float32 max / 2^${bits - 1}, so that every ${bits}-bit value is finite)`,
      );
    }
    scales[c] = s;
  }
  const K = r.u32('important-channel count');
  if (K > channels) throw new LowbitDataError(SOURCE, `${K} important channels but only ${channels} channels`);
  r.need(4 * K, `${K} important-channel indices`);
  const important = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    const c = r.u32('important channel');
    if (c >= channels || (i > 0 && c <= important[i - 1])) {
      throw new LowbitDataError(
        SOURCE,
        `important channel index ${c} at position ${i} is out of range or not increasing`,
      );
    }
    important[i] = c;
  }
  const codeByteLength = Math.ceil((size * bits) / 8);
  if (!Number.isSafeInteger(codeByteLength)) throw new LowbitDataError(SOURCE, `shape [${shape}] is too large`);
  const codeBytes = r.slice(codeByteLength, `codes of ${size} elements`);
  const perChannel = granularity === 1;
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  const alphabet = 2 ** m;
  // All tables at once (each is 2^(m-1) whole bytes), in flat arrays: no object per table.
  const tableSection = r.slice(tableCount * tableByteLength(m), `${tableCount} Huffman tables`);
  const tables =
    tableCount > 0 ? new HuffmanTableSet(unpackBits(tableSection, 4, tableCount * alphabet), alphabet) : undefined;
  const errorBits = r.u32('error bitstream length');
  const errorBytes = r.slice(Math.ceil(errorBits / 8), 'error bitstream');
  if (r.pos !== r.end) throw new LowbitDataError(SOURCE, `${r.end - r.pos} unexpected bytes after the error bitstream`);

  // The symbol counts follow from the shape: check they fit the bitstream before decoding any.
  const rows = size / channels;
  const errorSymbols = rows * K;
  const symbolsPerTable = perChannel ? rows : errorSymbols;
  let minBits = 0;
  for (let t = 0; t < tableCount && symbolsPerTable > 0; t++) {
    if (tables!.symbolCounts[t] === 0) {
      throw new LowbitDataError(SOURCE, `Huffman table ${t} has no symbols but codes ${symbolsPerTable} shift errors`);
    }
    minBits += symbolsPerTable * tables!.minBits[t];
  }
  if (minBits > errorBits) {
    throw new LowbitDataError(
      SOURCE,
      `error bitstream of ${errorBits} bits is too short for ${errorSymbols} shift errors (at least ${minBits} bits)`,
    );
  }
  const params = checkDqaParams({
    bits,
    extraBits: m,
    scales,
    important,
    tableGranularity: perChannel ? 'channel' : 'layer',
  });
  const errors = new Uint8Array(errorSymbols);
  const usedBits = errorSymbols > 0 ? huffmanDecodeInto(tables!, errorBytes, errorBits, errors, errorSymbols) : 0;
  if (usedBits !== errorBits) {
    throw new LowbitDataError(
      SOURCE,
      `error bitstream has ${errorBits - usedBits} bits left over after the last symbol`,
    );
  }
  if (out !== undefined && out.length !== size)
    throw new LowbitConfigError(
      'out.length',
      out.length,
      `expected ${size}, the element count of shape [${shape.join(', ')}]`,
    );
  const values = out ?? new Float32Array(size);
  dequantize(codeBytes, errors, params, values);
  return { shape, values, params };
}

/** {@link decodeActivations} as a float32 tensor (the caller disposes it). */
export function decode(bytes: Uint8Array): tf.Tensor {
  const { shape, values } = decodeActivations(bytes);
  return tf.tensor(values, shape, 'float32');
}
